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
from hub.progress.points import PREFIX
from hub.progress.policy import ProgressPolicy
from hub.progress.rule import judged
from hub.progress.series import Series, merged, points_by_person, since
from hub.skills import label

MASTERY = "mastery_check"
CSV_SOURCE = "progress_csv"
VENDOR_NAMES = {"iready": "i-Ready", "nwea_map": "MAP Growth"}


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

    One pass over the placements (a few per tutored student), each reading numpy slices of its student's
    points: the work per placement is a handful of array operations, not a row loop.
    """
    placements = open_placements(memberships, groups, as_of)
    cycle = current_cycle(cycles, as_of)
    cycle_ends = dict(zip(cycles["source_id"].to_pylist(), cycles["end_date"].to_pylist(), strict=True))
    points = points.filter(pc.less_equal(points["observed_on"], pa.scalar(as_of, pa.date32())))
    by_person = points_by_person(points)
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
        (since(series[key], entered) for key in on_target if key[0] == CSV_SOURCE),
        key=lambda s: -len(s.days),
    )
    district = [s for s in district if len(s.days) and not np.isnan(series_goal(s))]
    mastery = merged([since(series[key], entered) for key in on_target if key[3] == MASTERY], MASTERY)
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
    return judged(placement, chosen, base, goal, basis, goal_date, policy)


def _mastery_goal(
    baseline: float, domain: str | None, goal_date: date, policy: ProgressPolicy
) -> tuple[float, str]:
    """Grade-level mastery of the skill by the cycle's end; a student already past it holds their baseline
    (an aimline never runs down: a falling line would call a slide "on track")."""
    skill = label(domain) if domain else "The subject's skills"
    criterion = policy.mastery_goal_percent
    if baseline >= criterion:
        return baseline, (
            f"{skill}: {baseline:g} % correct at the baseline already meets the {criterion:g} % mastery "
            f"goal; the goal holds it to {goal_date:%Y-%m-%d}, and points below it say adjust"
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
