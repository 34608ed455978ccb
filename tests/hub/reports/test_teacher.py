"""The classroom teacher's weekly pulse: who is in tutoring, this week's attendance, skills, growth, steps."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from hub.model import conform
from hub.push import student_statuses
from hub.reports import AlignmentReport, ReportError, ReportInputs, build_reports, render
from hub.reports.model import STATUS_LIMIT
from hub.tutoring.pulse import weekly_pulse

WHEN = datetime(2026, 1, 17, 6, 0, tzinfo=UTC)


def teacher_report(inputs: ReportInputs, section: str) -> AlignmentReport:
    return next(r for r in build_reports(inputs, WHEN) if r.kind == "teacher" and r.target == section)


def column(report: AlignmentReport, section: str, index: int) -> list[object]:
    table = report.section(section).table
    assert table is not None
    return [row[index] for row in table.rows]


def test_every_tutoring_subject_section_gets_a_report_addressed_by_its_id(
    small_reports: list[AlignmentReport],
) -> None:
    teachers = [r for r in small_reports if r.kind == "teacher"]
    assert [r.target for r in teachers] == ["sec-ela", "sec-math"]
    assert teachers[0].title == "Tutoring this week: Grade 3 ELA"
    assert "Teacher ELA" in teachers[0].audience
    assert teachers[0].school_source_id == "sch-1"


def test_the_class_lists_its_tutored_students_with_their_skill_and_tutor(small: ReportInputs) -> None:
    report = teacher_report(small, "sec-ela")
    rows = report.section("in_tutoring").table.rows  # type: ignore[union-attr]
    assert [row[0] for row in rows] == [
        "Ana Test",
        "Ben Test",
        "Cleo Test",
        "Dev Test",
        "Eli Test",
        "Fay Test",
    ]
    assert {row[1] for row in rows[:4]} == {"Phonics"} and {row[1] for row in rows[4:]} == {"Vocabulary"}
    assert {row[3] for row in rows} == {"Tutor ela"}
    assert rows[0][4] == date(2026, 1, 5)
    math = teacher_report(small, "sec-math")
    assert column(math, "in_tutoring", 0) == ["Gus Test", "Hana Test", "Ivo Test", "Jun Test"]


def test_this_weeks_attendance_counts_absent_and_excused_as_missed_and_tardy_as_attended(
    small: ReportInputs,
) -> None:
    ela = teacher_report(small, "sec-ela")
    attendance = {row[0]: row[1:] for row in ela.section("attendance").table.rows}  # type: ignore[union-attr]
    assert attendance["Ana Test"] == ("Mon/Wed/Fri", "2 of 3", 60, "Wed")
    assert attendance["Eli Test"] == ("Mon/Wed/Fri", "2 of 3", 60, "Fri")
    assert attendance["Ben Test"] == ("Mon/Wed/Fri", "3 of 3", 90, "none")
    math = teacher_report(small, "sec-math")
    attendance = {row[0]: row[1:] for row in math.section("attendance").table.rows}  # type: ignore[union-attr]
    assert attendance["Hana Test"][1] == "3 of 3"  # tardy is attended
    assert attendance["Jun Test"][1:] == ("1 of 3", 30, "Mon/Fri")


def test_skills_growth_and_next_steps_come_from_the_week(small: ReportInputs) -> None:
    report = teacher_report(small, "sec-ela")
    assert report.section("skills").table.rows == (  # type: ignore[union-attr]
        ("Phonics group 1", "Phonics", "3 of 3"),
        ("Vocabulary group 1", "Vocabulary", "3 of 3"),
    )
    growth = report.section("growth").table.rows[0]  # type: ignore[union-attr]
    assert growth[:5] == ("Ana Test", "ELA (i-Ready)", "410 (2025-09-15)", "430 (2026-01-08)", "+20 points")
    assert column(report, "next_steps", 1) == ["More phonics practice", "More vocabulary practice"]


def test_free_text_session_notes_stay_out_of_the_teacher_page(small: ReportInputs) -> None:
    html = render(teacher_report(small, "sec-ela"), ["text/html"])[0].body.decode()
    assert "Worked on phonics" not in html
    assert "More phonics practice" in html


def test_each_student_gets_a_short_status_the_push_layer_accepts(small: ReportInputs) -> None:
    report = teacher_report(small, "sec-ela")
    rendered = render(report, ["text/html"])[0]
    statuses = {status.student: status for status in student_statuses(rendered)}
    assert sorted(statuses) == [f"stu-0{i}" for i in range(1, 7)]
    assert statuses["stu-01"].status == (
        "Tutoring since 2026-01-05: Phonics (Phonics group 1, Mon/Wed/Fri); attended 2/3 this week; "
        "+20 points since entry"
    )
    assert statuses["stu-05"].skills == ("vocabulary",)
    assert all(len(status.status) <= STATUS_LIMIT for status in statuses.values())
    assert rendered.summary["school"] == "sch-1"
    assert rendered.summary["period_start"] == "2026-01-12"


def test_a_status_never_exceeds_the_gradebook_limit(small: ReportInputs) -> None:
    long_steps = replace(
        small,
        tutoring_group=small.tutoring_group.set_column(  # type: ignore[union-attr]
            small.tutoring_group.schema.get_field_index("canonical_domain"),  # type: ignore[union-attr]
            "canonical_domain",
            pa.array(["x" * 300] * small.tutoring_group.num_rows),  # type: ignore[union-attr]
        ),
    )
    for status in student_statuses(render(teacher_report(long_steps, "sec-ela"), ["text/csv"])[0]):
        assert len(status.status) <= STATUS_LIMIT


def test_a_student_who_left_tutoring_says_when_and_why(small: ReportInputs) -> None:
    exited = conform(
        "group_membership",
        pa.Table.from_pylist(
            [
                {
                    "source_id": "old:stu-11",
                    "group_source_id": "grp-ela-old",
                    "person_source_id": "stu-11",
                    "subject": "ela",
                    "entry_date": date(2025, 11, 10),
                    "entry_evidence": "x",
                    "exit_date": date(2026, 1, 5),
                    "exit_reason": "on grade level in Phonics (i-Ready 2025-26 winter: Grade 3)",
                }
            ]
        ),
    )
    inputs = replace(small, group_membership=pa.concat_tables([small.group_membership, exited]))
    statuses = {s.student: s.status for s in teacher_report(inputs, "sec-ela").students}
    assert statuses["stu-11"] == (
        "Left tutoring on 2026-01-05 (on grade level in Phonics (i-Ready 2025-26 winter: Grade 3))"
    )
    math = {s.student for s in teacher_report(inputs, "sec-math").students}
    assert "stu-11" not in math  # an ELA exit is not the math teacher's business


def test_without_a_pulse_every_section_says_no_data_yet(small: ReportInputs) -> None:
    report = teacher_report(replace(small, pulse=None), "sec-ela")
    assert all(not section.has_data and section.empty == "No data yet." for section in report.sections)
    assert report.students == ()


def test_reports_refuse_a_week_that_does_not_start_on_monday(small: ReportInputs) -> None:
    with pytest.raises(ReportError, match="week_start must be a Monday; 2026-01-13 is a Tuesday"):
        replace(small, week_start=date(2026, 1, 13), pulse=None)
    with pytest.raises(ReportError, match="the pulse is for the week of 2026-01-12"):
        replace(small, week_start=date(2026, 1, 19))


def moved(inputs: ReportInputs, student: str, target: str) -> ReportInputs:
    """``inputs`` with ``student`` moved on the reported week's Monday to ``target``, as a boundary's
    regrouping writes it: the old membership closed "moved to group ...", a new one keeping tutored_since.
    """
    members = inputs.group_membership
    assert members is not None
    rows = members.to_pylist()
    old = next(row for row in rows if row["person_source_id"] == student)
    since = old["entry_date"]
    old.update(exit_date=inputs.week_start, exit_reason=f"moved to group {target} (its group fell below 2)")
    old["tutored_since"] = since
    new = {
        **old,
        "source_id": f"{target}:{student}:{inputs.week_start}",
        "group_source_id": target,
        "entry_date": inputs.week_start,
        "exit_date": None,
        "exit_reason": None,
    }
    memberships = conform("group_membership", pa.Table.from_pylist([*rows, new]))
    sessions, attendance = inputs.tutoring_session, inputs.session_attendance
    assert sessions is not None and attendance is not None
    # the week's sessions log the student in the new group only
    attendance = conform(
        "session_attendance",
        pa.Table.from_pylist(
            [
                {**row, "session_source_id": row["session_source_id"].replace(old["group_source_id"], target)}
                if row["person_source_id"] == student
                else row
                for row in attendance.to_pylist()
            ]
        ),
    )
    pulse = weekly_pulse(
        inputs.week_start,
        sessions,
        attendance,
        inputs.tutoring_group,
        memberships,
        inputs.assessment_result,
        inputs.enrollment,
        inputs.section,
    )
    return replace(inputs, group_membership=memberships, session_attendance=attendance, pulse=pulse)


def test_a_student_moved_at_the_boundary_is_in_the_new_group_only_and_never_left_tutoring(
    small: ReportInputs,
) -> None:
    members = small.group_membership
    assert members is not None
    people, groups = members["person_source_id"].to_pylist(), members["group_source_id"].to_pylist()
    group_of = dict(zip(people, groups, strict=True))
    before = teacher_report(small, "sec-ela").section("in_tutoring").table.rows  # type: ignore[union-attr]
    target_name = next(row[2] for row in before if row[0] == "Eli Test")
    inputs = moved(small, "stu-01", group_of["stu-05"])
    report = teacher_report(inputs, "sec-ela")
    rows = report.section("in_tutoring").table.rows  # type: ignore[union-attr]
    assert [(row[2], row[4]) for row in rows if row[0] == "Ana Test"] == [(target_name, date(2026, 1, 5))]
    status = {s.student: s.status for s in report.students}["stu-01"]
    assert status.startswith("Tutoring since 2026-01-05:") and target_name in status
    listed = [
        row[0]
        for r in build_reports(inputs, WHEN)
        if r.kind == "tutor"
        for row in r.section("students").table.rows  # type: ignore[union-attr]
        if row[1] == "Ana Test"
    ]
    assert listed == [target_name]
