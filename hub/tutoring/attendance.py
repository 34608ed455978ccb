"""What a review counts of the session logs, asked for at each boundary rather than held whole.

Over a school year the logs are the largest tables a boundary could read (at 20,000 students 1.8 M
attendance rows, at 350,000 about 32 M), yet a boundary's reviews count only the sessions of the students
due a review, since they were placed and before the boundary. An ``AttendanceLog`` hands over exactly
those rows: a night reads them from the warehouse (``hub.pipeline.review_reads``); a caller that holds the
logs already (the demo's season, tests) wraps them in a ``LoggedAttendance``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

ATTENDANCE_SCHEMA = pa.schema(
    [
        ("person_source_id", pa.string()),
        ("group_source_id", pa.string()),
        ("session_date", pa.date32()),
        ("attended", pa.bool_()),
    ]
)
"""What a review counts of the session logs: one row per student and session logged."""
STUDENTS_PER_ASK = 1_000
"""Students whose rows a boundary's reviews ask for and count at once: what they hold of the logs follows
this, not the district (and a warehouse statement's list of students stays short)."""


class AttendanceLog(Protocol):
    def of(self, people: pa.Array, first: date | None, before: date) -> pa.Table:
        """``ATTENDANCE_SCHEMA`` rows of ``people`` at sessions on ``first`` or later and before ``before``
        (none when ``first`` is None), in no particular order."""
        ...


@dataclass(frozen=True, slots=True)
class LoggedAttendance:
    """Logs already held: ``rows`` in ``ATTENDANCE_SCHEMA``."""

    rows: pa.Table = field(default_factory=ATTENDANCE_SCHEMA.empty_table)

    def of(self, people: pa.Array, first: date | None, before: date) -> pa.Table:
        dates = self.rows.column("session_date")
        span = pc.and_(
            pc.greater_equal(dates, pa.scalar(first, pa.date32())),
            pc.less(dates, pa.scalar(before, pa.date32())),
        )
        theirs = pc.is_in(self.rows.column("person_source_id"), value_set=people)
        return self.rows.filter(pc.and_(span, theirs))
