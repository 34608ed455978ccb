"""The session log's facts that dosage and the weekly pulse both read: each session's week, school and
subject, and which attendance statuses mean the student came or the session never took place."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from hub.skills import DOMAINS
from hub.tutoring._arrow import optional_text, require

ATTENDED = ("present", "tardy")
CANCELLED = "cancelled"
_DOMAIN_SUBJECT = {domain: subject for subject, domains in DOMAINS.items() for domain in domains}


def week_start(dates: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """The Monday of each date's week."""
    days = pc.cast(dates, pa.int32()).cast(pa.int64())
    return pc.subtract(days, pc.day_of_week(dates)).cast(pa.int32()).cast(pa.date32())


SESSION_COLUMNS = [
    "source_id", "session_date", "minutes", "tutor_person_source_id", "group_source_id", "skills_covered",
]  # fmt: skip
"""What ``session_facts`` reads of a session: a caller need not read the tutors' notes for it."""
ATTENDANCE_COLUMNS = ["session_source_id", "person_source_id", "attendance", "minutes_present"]
"""What dosage reads of an attendance row."""


def session_facts(sessions: pa.Table, groups: pa.Table) -> pa.Table:
    """Each session (in the given order) with its week, and the school and subject of its group.

    A session whose group is unknown takes its subject from the first skill it covered, so that a log
    without group ids still counts towards the right subject.
    """
    require(sessions, SESSION_COLUMNS[:4], "tutoring_session")
    require(groups, ["source_id", "school_source_id", "subject"], "tutoring_group")
    group = optional_text(sessions, "group_source_id")
    at = pc.index_in(group, groups["source_id"])
    first_skill = pc.list_element(
        pc.split_pattern(pc.fill_null(optional_text(sessions, "skills_covered"), ""), ","), 0
    )
    skill_subject = pc.take(
        pa.array(list(_DOMAIN_SUBJECT.values()), pa.string()),
        pc.index_in(first_skill, pa.array(list(_DOMAIN_SUBJECT), pa.string())),
    )
    return pa.table(
        {
            "session_source_id": sessions["source_id"],
            "session_date": sessions["session_date"],
            "week_start": week_start(sessions["session_date"]),
            "minutes": sessions["minutes"].cast(pa.int64()),
            "tutor_person_source_id": sessions["tutor_person_source_id"],
            "group_source_id": group,
            "school_source_id": groups["school_source_id"].take(at),
            "subject": pc.coalesce(groups["subject"].take(at), skill_subject),
        }
    )
