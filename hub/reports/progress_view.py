"""The "Progress toward goals" section of tutor and teacher reports: each student's goal and signal, with a
chart of their points, aimline and trend (its table is the chart's text alternative)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from operator import attrgetter
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.progress.policy import NO_TREND, is_rule_words, readable_trend, signal_words
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


@dataclass(frozen=True, slots=True)
class _Goal:
    row: dict[str, Any]
    shown_at: int
    """Its place in the section's order (student, then subject)."""
    listed_at: int
    """Its place in the next steps' order (student)."""


@dataclass(frozen=True, slots=True)
class Points:
    """The points of a known student and measure, sorted by student, measure and day (a stable sort: points
    of one day keep the table's order), as arrays: a goal's chart slices its own out of them without a
    table of its own (a slice and three conversions per goal were a fifth of building the reports)."""

    days: np.ndarray
    """Days since 1970-01-01."""
    scores: np.ndarray
    missing: np.ndarray | None
    """Where a score is null, if any is."""
    domains: np.ndarray
    """Index into ``domain_names``; -1 for a point that names no skill."""
    domain_names: list[str]

    def observed(self, start: int, end: int, domain: str | None) -> list[tuple[date, float | None]]:
        """(day, score) of rows ``start`` to ``end``; with ``domain``, its points and those of no skill."""
        days = [_day(day) for day in self.days[start:end].tolist()]
        scores = self.scores[start:end].tolist()
        if self.missing is not None:
            scores = [
                None if gone else score for score, gone in zip(scores, self.missing[start:end], strict=True)
            ]
        if domain is None:
            return list(zip(days, scores, strict=True))
        code = self.domain_names.index(domain) if domain in self.domain_names else -2
        kept = self.domains[start:end].tolist()
        return [
            (day, score) for day, score, mine in zip(days, scores, kept, strict=True) if mine in (-1, code)
        ]


EPOCH = date(1970, 1, 1)


@cache
def _day(number: int) -> date:
    return EPOCH + timedelta(days=number)


@cache
def _day_text(day: date) -> str:
    """A day as the section writes it, formatted once a night (a goal's row and chart name two or three,
    and a night's goals share a few dozen)."""
    return f"{day:%Y-%m-%d}"


@dataclass(frozen=True, slots=True)
class ProgressBook:
    """The night's goals and points, indexed once so that each report looks up its own students' instead
    of scanning the district's tables (which made the reports step quadratic in the district's size)."""

    goals: dict[tuple[str | None, str | None], list[_Goal]] | None
    """(student, group) -> its goals; None when the night has no goal table at all."""
    points: Points | None
    spans: dict[tuple[str, str], tuple[int, int]]
    """(student, measure) -> its rows of ``points`` (offset, length)."""

    def goals_of(self, placements: Iterable[tuple[str, str]], order: str) -> list[dict[str, Any]]:
        """The goals of ``placements``, in ``order``: the section's (``shown_at``) or the next steps'."""
        found = [goal for key in set(placements) for goal in (self.goals or {}).get(key, ())]
        return [goal.row for goal in sorted(found, key=attrgetter(order))]


def progress_book(goals: pa.Table | None, points: pa.Table | None) -> ProgressBook:
    """Goals grouped by (student, group) and points by (student, measure), in one pass each."""
    return ProgressBook(_goals_by_placement(goals), *_points_by_measure(points))


def _goals_by_placement(goals: pa.Table | None) -> dict[tuple[str | None, str | None], list[_Goal]] | None:
    if goals is None:
        return None
    by_key: dict[tuple[str | None, str | None], list[_Goal]] = defaultdict(list)
    shown = pc.sort_indices(goals, [("person_source_id", "ascending"), ("subject", "ascending")])
    listed = pc.sort_indices(goals, [("person_source_id", "ascending")])
    shown_at = dict(zip(shown.to_pylist(), range(len(shown)), strict=True))
    for position, (index, row) in enumerate(
        zip(listed.to_pylist(), goals.take(listed).to_pylist(), strict=True)
    ):
        key = (row["person_source_id"], row["group_source_id"])
        by_key[key].append(_Goal(row, shown_at[index], position))
    return by_key


def _points_by_measure(
    points: pa.Table | None,
) -> tuple[Points | None, dict[tuple[str, str], tuple[int, int]]]:
    """The points grouped by (student, measure), each group by day, and where each group lies. The groups
    go in their codes' order (first seen), not their ids': sorting 1.6 M points on two text columns was
    most of the book's cost, and a group is only ever looked up, never walked in order."""
    if points is None or not points.num_rows:
        return None, {}
    known = pc.and_(
        pc.and_(pc.is_valid(points["person_source_id"]), pc.is_valid(points["measure"])),
        pc.is_valid(points["observed_on"]),
    )
    kept = points.filter(known)
    person = pc.dictionary_encode(kept["person_source_id"].combine_chunks())
    measure = pc.dictionary_encode(kept["measure"].combine_chunks())
    keys = pa.table({"person": person.indices, "measure": measure.indices, "day": kept["observed_on"]})
    # a stable sort, as Table.sort_by's: points of one day keep the table's order
    order = pc.sort_indices(keys, [("person", "ascending"), ("measure", "ascending"), ("day", "ascending")])
    ordered = kept.select(["observed_on", "score", "canonical_domain"]).take(order)  # the ids: as codes
    people = person.indices.take(order).to_numpy()
    measures = measure.indices.take(order).to_numpy()
    starts = np.flatnonzero(
        np.concatenate([[True], (people[1:] != people[:-1]) | (measures[1:] != measures[:-1])])
    )
    ends = [*starts[1:].tolist(), ordered.num_rows]
    person_ids, measure_names = person.dictionary.to_pylist(), measure.dictionary.to_pylist()
    spans = {
        (person_ids[person_code], measure_names[measure_code]): (start, end - start)
        for person_code, measure_code, start, end in zip(
            people[starts].tolist(), measures[starts].tolist(), starts.tolist(), ends, strict=True
        )
    }
    score = ordered["score"]
    domains = pc.dictionary_encode(ordered["canonical_domain"].combine_chunks())
    return Points(
        days=ordered["observed_on"].cast(pa.date32()).cast(pa.int32()).to_numpy(),
        scores=(pc.fill_null(score, 0) if score.null_count else score).to_numpy(),
        missing=score.is_null().to_numpy(zero_copy_only=False) if score.null_count else None,
        domains=pc.fill_null(domains.indices, -1).to_numpy(),
        domain_names=domains.dictionary.to_pylist(),
    ), spans


