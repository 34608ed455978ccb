"""Session logs: what tutors did, session by session, in the hub's own documented format.

Tutors (or their programme's platform) write one log line per student per session; the hub counts
dosage from it, shows teachers what was covered, and measures growth against it. The format carries at
least the National Student Support Accelerator's minimum data set: date, minutes present, group size and
tutor id per session, and sessions scheduled against sessions attended.

Files
-----
``path`` in hub.yaml names one file or a folder. In a folder every ``*.csv``, ``*.jsonl`` and ``*.ndjson``
file is a session log, except ``tutors.csv``. Files are read in name order and a later copy of a session
replaces an earlier one, so name them in the order they are written (``sessions-2025-10-06.csv``).

A session log is a record of what happened: a session once logged stays in the warehouse until a log
that covers its date says otherwise. A next night parses only the files whose content changed (known by
SHA-256 before parsing) and applies only their sessions. A changed file is the truth for the dates it
covers (its first to its last session date): a session of those dates taken out of it goes, as does a
student taken off one of its sessions; its sessions of other dates stay, so a platform that overwrites
one file with the last week's sessions every night keeps the earlier weeks. A file removed from the
folder (a drop folder cleaned by its retention policy) removes nothing. Removing more than
``max_delete_fraction`` of the sessions asks for ``--allow-deletions`` first (``tracked.py``).

Session log columns (CSV header, or JSON keys)
----------------------------------------------
=================  ========  ===========================================================================
column             required  meaning
=================  ========  ===========================================================================
session_id         yes       stable id of the session; a session id seen again updates, never duplicates
session_date       yes       ``YYYY-MM-DD``
start_time                   ``HH:MM`` (24 h), local to the district
minutes            yes       scheduled length of the session, 1-240
tutor_id           yes       the tutor's roster sourcedId (or ``tutor_id`` in tutors.csv)
group_id                     the tutoring group the session was for
session_status               ``held`` (blank means held) or ``cancelled``
skills_covered               canonical skill domains (``phonics``, ``number_and_operations``, ... or their
                             names, "Phonics"), separated by ``;`` or ``,``
standards                    standard codes, separated by ``;`` or ``,``
notes                        what happened
next_steps                   what the next session (or the teacher) should pick up
student_id        yes        the student's roster sourcedId
attendance        yes*       ``present``, ``tardy``, ``absent`` or ``excused`` (*blank only if cancelled)
minutes_present              whole minutes the student was there, 0 to ``minutes``; blank = the whole
                             session if present or tardy, 0 otherwise
mastery_check                the session's quick check for this student (``3/4``, ``75%``, ``mastered``),
                             <= 64 chars; a progress point by the vocabulary in ``mastery.py``
=================  ========  ===========================================================================

CSV: one row per student per session; the session columns repeat on each of its rows and must agree.
JSON Lines: one object per line and session, with the session keys and a ``students`` list of objects
with the student keys; lists (``skills_covered``, ``standards``) may be JSON arrays::

    {"session_id": "s-101", "session_date": "2025-10-06", "start_time": "13:15", "minutes": 30,
     "tutor_id": "t-7", "group_id": "g-12", "skills_covered": ["phonics"], "notes": "...",
     "next_steps": "...", "students": [{"student_id": "p-1", "attendance": "present", "mastery_check": "3/4"},
                                       {"student_id": "p-2", "attendance": "absent"}]}

Scheduled and attended
----------------------
Every scheduled session is logged with every student it was scheduled for, absent ones included: a session
where all students were absent still counts as scheduled for each of them. A session that did not happen is
logged with ``session_status`` = ``cancelled`` (attendance may be blank); its students are stored with the
attendance ``cancelled`` and 0 minutes, so it counts as scheduled and not attended. Group size is the
number of students logged for the session.

Checks
------
Rejects (the row is not loaded; file, line, column and reason are reported): a blank required field
(``missing_required``), a bad date (``bad_date``), minutes not 1-240 (``minutes_range``), an unknown
session status (``bad_session_status``) or attendance (``bad_attendance``), a present or tardy student in a
cancelled session (``cancelled_attendance``), minutes present not 0 to the session's minutes
(``minutes_present_range``) or above 0 for an absent, excused or cancelled student (``absent_minutes``), a
session date before July 2010 or more than a month ahead (``implausible_date``), a CSV row with the wrong
number of fields (``column_count``), a cell past 64 KiB (``cell_too_long``), a quote left open
(``open_quote``), a JSON line that is not a session object, nested too deep or holding a number past
Python's digit limit (``bad_json``), rows of one session disagreeing on a session field
(``session_conflict``: the whole session is rejected, since which copy is right cannot be told), a student
twice in one session (``duplicate_student``: the first row is kept).
Warnings (the row is loaded, fixed; one warning per kind and file): an unknown skill domain is dropped
(``unknown_skill``), a bad start time is left blank (``bad_time``), a mastery check is cut to 64 characters
(``long_mastery_check``), a column outside the format is not loaded (``unknown_column``).
Files are decoded by ``hub.decoding``: Windows-1252 and UTF-16 are read with an ``encoding`` warning, NUL
bytes removed with a ``nul_bytes`` warning; a file with no rows is a ``header_only`` warning.
A file missing a required column, or in no encoding the hub reads, is fatal for that file
(``FileReport.fatal``).

Tutors file (``tutors.csv``)
----------------------------
``tutor_id`` (required), ``subjects`` (required: ``ela`` and/or ``math``, separated by ``;`` or ``,``),
``max_groups`` (required, 0-50 groups at once), ``schools`` (school sourcedIds; blank = any school).
It adds to the roster: people the roster gives a tutoring role (``tutoring.tutor_roles``: ``ext:tutor``,
``aide``, ...) are tutors without it, and a row here sets their subjects, schools and capacity; a row for
someone the roster does not hold makes them a tutor too. It is the whole list of such rows: a tutor left
out of it is removed from ``tutor_profile`` (a roster tutor then takes the defaults). Rejects:
``missing_required``, ``bad_subject``, ``max_groups_range``, ``duplicate_tutor``, ``column_count``.

Normalized onto ``tutoring_session`` (``source_id`` = session id; with the ``subject`` and
``canonical_domain`` its mastery checks are on) and ``session_attendance`` (``source_id`` = session id +
":" + student id; a check that reads as a percent keeps it in ``mastery_percent``, which the view
``progress_point`` shows as a point with ``source_id`` = ``mastery_check:`` + the attendance id: a
corrected log replaces its session's rows, and so its points, whole), upserted (``SyncMode.DELTA``) with
the removals above, and ``tutor_profile``
(``SyncMode.BULK``, when the tutors file changed). A mastery check that makes no point is rejected on its own
(``unread_mastery_check``, ``mastery_check_absent``: file, line, reason) while its row loads.
"""

from __future__ import annotations

from connectors.session_log.source import SessionLogConfig, SessionLogSource
from hub.plugins import hookimpl

__all__ = ["SessionLogConfig", "SessionLogSource"]


@hookimpl
def tutorhub_connectors() -> list[type[SessionLogSource]]:
    return [SessionLogSource]
