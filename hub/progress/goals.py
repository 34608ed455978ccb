"""Each open placement's goal, aimline, points, rate of improvement and signal, as of one night.

A placement is monitored on one measure, the first of these with points since the student entered:

1. a curriculum-based measure from the district's progress CSV in the placement's subject (on its
   targeted skill, or on none) for which the district set a goal: the district's goal;
2. the tutors' mastery checks on the targeted skill (or on several skills of the subject): the goal is
   ``mastery_goal_percent`` correct (grade-level mastery of the skill) by the end of the cycle;
3. the diagnostic's own scale, from the test the student entered on: the vendor's typical growth,
   prorated to the weeks from that test to the end of the cycle.

The baseline is the last point before the start of the current stretch (the later of entry and the
cycle's start; the entry test for the diagnostic's scale), else the first point of the stretch; the aimline
runs from the baseline to the goal at the cycle's end. The rule reads the points after the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.model import arrow_schema, conform
from hub.progress.points import PREFIX
from hub.progress.policy import ADJUST, ON_TRACK, RAISE_GOAL, TOO_FEW_POINTS, ProgressPolicy
from hub.progress.trend import least_squares_per_week
from hub.skills import label

MASTERY = "mastery_check"
CSV_SOURCE = "progress_csv"
VENDOR_NAMES = {"iready": "i-Ready", "nwea_map": "MAP Growth"}


@dataclass(frozen=True, slots=True)
class Series:
    """One student's points on one measure, in date order (numpy arrays of equal length)."""

    measure: str
    ids: np.ndarray
    days: np.ndarray  # date ordinals
    scores: np.ndarray
    goals: np.ndarray  # nan where the source set none

    def take(self, rows: np.ndarray | slice) -> Series:
        return Series(self.measure, self.ids[rows], self.days[rows], self.scores[rows], self.goals[rows])


def open_placements(memberships: pa.Table, groups: pa.Table, as_of: date) -> pa.Table:
    """Memberships open on ``as_of``, with their group's school and targeted domain."""
    day = pa.scalar(as_of, pa.date32())
    open_rows = memberships.filter(
        pc.and_(
            pc.less_equal(memberships["entry_date"], day),
            pc.or_kleene(pc.is_null(memberships["exit_date"]), pc.greater(memberships["exit_date"], day)),
        )
    )
    return open_rows.join(
        groups.select(["source_id", "school_source_id", "canonical_domain", "cycle_source_id"]),
        "group_source_id",
        right_keys="source_id",
        join_type="left outer",
    )


def current_cycle(cycles: pa.Table, as_of: date) -> dict | None:
    holding = [row for row in cycles.to_pylist() if row["start_date"] <= as_of <= row["end_date"]]
    return holding[0] if holding else None


def monitor(
    memberships: pa.Table,
    groups: pa.Table,
    cycles: pa.Table,
    points: pa.Table,
    results: pa.Table,
    previous: pa.Table,
    policy: ProgressPolicy,
    as_of: date,
) -> pa.Table:
    """``progress_goal`` rows for the placements open on ``as_of``; ``previous`` are last night's rows,
    whose ``signal_since`` is kept where the signal did not change.

    One pass over the placements (a few per tutored student), each reading numpy slices of its student's
    points: the work per placement is a handful of array operations, not a row loop.
    """
    placements = open_placements(memberships, groups, as_of)
    cycle = current_cycle(cycles, as_of)
    cycle_ends = dict(zip(cycles["source_id"].to_pylist(), cycles["end_date"].to_pylist(), strict=True))
    points = points.filter(pc.less_equal(points["observed_on"], pa.scalar(as_of, pa.date32())))
    by_person = _points_by_person(points)
    tests = {row["source_id"]: row for row in results.to_pylist()}
    before = {
        row["source_id"]: (row["signal"], row["signal_since"])
        for row in previous.select(["source_id", "signal", "signal_since"]).to_pylist()
    }
    rows = []
    for placement in placements.to_pylist():
        cycle_id = cycle["source_id"] if cycle else placement["cycle_source_id"]
        goal_date = cycle["end_date"] if cycle else cycle_ends.get(cycle_id, as_of)
        stretch = max(
            placement["tutored_since"] or placement["entry_date"], cycle["start_date"] if cycle else as_of
        )
        row = _goal_row(
            placement,
            by_person.get(placement["person_source_id"], {}),
            tests.get(placement["entry_result_source_id"]),
            stretch,
            goal_date,
            policy,
        )
        if row is None:
            continue
        signal, since = before.get(placement["source_id"], (None, None))
        row.update(
            cycle_source_id=cycle_id,
            signal_since=since if signal == row["signal"] and since is not None else as_of,
            evaluated_on=as_of,
        )
        rows.append(row)
    return conform("progress_goal", pa.Table.from_pylist(rows) if rows else _empty())


