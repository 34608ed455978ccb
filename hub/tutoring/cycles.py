"""Progress-monitoring cycles and what happens at their boundaries: exits, regrouping, new entrants.

A student leaves when the new test of record shows the targeted domain on grade level, or the vendor's
typical growth met, or after ``max_cycles`` full cycles (for a review: tutoring is a push, not a place to
stay). Everyone else keeps their group and tutor; free seats and new groups take the new entrants. Rows
are only ever closed, never dropped, so the history of who was tutored when, and why, stays whole.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.model import conform
from hub.tutoring.grouping import DOMAIN_LABELS, Grouping, empty, form_groups, open_memberships
from hub.tutoring.policy import GOAL_ADJECTIVES, TutoringError, TutoringPolicy
from hub.tutoring.tiers import (
    VENDOR_LABELS,
    pick_first,
    relabel,
    school_year_text,
    whole_number_text,
    window_rank,
)

MIN_LAST_CYCLE_DAYS = 14
"""A remainder shorter than two weeks is too short to monitor progress; it joins the cycle before."""
MAX_CYCLES_REASON = "reached the maximum number of cycles; review"
LATEST_COLUMNS = [
    "source_id",
    "person_source_id",
    "subject",
    "vendor",
    "school_year",
    "window",
    "test_date",
    "scale_score",
    "percent_progress_typical",
]


def plan_cycles(school_year_start: date, school_year_end: date, weeks: int = 6) -> pa.Table:
    """Consecutive cycles of ``weeks`` weeks covering the school year, in the ``cycle`` schema."""
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 6 <= weeks <= 8:
        raise TutoringError(f"a cycle is 6 to 8 weeks long; got {weeks!r}")
    if school_year_end <= school_year_start:
        raise TutoringError(
            f"the school year must end after it starts: {school_year_start} .. {school_year_end}"
        )
    length = timedelta(weeks=weeks)
    starts = []
    start = school_year_start
    while start <= school_year_end:
        starts.append(start)
        start += length
    if len(starts) > 1 and (school_year_end - starts[-1]).days + 1 < MIN_LAST_CYCLE_DAYS:
        starts.pop()
    ends = [following - timedelta(days=1) for following in starts[1:]] + [school_year_end]
    year = school_year_end.year
    return conform(
        "cycle",
        pa.table(
            {
                "source_id": [f"{year}-c{sequence}" for sequence in range(1, len(starts) + 1)],
                "school_year": pa.array([year] * len(starts), pa.int64()),
                "sequence": pa.array(range(1, len(starts) + 1), pa.int64()),
                "start_date": pa.array(starts, pa.date32()),
                "end_date": pa.array(ends, pa.date32()),
            }
        ),
    )


def _latest_results(results: pa.Table, pairs: pa.Table, policy: TutoringPolicy) -> pa.Table:
    """The newest test of record per (student, subject) in ``pairs``; vendor precedence within a window."""
    of_record = (
        results.select(LATEST_COLUMNS)
        .filter(pc.fill_null(results.column("is_test_of_record"), False))
        .join(pairs, ["person_source_id", "subject"], join_type="left semi")
    )
    ranked = of_record.append_column("_window", window_rank(of_record.column("window"))).append_column(
        "_vendor",
        pc.fill_null(
            pc.index_in(of_record.column("vendor"), value_set=pa.array(policy.vendor_precedence)), 99
        ),
    )
    keys = ["person_source_id", "subject"]
    return pick_first(
        ranked,
        keys,
        [(key, "ascending") for key in keys]
        + [
            ("school_year", "descending"),
            ("_window", "descending"),
            ("_vendor", "ascending"),
            ("test_date", "descending"),
            ("source_id", "ascending"),
        ],
    )


def _domain_evidence(domain_results: pa.Table, wanted: pa.Table) -> pa.Table:
    """Per wanted result and canonical domain, the weakest vendor domain: the one an exit must clear."""
    keys = ["result_source_id", "canonical_domain"]
    relevant = domain_results.join(wanted, keys, join_type="left semi")
    adjective = pc.index_in(relevant.column("goal_adjective"), value_set=pa.array(GOAL_ADJECTIVES))
    weakest = pick_first(
        relevant.append_column("_adjective", adjective),
        keys,
        [(key, "ascending") for key in keys]
        + [("grade_levels_below", "descending"), ("_adjective", "ascending"), ("vendor_domain", "ascending")],
    )
    return weakest.select([*keys, "grade_levels_below", "_adjective", "placement", "goal_adjective"])


def _exit_reasons(
    current: pa.Table,
    latest: pa.Table,
    domain_results: pa.Table,
    cycles: pa.Table,
    policy: TutoringPolicy,
    on: date,
) -> pa.Array:
    """One reason per open membership in ``current`` (null = stays), by the first rule that holds."""
    columns = ["person_source_id", "subject", "source_id", "vendor", "school_year", "window", "test_date"]
    tests = latest.select([*columns, "scale_score", "percent_progress_typical"]).rename_columns(
        {"source_id": "result_id", "percent_progress_typical": "progress"}
    )
    rows = current.append_column("_row", pa.array(np.arange(current.num_rows)))
    rows = rows.join(tests, ["person_source_id", "subject"], join_type="left outer")
    wanted = rows.select(["result_id", "canonical_domain"]).rename_columns(
        ["result_source_id", "canonical_domain"]
    )
    rows = rows.join(
        _domain_evidence(domain_results, wanted.filter(pc.is_valid(wanted.column("result_source_id")))),
        ["result_id", "canonical_domain"],
        right_keys=["result_source_id", "canonical_domain"],
        join_type="left outer",
    ).sort_by("_row")
    # Only a test taken after entry can end tutoring; the one that placed the student never does.
    fresh = pc.coalesce(
        pc.greater(rows.column("test_date"), rows.column("entry_date")),
        pc.not_equal(rows.column("result_id"), rows.column("entry_result_source_id")),
        pc.is_valid(rows.column("result_id")),
    )
    on_grade = pc.or_kleene(
        pc.less_equal(rows.column("grade_levels_below"), policy.exit_max_grade_levels_below),
        pc.greater_equal(rows.column("_adjective"), GOAL_ADJECTIVES.index(policy.exit_min_goal_adjective)),
    )
    test = pc.binary_join_element_wise(
        relabel(rows.column("vendor"), VENDOR_LABELS),
        school_year_text(rows.column("school_year")),
        rows.column("window"),
        " ",
    )
    domain_reason = pc.binary_join_element_wise(
        "on grade level in ",
        relabel(rows.column("canonical_domain"), DOMAIN_LABELS),
        " (",
        test,
        ": ",
        pc.coalesce(
            rows.column("placement"),
            rows.column("goal_adjective"),
            pc.cast(rows.column("grade_levels_below"), pa.string()),
        ),
        ")",
        "",
    )
    none = pa.scalar(None, pa.string())
    reason = pc.if_else(pc.and_(fresh, pc.fill_null(on_grade, False)), domain_reason, none)
    if policy.exit_min_percent_progress_typical is not None:
        grew = pc.fill_null(
            pc.greater_equal(rows.column("progress"), policy.exit_min_percent_progress_typical), False
        )
        growth_reason = pc.binary_join_element_wise(
            "typical growth met: ",
            whole_number_text(rows.column("progress")),
            " % of the annual typical growth (",
            test,
            ", overall scale ",
            whole_number_text(rows.column("scale_score")),
            ")",
            "",
        )
        reason = pc.coalesce(reason, pc.if_else(pc.and_(fresh, grew), growth_reason, none))
    if policy.max_cycles is not None:
        served = _cycles_served(rows.column("entry_date"), cycles, on)
        reason = pc.coalesce(
            reason, pc.if_else(pc.greater_equal(served, policy.max_cycles), MAX_CYCLES_REASON, none)
        )
    return reason


def _cycles_served(entry_dates: pa.ChunkedArray, cycles: pa.Table, on: date) -> pa.Array:
    """Full cycles between entry and ``on``: a cycle counts when it began on or after entry and is over."""
    entered = entry_dates.to_numpy().astype("datetime64[D]")
    served = np.zeros(len(entered), dtype=np.int64)
    for start, end in zip(
        cycles.column("start_date").to_pylist(), cycles.column("end_date").to_pylist(), strict=True
    ):
        if end < on:
            served += entered <= np.datetime64(start, "D")
    return pa.array(served)


def _blocked(memberships: pa.Table, tiers: pa.Table, results: pa.Table) -> pa.Table:
    """Students who left a subject and have no test since: they re-enter only on new evidence."""
    closed = memberships.filter(pc.is_valid(memberships.column("exit_date")))
    last_exit = closed.group_by(["person_source_id", "subject"]).aggregate([("exit_date", "max")])
    returning = tiers.select(["person_source_id", "subject", "result_source_id"]).join(
        last_exit, ["person_source_id", "subject"], join_type="left semi"
    )
    # The few returning students are the join's build side, the many results only probe it.
    dated = (
        results.select(["source_id", "test_date"])
        .join(returning, "source_id", right_keys="result_source_id", join_type="inner")
        .rename_columns({"source_id": "result_source_id"})
    )
    since = dated.join(last_exit, ["person_source_id", "subject"], join_type="inner")
    retested = since.filter(
        pc.fill_null(pc.greater(since.column("test_date"), since.column("exit_date_max")), False)
    )
    return last_exit.join(
        retested.select(["person_source_id", "subject"]),
        ["person_source_id", "subject"],
        join_type="left anti",
    )


def run_cycle_boundary(
    memberships: pa.Table | None,
    tiers: pa.Table,
    gaps: pa.Table,
    results: pa.Table,
    groups: pa.Table | None,
    policy: TutoringPolicy,
    boundary_date: date,
    *,
    domain_results: pa.Table,
    tutors: pa.Table,
    cycles: pa.Table,
) -> Grouping:
    """Decide one boundary: close exits (date + reason), keep the rest in their groups, place new entrants.

    ``boundary_date`` is the first day of the cycle that starts; new groups belong to that cycle.
    ``results``/``domain_results`` are assessment_result/domain_result rows, ``tiers``/``gaps`` the
    current tier_assignment/skill_gap rows, ``cycles`` the plan. The first boundary of a programme passes
    no memberships and no groups.
    """
    memberships = (
        conform("group_membership", memberships) if memberships is not None else empty("group_membership")
    )
    groups = conform("tutoring_group", groups) if groups is not None else empty("tutoring_group")
    starting = cycles.filter(
        pc.and_(
            pc.less_equal(cycles.column("start_date"), boundary_date),
            pc.greater_equal(cycles.column("end_date"), boundary_date),
        )
    )
    if starting.num_rows != 1:
        raise TutoringError(
            f"the cycle plan has {starting.num_rows} cycles covering {boundary_date}; expected one"
        )
    current = open_memberships(memberships).join(
        groups.select(["source_id", "canonical_domain"]).rename_columns(
            ["group_source_id", "canonical_domain"]
        ),
        "group_source_id",
        join_type="left outer",
    )
    reasons = _exit_reasons(
        current,
        _latest_results(results, current.select(["person_source_id", "subject"]), policy),
        domain_results,
        cycles,
        policy,
        boundary_date,
    )
    leaving = (
        current.filter(pc.is_valid(reasons))
        .select(["source_id"])
        .append_column("_reason", reasons.filter(pc.is_valid(reasons)))
    )
    marked = memberships.join(leaving, "source_id", join_type="left outer")
    closing = pc.is_valid(marked.column("_reason"))
    marked = marked.set_column(
        marked.schema.get_field_index("exit_date"),
        "exit_date",
        pc.if_else(closing, pa.scalar(boundary_date, pa.date32()), marked.column("exit_date")),
    )
    marked = marked.set_column(
        marked.schema.get_field_index("exit_reason"),
        "exit_reason",
        pc.coalesce(marked.column("_reason"), marked.column("exit_reason")),
    )
    updated = conform("group_membership", marked)
    return form_groups(
        tiers,
        gaps,
        tutors,
        cycle_source_id=starting.column("source_id")[0].as_py(),
        formed_on=boundary_date,
        policy=policy,
        groups=groups,
        memberships=updated,
        blocked=_blocked(updated, tiers, results),
    )
