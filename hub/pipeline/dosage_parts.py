"""Dosage measured a student part at a time, so that the step's memory follows the part's size.

The session log is read whole (one row per session: a district's sessions are a fraction of its
attendance rows), then attendance a part at a time: each part's rows are counted per session and set
aside, and once every part is counted (a session's group size counts every part's students) measured
against those counts, part by part.
The per-student tables are written a part at a time (``PersonSortedFile``); the per-session and per-group
tables come from the counts, and the per-school summary from the parts' sums.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa

from hub.model import sql_table
from hub.pipeline.context import DistrictRun
from hub.pipeline.parts import student_parts
from hub.pipeline.person_sorted import PersonSortedFile
from hub.tutoring import dosage_weeks
from hub.tutoring.dosage import measure_part, summary
from hub.tutoring.dosage_log import SessionCounts, SessionLog
from hub.tutoring.sessions import ATTENDANCE_COLUMNS, SESSION_COLUMNS


def dosage_in_parts(run: DistrictRun, folder: Path) -> dict[str, pa.Table | Path]:
    """The dosage tables: the per-session, per-group and summary ones as tables, the per-student ones
    written into ``folder`` and named by their paths (``derived_files`` reads them back)."""
    warehouse, district, plan = run.warehouse, run.district_id, run.district.dosage
    log = SessionLog.of(
        warehouse.read("tutoring_session", district, columns=SESSION_COLUMNS),
        warehouse.read("tutoring_group", district),
    )
    folder.mkdir(parents=True, exist_ok=True)
    size = run.district.part_students
    with (
        tempfile.TemporaryDirectory(prefix=".attendance-", dir=folder) as aside,
        PersonSortedFile(folder / "student_weeks.parquet", size) as student_weeks,
        PersonSortedFile(folder / "students.parquet", size) as students,
    ):
        counts, kept = _counted(run, log, Path(aside))
        per_session = dosage_weeks.per_session(log.facts, counts, plan)
        school_weeks = []
        for path in kept:
            measured = measure_part(log, per_session, _read_back(path), plan)
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


def _counted(run: DistrictRun, log: SessionLog, aside: Path) -> tuple[SessionCounts, list[Path]]:
    """The district's counts per session, from its attendance read a part at a time; each part's rows
    set aside in ``aside``, in part order."""
    warehouse, district = run.warehouse, run.district_id
    person = sql_table("session_attendance").c.person_source_id
    counts, kept = log.no_counts(), []
    for number, part in enumerate(student_parts(warehouse, district, run.district.part_students)):
        attendance = warehouse.read(
            "session_attendance", district, columns=ATTENDANCE_COLUMNS, where=part.holds(person)
        )
        counts += log.counts(attendance)
        kept.append(_set_aside(attendance, aside / f"{number}.arrow"))
    return counts, kept


def _set_aside(table: pa.Table, path: Path) -> Path:
    """A part's attendance kept on disk till its session counts are known: read again from there, not
    from the warehouse, whose rows come through Python."""
    with pa.ipc.new_file(path, table.schema) as writer:
        writer.write_table(table)
    return path


def _read_back(path: Path) -> pa.Table:
    with pa.OSFile(str(path)) as source:
        return pa.ipc.open_file(source).read_all()
