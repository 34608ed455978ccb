"""The session log's columns and vocabulary: the one place the documented format is spelled out in code."""

from __future__ import annotations

from datetime import date, timedelta

SESSION_COLUMNS = (
    "session_id",
    "session_date",
    "start_time",
    "minutes",
    "tutor_id",
    "group_id",
    "session_status",
    "skills_covered",
    "standards",
    "notes",
    "next_steps",
)
"""Fields of the session itself: repeated on every student row of a CSV, given once per JSON object."""

STUDENT_COLUMNS = ("student_id", "attendance", "minutes_present", "mastery_check")
"""Fields of one student at the session."""

COLUMNS = SESSION_COLUMNS + STUDENT_COLUMNS
REQUIRED = ("session_id", "session_date", "minutes", "tutor_id", "student_id")

TUTOR_COLUMNS = ("tutor_id", "subjects", "max_groups", "schools")
TUTOR_REQUIRED = ("tutor_id", "subjects", "max_groups")
TUTORS_STEM = "tutors"

HELD, CANCELLED = "held", "cancelled"
SESSION_STATUSES = (HELD, CANCELLED)
ATTENDED = ("present", "tardy")
MISSED = ("absent", "excused")
ATTENDANCE = ATTENDED + MISSED
"""What a tutor may write per student. ``cancelled`` is added by the hub for every student of a
cancelled session, so that the session still counts as scheduled for each of them."""

MAX_SESSION_MINUTES = 240
# A session is logged after it is held: a date before 2010 or weeks ahead is a typing error.
EARLIEST_SESSION = date(2010, 7, 1)
LATEST_SESSION_AHEAD = timedelta(days=31)
MAX_TUTOR_GROUPS = 50
MASTERY_CHECK_LENGTH = 64

LIST_SEPARATORS = r"[;,]"
"""Skills, standards, subjects and schools may be separated by ``;`` or ``,``; stored comma-joined."""

SESSION_FILE_SUFFIXES = (".csv", ".jsonl", ".ndjson")
