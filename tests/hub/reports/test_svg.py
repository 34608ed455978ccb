"""A progress chart's drawing, against coordinates worked by hand: the plot is 296 x 150 units from (48, 34),
dates scale from the baseline to the later of the goal's date and the last point, scores from the lowest
to the highest of baseline, goal and points, widened by 8 % of their range each way (a flat chart by
1 each way first), and every coordinate is written to one decimal."""

from __future__ import annotations

import re
from datetime import date, timedelta

from hub.reports.charts import ProgressChart
from hub.reports.svg import SERIES, progress_chart

START = date(2026, 1, 5)


def _chart(
    baseline: float,
    goal: tuple[int, float],
    points: list[tuple[int, float]],
    trend: tuple[float, float] | None = None,
    unit: str = "% correct",
) -> ProgressChart:
    """A chart whose days are given as days after ``START``."""
    return ProgressChart(
        title="Ann <B>: mastery checks, on track",
        description="a & b",
        unit=unit,
        baseline=(START, baseline),
        goal=(START + timedelta(days=goal[0]), goal[1]),
        points=tuple((START + timedelta(days=day), score) for day, score in points),
        trend=trend,
    )


def _circles(svg: str) -> list[tuple[str, str]]:
    return re.findall(r'<circle cx="([-\d.]+)" cy="([-\d.]+)" r="3.5"', svg)


def _aimline(svg: str) -> tuple[str, ...]:
    [line] = re.findall(r'<line x1="(\S+)" y1="(\S+)" x2="(\S+)" y2="(\S+)" [^>]*dasharray="5 4"', svg)
    return line


def _goal_mark(svg: str) -> tuple[str, str]:
    [mark] = re.findall(r'<rect x="(\S+)" y="(\S+)" width="8.0" height="8.0"', svg)
    return mark


def _labels(svg: str) -> list[tuple[str, str, str]]:
    """(x, y, text) of the scale's and the dates' labels, in order."""
    return re.findall(r'<text x="(\S+)" y="(\S+)" font-size="10" [^>]*>([^<]*)</text>', svg)


def test_a_chart_of_its_baseline_alone_spans_baseline_to_goal() -> None:
    # days 0..28 over 296 units; scores 50..80 widened by 2.4 each way: 47.6..82.4 over 150 units
    svg = progress_chart(_chart(50.0, (28, 80.0), []), "chart1")
    assert _circles(svg) == [("48.0", "173.7")]  # 34 + 150 * 32.4 / 34.8 = 173.66
    assert _aimline(svg) == ("48.0", "173.7", "344.0", "44.3")  # 34 + 150 * 2.4 / 34.8 = 44.34
    assert _goal_mark(svg) == ("340.0", "40.3")
    assert _labels(svg) == [
        ("44.0", "48.3", "80"),
        ("44.0", "177.7", "50"),
        ("48.0", "198.0", "Jan 05"),
        ("344.0", "198.0", "Feb 02"),
        ("8.0", "214.0", "Scale: % correct"),
    ]
    assert 'viewBox="0 0 360 220"' in svg
    assert '<title id="chart1-title">Ann &lt;B&gt;: mastery checks, on track</title>' in svg
    assert '<desc id="chart1-desc">a &amp; b</desc>' in svg


def test_points_fall_between_the_baseline_and_the_goal_and_round_to_a_tenth() -> None:
    # days 0..20 over 296 units (14.8 a day); scores 40..90 widened by 4: 36..94 over 150 units
    svg = progress_chart(_chart(40.0, (20, 90.0), [(5, 55.0), (10, 61.5), (15, 90.0)]), "chart2")
    assert _circles(svg) == [
        ("48.0", "173.7"),  # 34 + 150 * 54 / 58 = 173.655
        ("122.0", "134.9"),  # 48 + 14.8 * 5; 34 + 150 * 39 / 58 = 134.862
        ("196.0", "118.1"),  # 34 + 150 * 32.5 / 58 = 118.052
        ("270.0", "44.3"),  # 34 + 150 * 4 / 58 = 44.345
    ]
    assert _aimline(svg) == ("48.0", "173.7", "344.0", "44.3")


