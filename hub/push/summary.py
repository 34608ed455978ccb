"""The per-student part of a report's ``summary`` (``hub.connector.ReportSummary``), checked.

Destinations that write one value per student read it through here: a summary that does not have the
typed shape (it crossed a Parquet file and JSON on its way) is refused with a reason. Errors name the
report and the entry's position, never the student.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hub.connector import RenderedReport
from hub.errors import HubError


class SummaryError(HubError, ValueError):
    """A report's summary is not in the shape above; the report cannot be pushed as it is."""


@dataclass(frozen=True, slots=True)
class StudentStatus:
    student: str
    status: str
    skills: tuple[str, ...] = ()


def student_statuses(report: RenderedReport) -> list[StudentStatus]:
    """The report's per-student statuses, checked; an empty list when it has none."""
    where = f"{report.kind} report for {report.target}: summary"
    entries = report.summary.get("students", ())
    if isinstance(entries, str | bytes) or not isinstance(entries, Sequence):
        raise SummaryError(f"{where}: 'students' must be a list of {{student, status, skills}}")
    statuses: dict[str, StudentStatus] = {}
    for index, entry in enumerate(entries):
        status = _entry(entry, f"{where}: students[{index}]")
        if status.student in statuses:
            raise SummaryError(f"{where}: students[{index}] repeats a student listed earlier")
        statuses[status.student] = status
    return list(statuses.values())


def _entry(entry: object, where: str) -> StudentStatus:
    if not isinstance(entry, Mapping):
        raise SummaryError(f"{where}: expected a mapping with 'student' and 'status'")
    student, status, skills = entry.get("student"), entry.get("status"), entry.get("skills", ())
    if not isinstance(student, str) or not student:
        raise SummaryError(f"{where}: 'student' must be a non-empty id")
    if not isinstance(status, str):
        raise SummaryError(f"{where}: 'status' must be text")
    if (
        isinstance(skills, str)
        or not isinstance(skills, Sequence)
        or not all(isinstance(skill, str) for skill in skills)
    ):
        raise SummaryError(f"{where}: 'skills' must be a list of skill domain keys")
    return StudentStatus(student, status, tuple(skills))
