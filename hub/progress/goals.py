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
from hub.progress.measures import DISTRICT, MASTERED, VENDOR, VENDOR_NAMES, Chosen, choose
from hub.progress.policy import ProgressPolicy
from hub.progress.rule import judged
from hub.progress.series import EPOCH_ORDINAL, SPAN, segment_starts, sorted_points
from hub.progress.text import day_text, number_text, texts
from hub.skills import label


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
    entered = _ordinals(pc.coalesce(placements["tutored_since"], placements["entry_date"]))
    if cycle:
        cycle_id = pa.array([cycle["source_id"]] * placements.num_rows, pa.string())
        goal_day = np.full(placements.num_rows, cycle["end_date"].toordinal())
        stretch = np.maximum(entered, cycle["start_date"].toordinal())
    else:
        cycle_id = placements["cycle_source_id"].combine_chunks()
        at = pc.index_in(cycle_id, value_set=cycles["source_id"])
        goal_day = _ordinals(pc.coalesce(cycles["end_date"].take(at), pa.scalar(as_of, pa.date32())))
        stretch = np.maximum(entered, as_of.toordinal())
    points = sorted_points(points.filter(pc.less_equal(points["observed_on"], pa.scalar(as_of, pa.date32()))))
    tests = results["source_id"].combine_chunks()
    chosen = choose(points, placements, entered, tests)
    rows = chosen.placement
    base = _baselines(points.days[chosen.points], chosen, stretch[rows])
    keep = np.arange(len(chosen.points)) >= np.repeat(segment_starts(chosen.lengths) + base, chosen.lengths)
    lengths = chosen.lengths - base
    days, scores = points.days[chosen.points[keep]], points.scores[chosen.points[keep]]
    first = segment_starts(lengths)
    goal, basis = _goals(
        chosen,
        placements.take(pa.array(rows, pa.int64())),
        days[first],
        scores[first],
        goal_day[rows],
        results,
        policy,
    )
    trend = judged(days, scores, lengths, goal, goal_day[rows], policy)
    picked = placements.take(pa.array(rows, pa.int64()))
    last = first + lengths - 1
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


def _baselines(days: np.ndarray, chosen: Chosen, stretch: np.ndarray) -> np.ndarray:
    """Per placement, the baseline's place among its chosen points: the last point before the stretch's
    first day, else the first point; on the diagnostic's scale, the entry test (the first point)."""
    segment = np.repeat(np.arange(len(chosen.lengths)), chosen.lengths)
    before = np.searchsorted(segment * SPAN + days, np.arange(len(stretch)) * SPAN + stretch, side="left")
    before -= segment_starts(chosen.lengths)
    return np.where(chosen.kind == VENDOR, 0, np.maximum(before - 1, 0))


def _goals(
    chosen: Chosen,
    placements: pa.Table,
    baseline_day: np.ndarray,
    baseline: np.ndarray,
    goal_day: np.ndarray,
    results: pa.Table,
    policy: ProgressPolicy,
) -> tuple[np.ndarray, pa.Array]:
    """Each placement's goal and the words for it, by the rule that chose its points."""
    goal = chosen.district_goal.copy()
    basis = np.empty(len(goal), dtype=object)
    district = chosen.kind == DISTRICT
    basis[district] = texts(
        "the district's goal on ",
        chosen.measure.filter(pa.array(district)),
        ": ",
        number_text(goal[district], "g"),
    )
    mastered = chosen.kind == MASTERED
    goal[mastered], basis[mastered] = _mastery_goal(
        baseline[mastered],
        placements["canonical_domain"].filter(pa.array(mastered)),
        goal_day[mastered],
        policy,
    )
    vendor = chosen.kind == VENDOR
    tests = results.take(
        pc.index_in(
            placements["entry_result_source_id"].filter(pa.array(vendor)), value_set=results["source_id"]
        )
    )
    goal[vendor], basis[vendor] = _typical_growth_goal(
        baseline[vendor], baseline_day[vendor], tests, goal_day[vendor], policy
    )
    return goal, pa.array(basis, pa.string())


def _mastery_goal(
    baseline: np.ndarray, domain: pa.ChunkedArray, goal_day: np.ndarray, policy: ProgressPolicy
) -> tuple[np.ndarray, np.ndarray]:
    """Grade-level mastery of the skill by the cycle's end; a student already past it holds their baseline
    (an aimline never runs down: a falling line would call a slide "on track")."""
    names = {value: label(value) for value in pc.unique(domain).to_pylist() if value}
    skill = pa.array([names.get(value, "The subject's skills") for value in domain.to_pylist()], pa.string())
    criterion = policy.mastery_goal_percent
    holds = baseline >= criterion
    by = day_text(goal_day)
    held = texts(
        skill,
        ": ",
        number_text(baseline, "g"),
        f" % correct at the baseline already meets the {criterion:g} % mastery goal; the goal holds it to ",
        by,
        ", and points below it say adjust",
    )
    reached = texts(skill, f" mastery checks at {criterion:g} % correct (grade-level mastery) by ", by)
    return np.where(holds, baseline, criterion), np.where(holds, held, reached)


def _typical_growth_goal(
    baseline: np.ndarray,
    baseline_day: np.ndarray,
    tests: pa.Table,
    goal_day: np.ndarray,
    policy: ProgressPolicy,
) -> tuple[np.ndarray, np.ndarray]:
    """The vendor's typical growth, prorated to the weeks from the entry test to the goal date; without a
    typical growth, the baseline held."""
    vendor = pa.array([VENDOR_NAMES.get(name, name) for name in tests["vendor"].to_pylist()], pa.string())
    growth = tests["typical_growth"].cast(pa.float64())
    given = pc.is_valid(growth).to_numpy(zero_copy_only=False)
    typical = pc.fill_null(growth, 0.0).to_numpy(zero_copy_only=False)
    weeks = np.maximum((goal_day - baseline_day) / 7, 0.0)
    goal = np.where(given, baseline + typical * weeks / policy.typical_growth_weeks, baseline)
    grown = texts(
        vendor,
        " typical growth (",
        number_text(typical, "g"),
        " a year) prorated to ",
        number_text(weeks, ".0f"),
        " weeks: scale ",
        number_text(goal, ".0f"),
        " by ",
        day_text(goal_day),
    )
    flat = texts(vendor, " gave no typical growth for this test: the goal holds the baseline")
    return goal, np.where(given, grown, flat)


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
