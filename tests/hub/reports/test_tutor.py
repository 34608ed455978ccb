"""The tutor's week: groups, each student's target skills, and what their class is covering."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pyarrow as pa

from hub.model import conform
from hub.reports import AlignmentReport, ReportInputs, build_reports


def tutor_report(reports: list[AlignmentReport], tutor: str) -> AlignmentReport:
    return next(r for r in reports if r.kind == "tutor" and r.target == tutor)


def test_each_tutor_gets_their_own_groups(small_reports: list[AlignmentReport]) -> None:
    assert [r.target for r in small_reports if r.kind == "tutor"] == ["tut-1", "tut-2"]
    groups = tutor_report(small_reports, "tut-1").section("groups").table.rows  # type: ignore[union-attr]
    assert groups == (
        ("Phonics group 1", "ELA", 4, "3 of 3", "Phonics"),
        ("Vocabulary group 1", "ELA", 2, "3 of 3", "Vocabulary"),
    )
    math = tutor_report(small_reports, "tut-2").section("groups").table.rows  # type: ignore[union-attr]
    assert [row[0] for row in math] == ["Number and Operations group 1"]


def test_each_student_shows_target_skills_attendance_and_their_class(
    small_reports: list[AlignmentReport],
) -> None:
    rows = tutor_report(small_reports, "tut-1").section("students").table.rows  # type: ignore[union-attr]
    first = rows[0]
    assert first[:6] == (
        "Phonics group 1",
        "Ana Test",
        "03",
        date(2026, 1, 5),
        "Phonics (group focus)",
        "2 of 3",
    )
    assert first[6] == "English Language Arts Grade 3 (Teacher ELA)"
    assert [row[1] for row in rows] == [
        "Ana Test",
        "Ben Test",
        "Cleo Test",
        "Dev Test",
        "Eli Test",
        "Fay Test",
    ]


def test_other_gaps_of_the_latest_window_join_the_target_skills(small: ReportInputs) -> None:
    extra = conform(
        "skill_gap",
        pa.Table.from_pylist(
            [
                {
                    "source_id": "g-extra",
                    "person_source_id": "stu-01",
                    "subject": "ela",
                    "canonical_domain": "vocabulary",
                    "school_year": 2026,
                    "window": "winter",
                    "severity": 1,
                    "evidence_result_source_id": "x",
                    "evidence": "x",
                },
                {
                    "source_id": "g-old",
                    "person_source_id": "stu-01",
                    "subject": "ela",
                    "canonical_domain": "comprehension_literature",
                    "school_year": 2026,
                    "window": "fall",
                    "severity": 3,
                    "evidence_result_source_id": "x",
                    "evidence": "x",
                },
            ]
        ),
    )
    inputs = replace(small, skill_gap=pa.concat_tables([small.skill_gap, extra]))
    reports = build_reports(inputs, datetime(2026, 1, 17, tzinfo=UTC))
    row = tutor_report(reports, "tut-1").section("students").table.rows[0]  # type: ignore[union-attr]
    assert row[4] == "Phonics (group focus); also Vocabulary"  # the fall gap is superseded


def test_a_tutor_without_a_group_this_week_is_told_so(small: ReportInputs) -> None:
    idle = conform(
        "tutor_profile", pa.Table.from_pylist([{"source_id": "tut-3", "subjects": "ela", "max_groups": 2}])
    )
    inputs = replace(small, tutor_profile=pa.concat_tables([small.tutor_profile, idle]))
    report = tutor_report(build_reports(inputs, datetime(2026, 1, 17, tzinfo=UTC)), "tut-3")
    assert report.section("groups").empty == "No tutoring group this week."
    assert not report.section("groups").has_data