def test_a_flat_line_is_drawn_across_the_middle_of_a_scale_widened_by_one_each_way() -> None:
    # all 60: the scale 59..61, widened by 0.16 each way: 58.84..61.16, 60 halfway down
    svg = progress_chart(_chart(60.0, (14, 60.0), [(7, 60.0), (14, 60.0)]), "chart3")
    assert _circles(svg) == [("48.0", "109.0"), ("196.0", "109.0"), ("344.0", "109.0")]
    assert _aimline(svg) == ("48.0", "109.0", "344.0", "109.0")
    assert [label[2] for label in _labels(svg)[:2]] == ["61", "59"]


def test_points_past_the_goals_date_stretch_the_dates_to_the_last_point() -> None:
    # the goal on day 10, the last point on day 40: days 0..40 over 296 units (7.4 a day)
    svg = progress_chart(_chart(50.0, (10, 70.0), [(20, 60.0), (40, 75.0)]), "chart4")
    assert [cx for cx, _ in _circles(svg)] == ["48.0", "196.0", "344.0"]
    assert _aimline(svg)[2] == "122.0"  # 48 + 7.4 * 10
    assert _labels(svg)[3] == ("344.0", "198.0", "Feb 14")


def test_scores_beyond_0_to_100_widen_the_scale_rather_than_leave_it() -> None:
    # -10..120 widened by 10.4 each way: -20.4..130.4 over 150 units
    svg = progress_chart(_chart(-10.0, (7, 120.0), [(7, 0.0)], unit=""), "chart5")
    assert _circles(svg) == [("48.0", "173.7"), ("344.0", "163.7")]  # 34 + 150 * 130.4 / 150.8 = 163.71
    assert _goal_mark(svg) == ("340.0", "40.3")  # 34 + 150 * 10.4 / 150.8 = 44.34, less 4
    assert [label[2] for label in _labels(svg)] == ["120", "-10", "Jan 05", "Jan 12", "Scale: score"]


def test_a_trend_is_solid_through_the_points_and_dotted_on_to_the_goals_date() -> None:
    # days 0..28 (296 / 28 a day), scores 40..80 widened by 3.2: 36.8..83.2 over 150 units; the trend 2 a
    # week reaching 70 on day 28: 62 on day 0, 64 on day 7, 66 on day 14
    chart = _chart(40.0, (28, 80.0), [(7, 60.0), (14, 65.0)], trend=(2.0, 70.0))
    svg = progress_chart(chart, "chart6")
    solid = f'stroke="{SERIES[1]}" stroke-width="2"/>'
    dotted = f'stroke="{SERIES[1]}" stroke-width="2" stroke-dasharray="2 3"/>'
    assert f'<line x1="48.0" y1="102.5" x2="196.0" y2="89.6" {solid}' in svg  # 34 + 150 * 21.2 / 46.4
    assert f'<line x1="196.0" y1="89.6" x2="344.0" y2="76.7" {dotted}' in svg  # 34 + 150 * 13.2 / 46.4
    assert ">trend</text>" in svg


def test_the_charts_table_gives_each_point_beside_the_aimline_on_its_day() -> None:
    # the aimline from 50 on day 0 to 80 on day 28: 57.5 on day 7, 65 on day 14, 87.5 on day 35 (past the
    # goal's date, the line goes on); 65.25 is written to a tenth as 65.2 (an exact half: to even)
    chart = _chart(50.0, (28, 80.0), [(7, 60.0), (14, 65.25), (35, 90.0)], trend=(2.0, 70.0))
    assert chart.table().rows == (
        (START, "baseline", "50 % correct", "start"),
        (START + timedelta(days=7), "observed", "60 % correct", "57.5 % correct"),
        (START + timedelta(days=14), "observed", "65.2 % correct", "65 % correct"),
        (START + timedelta(days=35), "observed", "90 % correct", "87.5 % correct"),
        (START + timedelta(days=28), "trend by the goal's date", "70 % correct", "end"),
        (START + timedelta(days=28), "goal", "80 % correct", "end"),
    )
    # a goal set for the baseline's own day: a span of one day, not zero; no unit, no space
    same_day = _chart(50.0, (0, 80.0), [(0, 60.0), (1, 61.0)], unit="")
    assert [row[2:] for row in same_day.table().rows[1:3]] == [("60", "50"), ("61", "80")]