def _empty() -> pa.Table:
    return arrow_schema("progress_goal").empty_table()


KEYS = ["person_source_id", "source", "subject", "canonical_domain", "measure"]
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _points_by_person(points: pa.Table) -> dict[str, dict[tuple, Series]]:
    """person -> (source, subject, domain, measure) -> Series, sorted by date.

    One sort and one pass over the boundaries between series (not over the points): a series is a slice
    of the sorted columns, held as numpy views.
    """
    points = points.sort_by([(key, "ascending") for key in KEYS] + [("observed_on", "ascending")])
    rows = points.num_rows
    if not rows:
        return {}
    starts = np.zeros(rows, dtype=bool)
    starts[0] = True
    for key in KEYS:
        codes = pc.dictionary_encode(points[key], null_encoding="encode").combine_chunks().indices
        values = codes.to_numpy()
        starts[1:] |= values[1:] != values[:-1]
    first = np.flatnonzero(starts)
    last = np.append(first[1:], rows)
    ids = np.asarray(points["source_id"].to_pylist(), dtype=object)
    days = points["observed_on"].cast(pa.int32()).to_numpy() + EPOCH_ORDINAL
    scores = points["score"].to_numpy().astype(float)
    goals = pc.fill_null(points["goal_score"], np.nan).to_numpy().astype(float)
    everything = Series("", ids, days, scores, goals)
    by_person: dict[str, dict[tuple, Series]] = {}
    heads = points.select(KEYS).take(pa.array(first)).to_pylist()
    for head, start, end in zip(heads, first, last, strict=True):
        key = (head["source"], head["subject"], head["canonical_domain"], head["measure"])
        series = everything.take(slice(int(start), int(end)))
        by_person.setdefault(head["person_source_id"], {})[key] = Series(
            head["measure"], series.ids, series.days, series.scores, series.goals
        )
    return by_person


def _merged(series: list[Series], measure: str) -> Series | None:
    """Points of one measure from several keys (mastery checks on the skill and on several skills)."""
    if not series:
        return None
    order = np.argsort(np.concatenate([s.days for s in series]), kind="stable")
    return Series(
        measure,
        np.concatenate([s.ids for s in series])[order],
        np.concatenate([s.days for s in series])[order],
        np.concatenate([s.scores for s in series])[order],
        np.concatenate([s.goals for s in series])[order],
    )


def _since(series: Series, first_day: int) -> Series:
    keep = series.days >= first_day
    return Series(
        series.measure, series.ids[keep], series.days[keep], series.scores[keep], series.goals[keep]
    )


def _goal_row(
    placement: dict,
    series: dict[tuple, Series],
    entry_test: dict | None,
    stretch: date,
    goal_date: date,
    policy: ProgressPolicy,
) -> dict | None:
    """The placement's row, or None when it has no point at all to start an aimline from."""
    subject, domain = placement["subject"], placement["canonical_domain"]
    entered = (placement["tutored_since"] or placement["entry_date"]).toordinal()
    on_target = [
        key for key in series if key[1] == subject and (key[2] is None or key[2] == domain) and key[0]
    ]
    district = sorted(
        (_since(series[key], entered) for key in on_target if key[0] == CSV_SOURCE),
        key=lambda s: -len(s.days),
    )
    district = [s for s in district if len(s.days) and not np.isnan(series_goal(s))]
    mastery = _merged([_since(series[key], entered) for key in on_target if key[3] == MASTERY], MASTERY)
    if district:
        chosen, goal = district[0], series_goal(district[0])
        basis = f"the district's goal on {chosen.measure}: {goal:g}"
        base = _baseline_index(chosen, stretch)
    elif mastery is not None and len(mastery.days):
        chosen, base = mastery, _baseline_index(mastery, stretch)
        goal, basis = _mastery_goal(float(mastery.scores[base]), domain, goal_date, policy)
    else:
        found = _vendor_series(series, subject, entry_test)
        if found is None:
            return None
        chosen, base = found
        goal, basis = _typical_growth_goal(chosen, base, entry_test, goal_date, policy)
    return _judged(placement, chosen, base, goal, basis, goal_date, policy)


def _mastery_goal(
    baseline: float, domain: str | None, goal_date: date, policy: ProgressPolicy
) -> tuple[float, str]:
    """Grade-level mastery of the skill by the cycle's end (for a student already there too: the rule then
    reads their points above the aimline as a goal to raise)."""
    skill = label(domain) if domain else "The subject's skills"
    criterion = policy.mastery_goal_percent
    if baseline >= criterion:
        return criterion, (
            f"{skill}: {baseline:g} % correct at the baseline already meets the {criterion:g} % mastery "
            f"goal by {goal_date:%Y-%m-%d}; points staying above it say raise the goal or consider exit"
        )
    return (
        criterion,
        f"{skill} mastery checks at {criterion:g} % correct (grade-level mastery) by {goal_date:%Y-%m-%d}",
    )


