"""School and district dashboards: the pyramid, dosage, growth, bands, subgroups; aggregates only."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from hub.reports import AlignmentReport, Figure, ReportInputs, build_reports, render
from hub.reports.charts import BarChart, HeatChart
from hub.tutoring.dosage import measure_dosage
from hub.tutoring.impact import ImpactPolicy

NAMES = ["Ana Test", "Ben Test", "Cleo Test", "Jun Test", "Lea Test", "Teacher ELA", "Tutor ela"]


def only(reports: list[AlignmentReport], kind: str) -> AlignmentReport:
    [report] = [r for r in reports if r.kind == kind]
    return report


def texts(report: AlignmentReport, key: str) -> list[list[str]]:
    table = report.section(key).table
    assert table is not None
    return [[cell.text() if isinstance(cell, Figure) else cell for cell in row] for row in table.rows]


def test_the_pyramid_shows_each_tiers_share_with_its_n_and_the_inverted_flag(small: ReportInputs) -> None:
    unsuppressed = replace(small, impact_policy=ImpactPolicy(min_n=1))
    school = only(build_reports(unsuppressed, datetime(2026, 1, 17, tzinfo=UTC)), "school")
    assert school.target == "sch-1" and school.title == "Tutoring dashboard: Maple Elementary"
    assert texts(school, "pyramid") == [
        ["ELA", "All grades", "50.0 % (n = 12)", "33.3 % (n = 12)", "16.7 % (n = 12)", "inverted"],
        ["ELA", "03", "50.0 % (n = 12)", "33.3 % (n = 12)", "16.7 % (n = 12)", "inverted"],
        ["Math", "All grades", "66.7 % (n = 12)", "25.0 % (n = 12)", "8.3 % (n = 12)", "inverted"],
        ["Math", "03", "66.7 % (n = 12)", "25.0 % (n = 12)", "8.3 % (n = 12)", "inverted"],
    ]
    notes = [note.text for note in school.section("pyramid").notes]
    assert notes[0].startswith("ELA: inverted pyramid. Tier 2 + Tier 3 are 50.0 % (n = 12), above 25 %")
    assert all(note.level == "warning" for note in school.section("pyramid").notes)


def test_the_pyramid_chart_draws_each_tier_against_its_healthy_range(small: ReportInputs) -> None:
    unsuppressed = replace(small, impact_policy=ImpactPolicy(min_n=1))
    reports = build_reports(unsuppressed, datetime(2026, 1, 17, tzinfo=UTC))
    chart = only(reports, "school").section("pyramid").charts[0]
    assert isinstance(chart, BarChart)
    ela = chart.groups[0]
    assert [(bar.label, bar.band) for bar in ela.bars] == [
        ("Tier 1", (75, 85)),
        ("Tier 2", (10, 15)),
        ("Tier 3", (3, 5)),
    ]
    assert [bar.figure.value for bar in ela.bars] == [50.0, 33.3, 16.7]


def test_a_healthy_pyramid_raises_no_flag(build_district, make_student) -> None:  # type: ignore[no-untyped-def]
    student = make_student
    healthy = [student(1, 1)] * 160 + [student(2, 1)] * 30 + [student(3, 1)] * 10
    school = only(build_reports(build_district(healthy), datetime(2026, 1, 17, tzinfo=UTC)), "school")
    assert school.section("pyramid").notes == ()
    assert texts(school, "pyramid")[0][2:] == [
        "80.0 % (n = 200)",
        "15.0 % (n = 200)",
        "5.0 % (n = 200)",
        "no",
    ]


def test_a_small_tier_takes_a_neighbour_with_it_across_and_down_the_pyramid(
    build_district, make_student
) -> None:  # type: ignore[no-untyped-def]
    student = make_student
    healthy = [student(1, 1)] * 160 + [student(2, 1)] * 30 + [student(3, 1)] * 3
    school = only(build_reports(build_district(healthy), datetime(2026, 1, 17, tzinfo=UTC)), "school")
    hidden = "suppressed (protects a small cell)"
    # Tier 3 is 3 students; Tier 2 (the smallest other tier) hides too, else 100 % minus the rest gives it
    expected = ["82.9 % (n = 193)", hidden, "suppressed (n < 10)", "no"]
    assert [row[2:] for row in texts(school, "pyramid")[:2]] == [expected, expected]  # all grades, grade 03


def test_small_groups_are_suppressed_in_the_report_data_not_only_on_screen(
    small_reports: list[AlignmentReport],
) -> None:
    school = only(small_reports, "school")
    dosage = school.section("dosage").table.rows  # type: ignore[union-attr]
    figures = [cell for row in dosage for cell in row if isinstance(cell, Figure)]
    assert figures and all(f.suppressed and f.value is None and f.n is None for f in figures)
    assert texts(school, "growth")[0][1] == "suppressed (n < 10)"


def test_a_subgroup_of_seven_tutored_students_is_suppressed_with_the_ten_that_would_give_it_away(
    large_reports: list[AlignmentReport],
) -> None:
    school = only(large_reports, "school")
    rows = {(row[0], row[1], row[2]): row for row in texts(school, "subgroups")}
    assert rows[("ELA (i-Ready)", "English learners", "no")][4] == "suppressed (n < 10)"
    # 17 tutored students: showing the 10 English learners would give the 7 others away
    assert rows[("ELA (i-Ready)", "English learners", "yes")][4] == "suppressed (protects a small cell)"
    html = render(school, ["text/html"])[0].body.decode()
    assert "suppressed (n &lt; 10)" in html and "(n = 7)" not in html


def test_dosage_is_measured_against_the_plan_week_by_week(large_reports: list[AlignmentReport]) -> None:
    rows = texts(only(large_reports, "school"), "dosage")
    weeks = [row[0].isoformat() for row in rows if row[1] == "ELA"]
    assert weeks == ["2025-12-22", "2025-12-29", "2026-01-05", "2026-01-12"]
    this_week = next(row for row in rows if row[1] == "ELA" and row[0].isoformat() == "2026-01-12")
    # 17 ELA students; 3 of them (i % 6 == 0) missed Wednesday: 14 met the plan, mean 48/17 sessions
    # 82.4 % of 17 would show that 3 did not: the share is suppressed, its n stays
    hidden = "suppressed (protects a small cell)"
    assert this_week[2:6] == ["17", "2.8 sessions (n = 17)", "85 minutes (n = 17)", hidden]


def test_growth_compares_tutored_students_with_their_peers(large_reports: list[AlignmentReport]) -> None:
    school = only(large_reports, "school")
    ela = texts(school, "growth")[0]
    assert ela[:3] == ["ELA (i-Ready)", "+20.0 points (n = 17)", "+10.0 points (n = 12)"]
    chart = school.section("growth").charts[0]
    assert isinstance(chart, BarChart) and chart.series == ("Tutored", "Peers")


def test_band_movement_hides_small_cells_and_what_would_give_them_away(
    large_reports: list[AlignmentReport],
) -> None:
    school = only(large_reports, "school")
    ela = texts(school, "bands")[0]
    # 13 moved up from band 2, 4 stayed in band 1: the 4 is small, and the 13 would reveal it
    assert ela == ["ELA (i-Ready)", "17", "suppressed (protects a small cell)", "suppressed (n < 10)", "0"]
    heat = school.section("bands").charts[0]
    assert isinstance(heat, HeatChart)
    assert heat.cells[0][0].suppressed and heat.cells[1][2].suppressed and heat.cells[1][2].complementary


def test_aggregate_reports_never_carry_a_name_an_id_or_a_small_n(
    large_reports: list[AlignmentReport],
) -> None:
    for report in [r for r in large_reports if r.kind in ("school", "district")]:
        for rendered in render(report):
            body = rendered.body.decode("utf-8-sig")
            assert "stu-" not in body and not any(name in body for name in NAMES), rendered.content_type
        document = json.loads(render(report, ["application/json"])[0].body)
        for figure in _figures(document):
            assert figure["suppressed"] or figure["n"] == 0 or figure["n"] >= 10, figure


def _figures(node: object) -> list[dict]:
    if isinstance(node, dict):
        if set(node) == {"value", "n", "unit", "suppressed", "text"}:
            return [node]
        return [found for value in node.values() for found in _figures(value)]
    if isinstance(node, list):
        return [found for value in node for found in _figures(value)]
    return []


def test_the_minimum_cell_size_is_configurable(small: ReportInputs) -> None:
    relaxed = replace(small, impact_policy=ImpactPolicy(min_n=4))
    school = only(build_reports(relaxed, datetime(2026, 1, 17, tzinfo=UTC)), "school")
    assert texts(school, "dosage")[0][3] == "2.7 sessions (n = 6)"


def test_the_district_rolls_up_school_by_school(
    small_reports: list[AlignmentReport], large_reports: list[AlignmentReport]
) -> None:
    district = only(small_reports, "district")
    assert (district.target, district.title, district.main) == (
        "d-1",
        "Tutoring across Test District",
        "schools",
    )
    no, hidden = "suppressed (n < 10)", "suppressed (protects a small cell)"
    assert texts(district, "schools") == [
        ["Maple Elementary", "ELA", hidden, "inverted", no, no, "ELA (i-Ready)", no, no],
        ["Maple Elementary", "Math", hidden, "inverted", no, no, "Math (i-Ready)", no, no],
    ]
    assert texts(only(large_reports, "district"), "schools")[0] == [
        "Maple Elementary", "ELA", "42.5 % (n = 40)", "inverted", "17", hidden, "ELA (i-Ready)",
        "+20.0 points (n = 17)", "+10.0 points (n = 13)",
    ]  # fmt: skip
    assert [s.key for s in district.sections][1:] == [
        "pyramid", "dosage", "growth", "bands", "growth_by_dosage", "subgroups", "exits", "impact_cycles",
        "about",
    ]  # fmt: skip


def test_missing_tutoring_outputs_leave_sections_saying_no_data_yet(small: ReportInputs) -> None:
    bare = replace(small, pulse=None, dosage=None, impact=None, impact_by_school=None, tier_distribution=None)
    for report in build_reports(bare, datetime(2026, 1, 17, tzinfo=UTC)):
        if report.kind in ("school", "district"):
            empty = [s.key for s in report.sections if not s.has_data and s.empty == "No data yet."]
            assert {"pyramid", "dosage", "growth", "bands", "subgroups", "exits"} <= set(empty)


@pytest.mark.parametrize("kind", ["school", "district"])
def test_every_figure_on_a_dashboard_carries_its_n(large_reports: list[AlignmentReport], kind: str) -> None:
    document = json.loads(render(only(large_reports, kind), ["application/json"])[0].body)
    figures = _figures(document)
    assert figures
    assert all(f["suppressed"] or f"(n = {f['n']})" in f["text"] or f["unit"] == "" for f in figures)


def test_a_plan_share_that_would_be_0_percent_for_want_of_minutes_says_so(large: ReportInputs) -> None:
    attendance = large.session_attendance
    assert attendance is not None
    column = attendance.schema.get_field_index("minutes_present")
    unlogged = attendance.set_column(
        column,
        attendance.schema.field(column),
        pa.nulls(attendance.num_rows, attendance.schema.field(column).type),
    )
    dosage = measure_dosage(large.tutoring_session, unlogged, large.tutoring_group)
    school = only(build_reports(replace(large, dosage=dosage), datetime(2026, 1, 17, tzinfo=UTC)), "school")
    this_week = next(
        row for row in texts(school, "dosage") if row[1] == "ELA" and row[0].isoformat() == "2026-01-12"
    )
    assert this_week[4:6] == ["minutes not logged", "unknown: minutes not logged"]
    district = only(
        build_reports(replace(large, dosage=dosage), datetime(2026, 1, 17, tzinfo=UTC)), "district"
    )
    assert texts(district, "schools")[0][5] == "unknown: minutes not logged"
