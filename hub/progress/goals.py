"""Each open placement's goal, aimline, points, rate of improvement and signal, as of one night.

A placement is monitored on one measure, the first of these with points since the student entered:

1. a curriculum-based measure from the district's progress CSV in the placement's subject (on its
   targeted skill, or on none) for which the district set a goal: the district's goal;
2. the tutors' mastery checks on the targeted skill (or on several skills of the subject): the goal is
   ``mastery_goal_percent`` correct (grade-level mastery of the skill) by the end of the cycle, or, for a
   student already past it at the baseline, holding the baseline (an aimline never runs down);
3. the diagnostic's own scale, from the test the student entered on: the vendor's typical growth,
   prorated to the weeks from that test to the end of the cycle.

The baseline is the last point before the start of the current stretch (the later of entry and the
cycle's start; the entry test for the diagnostic's scale), else the first point of the stretch; the aimline
runs from the baseline to the goal at the cycle's end. The rule reads the points after the baseline.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.model import arrow_schema, conform
from hub.progress.measures import VENDOR, Chosen, choose
from hub.progress.policy import ProgressPolicy
from hub.progress.rule import judged
from hub.progress.series import EPOCH_ORDINAL, SPAN, SortedPoints, segment_starts, sorted_points
from hub.progress.targets import set_goals


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
    """The cycle holding ``as_of``; between cycles (a summer night) the latest one begun, so its goals are
    still read against its own points rather than an empty stretch."""
    begun = sorted(
        (row for row in cycles.to_pylist() if row["start_date"] <= as_of), key=lambda r: r["start_date"]
    )
    return begun[-1] if begun else None


def entered_on(placements: pa.Table) -> pa.ChunkedArray:
    """The day each placement's tutoring began (carried across moves): its points count from then."""
    return pc.coalesce(placements["tutored_since"], placements["entry_date"])


def stretch_floor(cycle: dict | None, as_of: date) -> date:
    """The earliest day a placement's stretch can start on ``as_of``: the current ``cycle``'s first day
    (between cycles, ``as_of``). Of the mastery checks before it, a placement reads only its baseline."""
    return cycle["start_date"] if cycle else as_of


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

    Columnar over every placement at once (``hub.progress.measures`` picks the points, ``rule`` judges
    them): no Python work per placement or per point, so a district of any size is a few array passes.
    """
    placements = open_placements(memberships, groups, as_of)
    if not placements.num_rows:
        return _empty()
    cycle = current_cycle(cycles, as_of)
    entered = _ordinals(entered_on(placements))
    stretch = np.maximum(entered, stretch_floor(cycle, as_of).toordinal())
    if cycle:
        cycle_id = pa.array([cycle["source_id"]] * placements.num_rows, pa.string())
        goal_day = np.full(placements.num_rows, cycle["end_date"].toordinal())
    else:
        cycle_id = placements["cycle_source_id"].combine_chunks()
        at = pc.index_in(cycle_id, value_set=cycles["source_id"])
        goal_day = _ordinals(pc.coalesce(cycles["end_date"].take(at), pa.scalar(as_of, pa.date32())))
    points = sorted_points(points.filter(pc.less_equal(points["observed_on"], pa.scalar(as_of, pa.date32()))))
    tests = results["source_id"].combine_chunks()
    chosen = choose(points, placements, entered, tests)
    rows = chosen.placement
    picked = placements.take(pa.array(rows, pa.int64()))
    days, scores, lengths = _from_baseline(points, chosen, stretch[rows])
    first, last = segment_starts(lengths), segment_starts(lengths) + lengths - 1
    goal, basis = set_goals(chosen, picked, days[first], scores[first], goal_day[rows], results, policy)
    trend = judged(days, scores, lengths, goal, goal_day[rows], policy)
    table = pa.table(
        {
            "source_id": picked["source_id"],
            "membership_source_id": picked["source_id"],
            "group_source_id": picked["group_source_id"],
            "person_source_id": picked["person_source_id"],
            "subject": picked["subject"],
            "school_source_id": picked["school_source_id"],
            "canonical_domain": picked["canonical_domain"],
            "measure": chosen.measure,
            "goal_basis": basis,
            "baseline_date": _dates(days[first]),
            "baseline_score": scores[first],
            "goal_date": _dates(goal_day[rows]),
            "goal_score": goal,
            "aimline_per_week": trend.aimline_per_day * 7,
            "points": lengths,
            "latest_date": _dates(days[last]),
            "latest_score": scores[last],
            "rate_of_improvement": pa.array(trend.rate_of_improvement, from_pandas=True),
            "trend_at_goal": pa.array(trend.trend_at_goal, from_pandas=True),
            "signal": trend.signal,
            "signal_reason": trend.signal_reason,
            "cycle_source_id": cycle_id.take(pa.array(rows, pa.int64())),
        }
    )
    return conform("progress_goal", _dated(table, previous, as_of))


def _empty() -> pa.Table:
    return arrow_schema("progress_goal").empty_table()


def _ordinals(days: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return days.cast(pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64) + EPOCH_ORDINAL


def _dates(ordinals: np.ndarray) -> pa.Array:
    return pa.array((ordinals - EPOCH_ORDINAL).astype(np.int32), pa.int32()).cast(pa.date32())


def _from_baseline(
    points: SortedPoints, chosen: Chosen, stretch: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each placement's points from its baseline on (days, scores, points per placement). The baseline is
    the last point before the stretch's first day, else the first point; on the diagnostic's scale, the
    entry test (the first point)."""
    days = points.days[chosen.points]
    starts = segment_starts(chosen.lengths)
    segment = np.repeat(np.arange(len(chosen.lengths)), chosen.lengths)
    before = np.searchsorted(segment * SPAN + days, np.arange(len(stretch)) * SPAN + stretch, side="left")
    base = np.where(chosen.kind == VENDOR, 0, np.maximum(before - starts - 1, 0))
    keep = np.arange(len(days)) >= np.repeat(starts + base, chosen.lengths)
    return days[keep], points.scores[chosen.points[keep]], chosen.lengths - base


def _dated(goals: pa.Table, previous: pa.Table, as_of: date) -> pa.Table:
    """``signal_since``: last night's date where the signal held, else tonight; and ``evaluated_on``."""
    at = pc.index_in(goals["source_id"], value_set=previous["source_id"])
    kept = pc.and_kleene(
        pc.equal(previous["signal"].take(at), goals["signal"]), pc.is_valid(previous["signal_since"].take(at))
    )
    tonight = pa.scalar(as_of, pa.date32())
    since = pc.if_else(pc.fill_null(kept, False), previous["signal_since"].take(at), tonight)
    return goals.append_column("signal_since", since).append_column(
        "evaluated_on", pa.array([as_of] * goals.num_rows, pa.date32())
    )
