"""Sessions logged for a student the hub has not placed: shown as a mismatch, never as tutoring."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import hub.reports
from hub.push import student_statuses
from hub.reports import AlignmentReport, Figure, ReportInputs, build_reports, render
from hub.tutoring.pulse import weekly_pulse

WHEN = datetime(2026, 1, 17, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def reports(small: ReportInputs) -> list[AlignmentReport]:
    """Ana (stu-01) left her phonics group on Friday 9 January; her tutor kept logging her sessions."""
    memberships = small.group_membership
    assert memberships is not None
    ana = pc.equal(memberships["person_source_id"], "stu-01")
    exit_date = pc.if_else(ana, pa.scalar(date(2026, 1, 9), pa.date32()), memberships["exit_date"])
    memberships = memberships.set_column(
        memberships.schema.get_field_index("exit_date"), "exit_date", exit_date
    )
    pulse = weekly_pulse(
        small.week_start,
        small.tutoring_session,
        small.session_attendance,
        small.tutoring_group,
        memberships,
        small.assessment_result,
        small.enrollment,
        small.section,
    )
    return build_reports(replace(small, group_membership=memberships, pulse=pulse), WHEN)


def report(reports: list[AlignmentReport], kind: str, target: str) -> AlignmentReport:
    return next(r for r in reports if r.kind == kind and r.target == target)


def cells(report: AlignmentReport, section: str) -> list[tuple[object, ...]]:
    table = report.section(section).table
    assert table is not None
    return [tuple(c.text() if isinstance(c, Figure) else c for c in row) for row in table.rows]


def test_the_teacher_sees_the_student_as_a_mismatch_not_in_tutoring(reports: list[AlignmentReport]) -> None:
    teacher = report(reports, "teacher", "sec-ela")
    assert "Ana Test" not in [row[0] for row in cells(teacher, "in_tutoring")]
    assert "Ana Test" not in [row[0] for row in cells(teacher, "attendance")]
    assert cells(teacher, "not_placed") == [
        ("Ana Test", "Phonics group 1", "Tutor ela", "logged but not placed since 2026-01-12", "2 of 3")
    ]
    assert [s.key for s in teacher.sections][:2] == ["in_tutoring", "not_placed"]
    statuses = {s.student: s.status for s in student_statuses(render(teacher, ["text/html"])[0])}
    assert (
        statuses["stu-01"] == "Not in tutoring: sessions logged but not placed since 2026-01-12 (to resolve)"
    )


def test_the_tutors_group_counts_only_the_students_it_has(reports: list[AlignmentReport]) -> None:
    tutor = report(reports, "tutor", "tut-1")
    groups = {row[0]: row[2] for row in cells(tutor, "groups")}
    listed = [row[1] for row in cells(tutor, "students") if row[0] == "Phonics group 1"]
    assert groups["Phonics group 1"] == len(listed) == 3 and "Ana Test" not in listed
    assert [row[:2] for row in cells(tutor, "not_placed")] == [("Ana Test", "Phonics group 1")]


def test_the_school_sees_a_count_per_tutor_and_group_without_names(reports: list[AlignmentReport]) -> None:
    school = report(reports, "school", "sch-1")
    assert cells(school, "not_placed") == [
        ("Tutor ela", "Phonics group 1", "suppressed (n < 10)", "since 2026-01-12")
    ]
    assert "Ana" not in render(school, ["text/html"])[0].body.decode()


def test_unplaced_means_only_an_entrant_the_hub_did_not_place() -> None:
    """One name for one thing: "unplaced" is the ``unplaced_entrant`` decision (met the entry criteria, not
    placed); sessions logged for a student without a placement are "logged not placed" everywhere."""
    for path in sorted(Path(hub.reports.__file__).parent.glob("*.py")):
        assert "unplaced" not in path.stem, path.name
        text = path.read_text(encoding="utf-8")
        if re.search(r"unplaced", text, re.IGNORECASE):
            assert "unplaced_entrant" in text, f"{path.name} says unplaced of something else"
