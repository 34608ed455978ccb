"""Dosage measured a student part at a time, so that the step's memory follows the part's size.

The session log is read whole (one row per session: a district's sessions are a fraction of its
attendance rows), then attendance a part at a time, twice: first only what a session's counts need (its
group size counts every part's students), then the part's rows in full, measured against those counts.
The per-student tables are written a part at a time (``PersonSortedFile``); the per-session and per-group
tables come from the counts, and the per-school summary from the parts' sums.
"""

from __future__ import annotations

import functools
import operator
from pathlib import Path

import pyarrow as pa

from hub.model import sql_table
from hub.pipeline.context import DistrictRun
from hub.pipeline.parts import StudentPart, student_parts
from hub.pipeline.person_sorted import PersonSortedFile
from hub.tutoring import dosage_weeks
from hub.tutoring.dosage import measure_part, summary
from hub.tutoring.dosage_log import SessionLog
from hub.tutoring.sessions import ATTENDANCE_COLUMNS, SESSION_COLUMNS

COUNTED = ["session_source_id", "attendance"]
"""What a session's counts read of an attendance row."""


def dosage_in_parts(run: DistrictRun, folder: Path) -> dict[str, pa.Table | Path]:
    """The dosage tables: the per-session, per-group and summary ones as tables, the per-student ones
    written into ``folder`` and named by their paths (``derived_files`` reads them back)."""
    warehouse, district, plan = run.warehouse, run.district_id, run.district.dosage
    log = SessionLog.of(
        warehouse.read("tutoring_session", district, columns=SESSION_COLUMNS),
        warehouse.read("tutoring_group", district),
    )
    parts = student_parts(warehouse, district, run.district.part_students)
    person = sql_table("session_attendance").c.person_source_id

    def attendance(part: StudentPart, columns: list[str]) -> pa.Table:
        return warehouse.read("session_attendance", district, columns=columns, where=part.holds(person))

    counts = functools.reduce(operator.add, (log.counts(attendance(part, COUNTED)) for part in parts))
    per_session = dosage_weeks.per_session(log.facts, counts, plan)
    school_weeks = []
    folder.mkdir(parents=True, exist_ok=True)
    size = run.district.part_students
    with (
        PersonSortedFile(folder / "student_weeks.parquet", size) as student_weeks,
        PersonSortedFile(folder / "students.parquet", size) as students,
    ):
        for part in parts:
            measured = measure_part(log, per_session, attendance(part, ATTENDANCE_COLUMNS), plan)
            student_weeks.add(measured.student_weeks)
            students.add(measured.students)
            school_weeks.append(measured.school_weeks)
        written = {"student_weeks": student_weeks.finish(), "students": students.finish()}
    return {
        "sessions": per_session,
        "group_weeks": dosage_weeks.group_weeks(per_session, plan),
        "summary": summary(school_weeks, per_session),
        **written,
    }