def progress_section(
    book: ProgressBook, names: Directory, placements: Iterable[tuple[str, str]], nobody: str
) -> Section:
    """One row and one chart per (student, group) of ``placements`` that has a goal tonight; ``nobody`` is
    what the page says when it lists no tutored student (the page's own words for that)."""
    wanted = set(placements)
    if book.goals is None or not wanted:
        return Section("progress", "Progress toward goals", empty=nobody)
    empty = "No goal set yet: goals are set once a tutored student has a baseline."
    if not book.goals:
        return Section("progress", "Progress toward goals", empty=empty)
    rows, charts = [], []
    # one row per student the page lists anyway: a handful per tutor or class (a goal of no student or no
    # group is nobody's row)
    for goal in book.goals_of([key for key in wanted if None not in key], "shown_at"):
        student = names.person(goal["person_source_id"])
        what, unit = measure_text(goal["measure"])
        rate, signal = readable_trend(goal), signal_words(goal)
        per_week = f"{rate:+.1f} {unit} a week".replace("  ", " ") if rate is not None else ""
        rate_text = per_week or f"not yet: {NO_TREND}"
        rows.append(
            (
                student,
                label(goal["canonical_domain"]) if goal["canonical_domain"] else "the subject",
                what,
                goal["goal_basis"],
                goal["points"],
                f"{rate_text} (n = {goal['points']}); aimline {goal['aimline_per_week']:+.1f}",
                f"{_since(goal, signal)}: {goal['signal_reason']}",
            )
        )
        charts.append(_chart(goal, book, student, what, unit, signal))
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


def _since(goal: dict[str, Any], signal: str) -> str:
    """The signal and the night it took hold; words read from the points stand alone (no such night)."""
    return f"{signal} since {_day_text(goal['signal_since'])}" if is_rule_words(goal, signal) else signal


def _observed(goal: dict[str, Any], book: ProgressBook) -> list[tuple[date, float | None]]:
    """The goal's points after its baseline through the night it was evaluated, by day; a mastery goal on
    one skill keeps that skill's checks (and those that name no skill)."""
    offset, length = book.spans.get((goal["person_source_id"], goal["measure"]), (0, 0))
    after, through = goal["baseline_date"], goal["evaluated_on"]
    if not length or after is None or through is None or book.points is None:
        return []
    days = book.points.days[offset : offset + length]
    first, last = np.searchsorted(days, [(after - EPOCH).days, (through - EPOCH).days], side="right").tolist()
    domain = goal["canonical_domain"]
    mastery = goal["measure"] == "mastery_check" and domain
    return book.points.observed(offset + first, offset + last, domain if mastery else None)


def _chart(
    goal: dict[str, Any], book: ProgressBook, student: str, what: str, unit: str, signal: str
) -> ProgressChart:
    observed = _observed(goal, book)
    rate = readable_trend(goal)
    trend = (
        f"no trend yet ({NO_TREND})"
        if rate is None
        else f"trend {rate:+.1f} a week, reaching {goal['trend_at_goal']:.0f} by the goal's date"
    )
    return ProgressChart(
        title=f"{student}: {what}, {signal}",
        description=(
            f"{len(observed)} point(s) after a baseline of {goal['baseline_score']:.0f} on "
            f"{_day_text(goal['baseline_date'])}; goal {goal['goal_score']:.0f} by "
            f"{_day_text(goal['goal_date'])}; {trend}; {signal}."
        ),
        unit=unit,
        baseline=(goal["baseline_date"], goal["baseline_score"]),
        goal=(goal["goal_date"], goal["goal_score"]),
        points=tuple(observed),
        trend=None if rate is None else (rate, goal["trend_at_goal"]),
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
    book: ProgressBook, names: Directory, placements: Iterable[tuple[str, str]], week: tuple[date, date]
) -> list[tuple[str, str]]:
    """(group, next step) for each of ``placements`` whose signal changed between ``week``'s first and last
    day (the reported week, through the night the data is as of) to one that asks for a change."""
    changed = []
    for goal in book.goals_of(placements, "listed_at"):
        since = goal["signal_since"]
        if goal["signal"] in NEXT_STEP and since and week[0] <= since <= week[1]:
            step = NEXT_STEP[goal["signal"]].format(since=f"{since:%Y-%m-%d}")
            person = names.person(goal["person_source_id"])
            changed.append((names.group(goal["group_source_id"]), f"{person}: {step}"))
    return changed
