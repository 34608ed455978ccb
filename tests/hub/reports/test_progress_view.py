"""Progress toward goals on tutor and teacher pages: a row, a chart and its table per tutored student."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from hub.progress.policy import LATEST_BELOW, TREND_BELOW, TREND_POINTS
from hub.reports import AlignmentReport, ReportInputs, build_reports, render
from hub.reports.charts import ProgressChart
from hub.reports.directory import directory
from hub.reports.progress_view import progress_book
from hub.reports.svg import SERIES
from tests.hub.reports.conftest import GENERATED_AT

PLOT_TOP, PLOT_HEIGHT = 34.0, 150.0  # the progress chart's plot box (hub.reports.svg)
TREND_LINE = f'stroke="{SERIES[1]}" stroke-width="2"/>'


def _progress(report: AlignmentReport) -> tuple[list[tuple], list[ProgressChart]]:
    section = report.section("progress")
    return list(section.table.rows if section.table else ()), list(section.charts)  # type: ignore[arg-type]


def test_each_tutored_student_has_a_goal_a_signal_and_a_chart(large_reports: list[AlignmentReport]) -> None:
    tutor = next(r for r in large_reports if r.kind == "tutor" and _progress(r)[0])
    rows, charts = _progress(tutor)
    assert len(rows) == len(charts) == len(tutor.section("students").table.rows)  # type: ignore[union-attr]
    signals = {row[-1].split(" since ")[0] for row in rows}
    # the hand-made checks: flat at the baseline, on the aimline, above it
    assert signals == {"adjust the plan", "on track", "raise the goal or consider exit"}
    assert all(row[2] == "mastery checks" and "80 % correct" in row[3] for row in rows)
    chart = charts[0]
    assert chart.unit == "% correct" and chart.baseline[1] == 30.0 and chart.goal[1] == 80.0
    table = chart.table()
    assert [row[1] for row in table.rows] == ["baseline", *["observed"] * len(chart.points), "goal"]


def test_the_chart_is_inline_svg_with_its_text_alternative(large_reports: list[AlignmentReport]) -> None:
    teacher = next(r for r in large_reports if r.kind == "teacher" and _progress(r)[0])
    html = render(teacher, ["text/html"])[0].body.decode("utf-8")
    _, charts = _progress(teacher)
    for chart in charts:
        assert "<title id=" in html and chart.title.split(":")[0] in html
    assert html.count("stroke-dasharray") >= len(charts)  # one dashed aimline per chart
    assert html.count("Chart as a table: ") >= len(charts)


def test_the_weeks_next_steps_name_students_whose_signal_changed(large: ReportInputs) -> None:
    reports = build_reports(large, GENERATED_AT)
    teacher = next(r for r in reports if r.kind == "teacher" and _progress(r)[0])
    steps = [row[1] for row in teacher.section("next_steps").table.rows]  # type: ignore[union-attr]
    assert any("below the aimline since" in step for step in steps)
    # a week later than the change, nothing is news
    later = replace(
        large,
        progress_goal=large.progress_goal.set_column(  # type: ignore[union-attr]
            large.progress_goal.column_names.index("signal_since"),  # type: ignore[union-attr]
            "signal_since",
            [[large.week_start.replace(day=1)] * large.progress_goal.num_rows],  # type: ignore[union-attr]
        ),
    )
    teacher = next(r for r in build_reports(later, GENERATED_AT) if r.target == teacher.target)
    steps = [row[1] for row in teacher.section("next_steps").table.rows]  # type: ignore[union-attr]
    assert not any("aimline since" in step for step in steps)


def _points_by_filtering(inputs: ReportInputs, goal: dict) -> list[tuple]:
    """A goal's chart points found the direct way, by filtering the district's whole points table (what
    each report did before the night's index): after the baseline through the evaluation, by day, a
    mastery goal's own skill (or none)."""
    points = inputs.progress_point
    assert points is not None
    own = points.filter(
        pc.and_(
            pc.equal(points["person_source_id"], goal["person_source_id"]),
            pc.equal(points["measure"], goal["measure"]),
        )
    )
    own = own.filter(
        pc.and_(
            pc.greater(own["observed_on"], pa.scalar(goal["baseline_date"], pa.date32())),
            pc.less_equal(own["observed_on"], pa.scalar(goal["evaluated_on"], pa.date32())),
        )
    ).sort_by("observed_on")
    if goal["measure"] == "mastery_check" and goal["canonical_domain"]:
        domains = own["canonical_domain"]
        own = own.filter(pc.or_kleene(pc.is_null(domains), pc.equal(domains, goal["canonical_domain"])))
    return list(zip(own["observed_on"].to_pylist(), own["score"].to_pylist(), strict=True))


def test_each_chart_shows_exactly_its_goals_points(large: ReportInputs) -> None:
    # the points shuffled, so that the night's index cannot lean on the table's order
    points = large.progress_point
    assert points is not None and points.num_rows
    shuffled = replace(large, progress_point=points.take(pa.array(range(points.num_rows - 1, -1, -1))))
    names = directory(large, {})
    goals = {
        (
            names.person(goal["person_source_id"]),
            goal["baseline_date"],
            goal["goal_date"],
            goal["goal_score"],
        ): goal
        for goal in large.progress_goal.to_pylist()  # type: ignore[union-attr]
    }
    charted = 0
    for report in build_reports(shuffled, GENERATED_AT):
        for row, chart in zip(*_progress(report), strict=True) if report.kind in ("tutor", "teacher") else ():
            goal = goals[(row[0], chart.baseline[0], *chart.goal)]
            assert list(chart.points) == _points_by_filtering(shuffled, goal)
            charted += bool(chart.points)
    assert charted >= len(goals)  # every goal charted (on its tutor's page and its class's), with points


def _on_track_with_trend(
    inputs: ReportInputs, points: int, short: float, steeper: float = 0.0
) -> ReportInputs:
    """Every goal on track by the rule, with ``points`` points and a trend ``steeper`` than the aimline
    that ends ``short`` of the goal on its date."""
    goals = inputs.progress_goal
    assert goals is not None
    for name, values in (("signal", pa.array(["on_track"] * goals.num_rows)),
                         ("points", pa.array([points] * goals.num_rows, goals.schema.field("points").type)),
                         ("rate_of_improvement", pc.add(goals["aimline_per_week"], steeper)),
                         ("trend_at_goal", pc.subtract(goals["goal_score"], short))):  # fmt: skip
        goals = goals.set_column(goals.column_names.index(name), name, values)
    return replace(inputs, progress_goal=goals)


def _tutor(inputs: ReportInputs) -> AlignmentReport:
    return next(r for r in build_reports(inputs, GENERATED_AT) if r.kind == "tutor" and _progress(r)[0])


def test_an_on_track_placement_whose_trend_falls_short_of_the_goal_says_so(large: ReportInputs) -> None:
    def signals(inputs: ReportInputs) -> set[str]:
        rows, charts = _progress(_tutor(inputs))
        assert all(TREND_BELOW in chart.title for chart in charts) == all(
            TREND_BELOW in row[-1] for row in rows
        )
        return {row[-1].split(" since ")[0].split(":")[0] for row in rows}

    assert signals(_on_track_with_trend(large, TREND_POINTS, 2.0)) == {TREND_BELOW.split(":")[0]}
    # as steep as the aimline, or steeper, but under it all the way: it never reaches the goal
    assert signals(_on_track_with_trend(large, TREND_POINTS, 2.0, steeper=1.0)) == {TREND_BELOW.split(":")[0]}
    assert signals(_on_track_with_trend(large, TREND_POINTS, 0.0)) == {"on track"}  # reaches the goal


def test_below_a_readable_trend_no_trend_is_drawn_and_the_latest_point_is_read(large: ReportInputs) -> None:
    """With fewer points than a trend needs, the chart draws no trend line and says none, and an "on track"
    by the rule reads as such only where the latest point is not below the aimline: the words and the
    chart tell one story."""
    few, enough = (
        _tutor(_on_track_with_trend(large, points, 2.0)) for points in (TREND_POINTS - 1, TREND_POINTS)
    )
    rows, charts = _progress(few)
    below = []
    for row, chart in zip(rows, charts, strict=True):
        assert chart.trend is None and "no trend yet" in chart.description
        assert row[5].startswith(f"not yet: a trend needs {TREND_POINTS} points")
        day, score = chart.points[-1]
        below.append(score < chart.aimline_at(day))
        words = LATEST_BELOW if below[-1] else "on track since"
        assert row[-1].startswith(words) and words.split(" since")[0] in chart.title
    assert any(below) and not all(below)  # the fixture's flat checks fall behind, the others keep up
    pages = [render(report, ["text/html"])[0].body.decode() for report in (few, enough)]
    assert [page.count(TREND_LINE) for page in pages] == [0, len(charts)]
    assert [page.count(">trend</text>") for page in pages] == [0, len(charts)]  # the legend names no line


def test_a_readable_trend_is_drawn_on_to_where_it_would_be_by_the_goals_date(large: ReportInputs) -> None:
    report = _tutor(_on_track_with_trend(large, TREND_POINTS, 3.0))
    _, charts = _progress(report)
    html = render(report, ["text/html"])[0].body.decode()
    for chart in charts:
        assert chart.trend is not None and chart.trend_at(chart.goal[0]) == chart.trend[1]
        assert "reaching" in chart.description
        [(day, _, score, _)] = [row for row in chart.table().rows if row[1].startswith("trend")]
        assert (day, score) == (chart.goal[0], f"{chart.trend[1]:.1f}".removesuffix(".0") + " % correct")
    ongoing = sum(chart.points[-1][0] < chart.goal[0] for chart in charts)
    assert (
        ongoing and html.count(f'stroke="{SERIES[1]}" stroke-width="2" stroke-dasharray="2 3"/>') == ongoing
    )


def test_a_goal_stored_before_its_trend_was_kept_reads_as_one_without_a_trend(large: ReportInputs) -> None:
    """A warehouse migrated to keep ``trend_at_goal`` holds goals without it until the progress step runs
    again: a page built from them reads them as goals whose trend is not yet readable, and fails on none."""
    inputs = _on_track_with_trend(large, TREND_POINTS + 2, 5.0)
    goals = inputs.progress_goal
    assert goals is not None
    unset = pa.nulls(goals.num_rows, pa.float64())
    stored = replace(
        inputs,
        progress_goal=goals.set_column(goals.column_names.index("trend_at_goal"), "trend_at_goal", unset),
    )
    rows, charts = _progress(_tutor(stored))
    assert rows and all(chart.trend is None for chart in charts)
    assert not any(TREND_BELOW in row[-1] for row in rows)


def test_a_trend_projected_far_past_the_scale_is_cut_at_the_plots_edge(large: ReportInputs) -> None:
    """A trend falling 500 points short of the goal would end far below 0 % correct: its dotted line stops
    at the plot's edge and the scale stays the points' and the goal's."""
    page = render(_tutor(_on_track_with_trend(large, TREND_POINTS, 500.0)), ["text/html"])[0].body.decode()
    ends = [
        float(y2)
        for y2 in re.findall(r'y2="([-\d.]+)" stroke="[^"]+" stroke-width="2" stroke-dasharray', page)
    ]
    assert ends and all(PLOT_TOP <= y2 <= PLOT_TOP + PLOT_HEIGHT for y2 in ends)
    labels = [int(value) for value in re.findall(r'text-anchor="end"[^>]*>(-?\d+)</text>', page)]
    assert labels and min(labels) >= 0  # no score below 0 % correct on the axis


def test_the_book_finds_each_students_points_by_day_keeping_a_days_order() -> None:
    """The book groups points by student and measure in whatever order (not the ids'), each group by day;
    two points of one day stay in the table's order, and a point missing a key is nobody's."""
    day = date(2026, 3, 2)
    points = pa.table(
        {
            "person_source_id": ["stu-b", "stu-a", "stu-b", "stu-b", "stu-a", None, "stu-b"],
            "measure": [
                "mastery_check",
                "mastery_check",
                "orf",
                "mastery_check",
                "mastery_check",
                "orf",
                "orf",
            ],
            "observed_on": [day + timedelta(days=n) for n in (3, 1, 0, 3, 0, 0, 0)],
            "score": [70.0, 40.0, 55.0, 75.0, 30.0, 99.0, 57.0],
            "canonical_domain": ["fractions", None, None, "ratios", None, None, None],
        }
    )
    book = progress_book(None, points)
    assert book.points is not None and len(book.spans) == 3

    def group(student: str, measure: str, domain: str | None = None) -> list[tuple]:
        offset, length = book.spans[(student, measure)]
        return book.points.observed(offset, offset + length, domain)  # type: ignore[union-attr]

    assert group("stu-a", "mastery_check") == [(day, 30.0), (day + timedelta(days=1), 40.0)]
    assert group("stu-b", "mastery_check") == [
        (day + timedelta(days=3), 70.0),
        (day + timedelta(days=3), 75.0),
    ]
    assert group("stu-b", "mastery_check", "ratios") == [(day + timedelta(days=3), 75.0)]
    assert group("stu-b", "orf") == [(day, 55.0), (day, 57.0)]
