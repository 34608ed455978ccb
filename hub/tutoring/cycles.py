"""Progress-monitoring cycles and what happens at their boundaries: exits, regrouping, new entrants.

At a boundary the exit rules (exits) close memberships, everyone else keeps their group and tutor, and
free seats and new groups take the new entrants (grouping). Rows are only ever closed, never dropped, so
the history of who was tutored when, and why, stays whole.
"""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics._arrow import put_column
from hub.model import conform
from hub.tutoring._arrow import history
from hub.tutoring.errors import TutoringError
from hub.tutoring.exits import exit_reasons
from hub.tutoring.grouping import Grouping, form_groups, open_memberships
from hub.tutoring.policy import TutoringPolicy

MIN_LAST_CYCLE_DAYS = 14
"""A remainder shorter than two weeks is too short to monitor progress; it joins the cycle before."""
PAIR = ["person_source_id", "subject"]


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


def _starting_cycle(cycles: pa.Table, boundary_date: date) -> str:
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
    return starting.column("source_id")[0].as_py()


def _close_exits(memberships: pa.Table, leaving: pa.Table, on: date) -> pa.Table:
    """``memberships`` with the ``leaving`` ones (source_id, _reason) closed on ``on``."""
    marked = memberships.join(leaving, "source_id", join_type="left outer")
    closing = pc.is_valid(marked.column("_reason"))
    marked = put_column(
        marked, "exit_date", pc.if_else(closing, pa.scalar(on, pa.date32()), marked.column("exit_date"))
    )
    marked = put_column(
        marked, "exit_reason", pc.coalesce(marked.column("_reason"), marked.column("exit_reason"))
    )
    return conform("group_membership", marked)


def _blocked(memberships: pa.Table, tiers: pa.Table, results: pa.Table) -> pa.Table:
    """Students who left a subject and have no test since: they re-enter only on new evidence."""
    closed = memberships.filter(pc.is_valid(memberships.column("exit_date")))
    last_exit = closed.group_by(PAIR).aggregate([("exit_date", "max")])
    returning = tiers.select([*PAIR, "result_source_id"]).join(last_exit, PAIR, join_type="left semi")
    # The few returning students are the join's build side, the many results only probe it.
    dated = (
        results.select(["source_id", "test_date"])
        .join(returning, "source_id", right_keys="result_source_id", join_type="inner")
        .rename_columns({"source_id": "result_source_id"})
    )
    since = dated.join(last_exit, PAIR, join_type="inner")
    retested = since.filter(
        pc.fill_null(pc.greater(since.column("test_date"), since.column("exit_date_max")), False)
    )
    return last_exit.join(retested.select(PAIR), PAIR, join_type="left anti")


def _close_emptied_groups(grouping: Grouping, on: date) -> Grouping:
    """Groups without an open member get ``closed_on``: the day their last student left (else ``on``).

    A group with any open member has none, whatever the history says, so the column never contradicts
    the memberships.
    """
    groups, memberships = grouping.groups, grouping.memberships
    still_in = memberships.filter(pc.is_null(memberships.column("exit_date")))
    emptied = pc.invert(pc.is_in(groups.column("source_id"), value_set=still_in.column("group_source_id")))
    last_exit = memberships.group_by("group_source_id").aggregate([("exit_date", "max")])
    position = pc.index_in(groups.column("source_id"), value_set=last_exit.column("group_source_id"))
    closed_on = pc.coalesce(
        groups.column("closed_on"),
        last_exit.column("exit_date_max").take(position),
        pa.scalar(on, pa.date32()),
    )
    closed_on = pc.if_else(emptied, closed_on, pa.scalar(None, pa.date32()))
    return Grouping(groups=put_column(groups, "closed_on", closed_on), memberships=memberships)


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
    active_students: pa.Array | pa.ChunkedArray | None = None,
) -> Grouping:
    """Decide one boundary: close exits (date + reason), keep the rest in their groups, place new entrants.

    ``boundary_date`` is the first day of the cycle that starts; new groups belong to that cycle.
    ``results``/``domain_results`` are assessment_result/domain_result rows, ``tiers``/``gaps`` the
    current tier_assignment/skill_gap rows, ``cycles`` the plan. The first boundary of a programme passes
    no memberships and no groups. ``active_students`` are the source_ids of the students on the roster
    now: an open member not among them exits ("left the roster") and nobody outside them enters; without
    it, the roster is not checked. A group left with no open member is closed (``closed_on``).
    """
    memberships = history("group_membership", memberships)
    groups = history("tutoring_group", groups)
    cycle_source_id = _starting_cycle(cycles, boundary_date)
    current = open_memberships(memberships).join(
        groups.select(["source_id", "canonical_domain"]).rename_columns(
            ["group_source_id", "canonical_domain"]
        ),
        "group_source_id",
        join_type="left outer",
    )
    # An empty list of ids reads as null-typed; the roster is ids, so compare as text either way.
    roster = active_students.cast(pa.string()) if active_students is not None else None
    reasons = exit_reasons(current, results, domain_results, cycles, policy, boundary_date, roster)
    leaving = (
        current.filter(pc.is_valid(reasons))
        .select(["source_id"])
        .append_column("_reason", reasons.filter(pc.is_valid(reasons)))
    )
    updated = _close_exits(memberships, leaving, boundary_date)
    blocked = _blocked(updated, tiers, results).select(PAIR)
    if roster is not None:
        departed = pc.invert(pc.is_in(tiers.column("person_source_id"), value_set=roster))
        blocked = pa.concat_tables([blocked, tiers.filter(departed).select(PAIR)])
    grouping = form_groups(
        tiers,
        gaps,
        tutors,
        cycle_source_id=cycle_source_id,
        formed_on=boundary_date,
        policy=policy,
        groups=groups,
        memberships=updated,
        blocked=blocked,
    )
    return _close_emptied_groups(grouping, boundary_date)