def series_goal(series: Series) -> float:
    """The latest goal the source set on this series (nan when none)."""
    given = series.goals[~np.isnan(series.goals)]
    return float(given[-1]) if len(given) else float("nan")


def _baseline_index(series: Series, stretch: date) -> int:
    """The last point before the stretch's first day, else the first point."""
    before = np.flatnonzero(series.days < stretch.toordinal())
    return int(before[-1]) if len(before) else 0


def _vendor_series(series: dict[tuple, Series], subject: str, entry_test: dict | None) -> tuple | None:
    """The diagnostic scale's points from the entry test on, and the entry test's index in them."""
    if entry_test is None:
        return None
    entry_id = PREFIX + entry_test["source_id"]
    for key, found in series.items():
        if key[0] in VENDOR_NAMES and key[1] == subject and entry_id in found.ids:
            at = int(np.flatnonzero(found.ids == entry_id)[0])
            return Series(
                found.measure, found.ids[at:], found.days[at:], found.scores[at:], found.goals[at:]
            ), 0
    return None


def _typical_growth_goal(
    series: Series, base: int, entry_test: dict, goal_date: date, policy: ProgressPolicy
) -> tuple[float, str]:
    baseline = float(series.scores[base])
    vendor = VENDOR_NAMES.get(entry_test["vendor"], entry_test["vendor"])
    typical = entry_test.get("typical_growth")
    if typical is None:
        return baseline, f"{vendor} gave no typical growth for this test: the goal holds the baseline"
    weeks = max((goal_date.toordinal() - int(series.days[base])) / 7, 0.0)
    goal = baseline + typical * weeks / policy.typical_growth_weeks
    return goal, (
        f"{vendor} typical growth ({typical:g} a year) prorated to {weeks:.0f} weeks: scale {goal:.0f} "
        f"by {goal_date:%Y-%m-%d}"
    )


def _judged(
    placement: dict,
    series: Series,
    base: int,
    goal: float,
    basis: str,
    goal_date: date,
    policy: ProgressPolicy,
) -> dict:
    """The aimline from the baseline to the goal, the trend of the points, and the rule's signal."""
    baseline_day, baseline = int(series.days[base]), float(series.scores[base])
    span_days = max(goal_date.toordinal() - baseline_day, 1)
    per_day = (goal - baseline) / span_days
    observed = slice(base, None)
    slope = least_squares_per_week(series.days[observed], series.scores[observed])
    after_days, after_scores = series.days[base + 1 :], series.scores[base + 1 :]
    signal, reason = decide(after_days, after_scores, baseline_day, baseline, per_day, policy)
    return {
        "source_id": placement["source_id"],
        "membership_source_id": placement["source_id"],
        "group_source_id": placement["group_source_id"],
        "person_source_id": placement["person_source_id"],
        "subject": placement["subject"],
        "school_source_id": placement["school_source_id"],
        "canonical_domain": placement["canonical_domain"],
        "measure": series.measure,
        "goal_basis": basis,
        "baseline_date": date.fromordinal(baseline_day),
        "baseline_score": baseline,
        "goal_date": goal_date,
        "goal_score": goal,
        "aimline_per_week": per_day * 7,
        "points": len(series.days) - base,
        "latest_date": date.fromordinal(int(series.days[-1])),
        "latest_score": float(series.scores[-1]),
        "rate_of_improvement": slope,
        "signal": signal,
        "signal_reason": reason,
    }


def decide(
    days: np.ndarray,
    scores: np.ndarray,
    baseline_day: int,
    baseline: float,
    per_day: float,
    policy: ProgressPolicy,
) -> tuple[str, str]:
    """The decision rule on the points after the baseline: the last ``consecutive_points`` all below the
    aimline -> adjust, all above -> raise_goal, fewer than that many points -> too_few_points."""
    needed = policy.consecutive_points
    if len(days) < needed:
        return TOO_FEW_POINTS, f"{len(days)} point(s) since the baseline; the rule reads the last {needed}"
    last_days, last_scores = days[-needed:], scores[-needed:]
    aim = baseline + per_day * (last_days - baseline_day)
    latest = (
        f"latest {last_scores[-1]:g} on {date.fromordinal(int(last_days[-1])):%Y-%m-%d} against an aimline "
        f"of {aim[-1]:.1f}"
    )
    if np.all(last_scores < aim):
        return ADJUST, f"the last {needed} points are below the aimline ({latest})"
    if np.all(last_scores > aim):
        return RAISE_GOAL, f"the last {needed} points are above the aimline ({latest})"
    below = int(np.sum(last_scores < aim))
    return ON_TRACK, (
        f"of the last {needed} points, {below} below the aimline and {needed - below} on or above it "
        f"({latest})"
    )
