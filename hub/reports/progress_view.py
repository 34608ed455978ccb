"""The "Progress toward goals" section of tutor and teacher reports: each student's goal and signal, with a
chart of their points, aimline and trend (its table is the chart's text alternative)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from hub.progress.policy import SIGNAL_WORDS
from hub.reports.charts import ProgressChart
from hub.reports.directory import Directory
from hub.reports.model import Column, DataTable, Section
from hub.skills import label

MEASURE_WORDS = {"mastery_check": ("mastery checks", "% correct"), "iready_scale": ("i-Ready", "scale score")}


def measure_text(measure: str) -> tuple[str, str]:
    """What a measure is called in a report, and its unit."""
    if measure in MEASURE_WORDS:
        return MEASURE_WORDS[measure]
    if measure.startswith("nwea_map_rit"):
        course = measure.removeprefix("nwea_map_rit").strip("_").replace("_", " ").title()
        return f"MAP Growth {course}".strip(), "RIT"
    return measure, ""


def progress_section(
    goals: pa.Table | None,
    points: pa.Table | None,
    names: Directory,
    placements: Iterable[tuple[str, str]],
    nobody: str,
) -> Section:
    """One row and one chart per (student, group) of ``placements`` that has a goal tonight; ``nobody`` is
    what the page says when it lists no tutored student (the page's own words for that)."""
    wanted = {f"{person}\x1f{group}" for person, group in placements}
    if goals is None or not wanted:
        return Section("progress", "Progress toward goals", empty=nobody)
    empty = "No goal set yet: goals are set once a tutored student has a baseline."
    if not goals.num_rows:
        return Section("progress", "Progress toward goals", empty=empty)
    keys = pc.binary_join_element_wise(goals["person_source_id"], goals["group_source_id"], "\x1f")
    mine = goals.filter(pc.is_in(keys, value_set=pa.array(sorted(wanted), pa.string())))
    mine = mine.sort_by([("person_source_id", "ascending"), ("subject", "ascending")])
    rows, charts = [], []
    # one row per student the page lists anyway: a handful per tutor or class
    for goal in mine.to_pylist():
        student = names.person(goal["person_source_id"])
        what, unit = measure_text(goal["measure"])
        signal = SIGNAL_WORDS.get(goal["signal"], goal["signal"])
        rate = goal["rate_of_improvement"]
        rate_text = "not yet (one point)" if rate is None else f"{rate:+.1f} {unit} a week".replace("  ", " ")
        rows.append(
            (
                student,
                label(goal["canonical_domain"]) if goal["canonical_domain"] else "the subject",
                what,
                goal["goal_basis"],
                goal["points"],
                f"{rate_text} (n = {goal['points']}); aimline {goal['aimline_per_week']:+.1f}",
                f"{signal} since {goal['signal_since']:%Y-%m-%d}: {goal['signal_reason']}",
            )
        )
        charts.append(_chart(goal, points, student, what, unit, signal))
    table = DataTable(
        (
            Column("student", "Student"),
            Column("skill", "Skill"),
            Column("measure", "Measure"),
            Column("goal", "Goal"),
            Column("points", "Points"),
            Column("rate", "Rate of improvement a week"),
            Column("signal", "Signal"),
        ),
        tuple(rows),
    )
    return Section("progress", "Progress toward goals", table, charts=tuple(charts), empty=empty)


def _chart(
    goal: dict, points: pa.Table | None, student: str, what: str, unit: str, signal: str
) -> ProgressChart:
    observed: list[tuple] = []
    if points is not None and points.num_rows:
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
        observed = list(zip(own["observed_on"].to_pylist(), own["score"].to_pylist(), strict=True))
    rate = goal["rate_of_improvement"]
    trend = "no trend yet" if rate is None else f"trend {rate:+.1f} a week"
    return ProgressChart(
        title=f"{student}: {what}, {signal}",
        description=(
            f"{len(observed)} point(s) after a baseline of {goal['baseline_score']:.0f} on "
            f"{goal['baseline_date']:%Y-%m-%d}; goal {goal['goal_score']:.0f} by "
            f"{goal['goal_date']:%Y-%m-%d}; {trend}; {signal}."
        ),
        unit=unit,
        baseline=(goal["baseline_date"], goal["baseline_score"]),
        goal=(goal["goal_date"], goal["goal_score"]),
        points=tuple(observed),
        trend_per_week=rate,
    )


NEXT_STEP = {
    "adjust": "below the aimline since {since}: adjust the plan (reteach the skill, more practice, check "
    "attendance)",
    "raise_goal": "above the aimline since {since}: raise the goal, or consider exit at the next boundary",
}
"""What a changed signal asks of the tutor and teacher, in the pulse's next steps. Only the signals that
ask for a change are news: "on track" and "too few points" ask nothing (and on a district's first night
every signal is new)."""


def signal_changes(
    goals: pa.Table | None,
    names: Directory,
    placements: Iterable[tuple[str, str]],
    week: tuple[date, date],
) -> list[tuple[str, str]]:
    """(group, next step) for each of ``placements`` whose signal changed between ``week``'s first and last
    day (the reported week, through the night the data is as of) to one that asks for a change."""
    if goals is None or not goals.num_rows:
        return []
    wanted = set(placements)
    changed = []
    for goal in goals.sort_by("person_source_id").to_pylist():
        since = goal["signal_since"]
        key = (goal["person_source_id"], goal["group_source_id"])
        if key in wanted and goal["signal"] in NEXT_STEP and since and week[0] <= since <= week[1]:
            step = NEXT_STEP[goal["signal"]].format(since=f"{since:%Y-%m-%d}")
            changed.append((names.group(goal["group_source_id"]), f"{names.person(key[0])}: {step}"))
    return changed
