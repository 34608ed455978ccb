"""Progress-monitoring cycles and what happens at their boundaries: exits, regrouping, new entrants.

At a boundary the exit rules (exits) close memberships, students due a review get one (reviews) and
stay unless the district says otherwise, everyone else keeps their group and tutor, free seats and new
groups take the new entrants (grouping), and groups left too small merge (regroup). Rows are only ever
closed, never dropped, so the history of who was tutored when, and why, stays whole.
"""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics._arrow import concat, put_column
from hub.model import conform
from hub.tutoring._arrow import history, pick_first
from hub.tutoring.attendance import AttendanceLog, LoggedAttendance
from hub.tutoring.domain_evidence import DomainResults
from hub.tutoring.entry import eligible_students
from hub.tutoring.errors import TutoringError
from hub.tutoring.exits import (
    EXIT_CODES,
    LEFT_ROSTER,
    ON_GRADE_LEVEL,
    exit_reasons,
    latest_results,
    reason_codes,
    with_evidence,
)
from hub.tutoring.grouping import AWAITING_NEW_TEST, Grouping, form_groups, open_memberships
from hub.tutoring.policy import TutoringPolicy
from hub.tutoring.regroup import merge_remnants
from hub.tutoring.reviews import reviews

MIN_LAST_CYCLE_DAYS = 14
"""A remainder shorter than two weeks is too short to monitor progress; it joins the cycle before."""
PAIR = ["person_source_id", "subject"]
BLOCK_SCHEMA = pa.schema(
    [
        ("person_source_id", pa.string()),
        ("subject", pa.string()),
        ("canonical_domain", pa.string()),
        ("reason_code", pa.string()),
        ("detail", pa.string()),
    ]
)
"""Entrants held back at a boundary (``form_groups``'s ``blocked``): null domain = any domain, null
reason code = nothing to tell (off the roster)."""


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
    """``memberships`` with the ``leaving`` ones (source_id, _reason, _result) closed on ``on``."""
    marked = memberships.join(leaving, "source_id", join_type="left outer")
    closing = pc.is_valid(marked.column("_reason"))
    marked = put_column(
        marked, "exit_date", pc.if_else(closing, pa.scalar(on, pa.date32()), marked.column("exit_date"))
    )
    marked = put_column(
        marked, "exit_reason", pc.coalesce(marked.column("_reason"), marked.column("exit_reason"))
    )
    marked = put_column(
        marked,
        "exit_result_source_id",
        pc.if_else(closing, marked.column("_result"), marked.column("exit_result_source_id")),
    )
    return conform("group_membership", marked)


def _held_back(
    memberships: pa.Table, groups: pa.Table, results: pa.Table, policy: TutoringPolicy
) -> pa.Table:
    """Students whose last exit rests on the test that is still their newest: they wait for a new one.

    Judged on the test, not its date: a test the exit did not weigh (taken later, or loaded late) is new
    evidence. An exit on grade level holds back only the domain it cleared; another gap enters at once.
    Rows as ``form_groups`` takes ``blocked``.
    """
    closed = memberships.filter(pc.is_valid(memberships.column("exit_result_source_id")))
    closed = closed.filter(
        pc.is_in(reason_codes(closed.column("exit_reason")), value_set=pa.array(EXIT_CODES))
    )
    if closed.num_rows == 0:
        return BLOCK_SCHEMA.empty_table()
    last = pick_first(closed, PAIR, [("exit_date", "descending"), ("source_id", "descending")])
    newest = latest_results(results, last.select(PAIR), policy).select([*PAIR, "source_id"])
    last = last.join(newest.rename_columns([*PAIR, "_newest"]), PAIR, join_type="left outer")
    held = last.filter(
        pc.fill_null(pc.equal(last.column("_newest"), last.column("exit_result_source_id")), False)
    )
    domains = groups.select(["source_id", "canonical_domain"]).rename_columns(["group_source_id", "_domain"])
    held = held.join(domains, "group_source_id", join_type="left outer")
    cleared = pc.equal(reason_codes(held.column("exit_reason")), ON_GRADE_LEVEL)
    return _blocks(
        held,
        pc.if_else(cleared, held.column("_domain"), pa.scalar(None, pa.string())),
        AWAITING_NEW_TEST,
        concat(
            "exited on ", pc.cast(held.column("exit_date"), pa.string()), ", ", held.column("exit_reason")
        ),
    )


def _blocks(pairs: pa.Table, domains: pa.Array | None, code: str | None, detail: pa.Array | None) -> pa.Table:
    """``BLOCK_SCHEMA`` rows for the (person, subject) ``pairs``; None: null in every row."""
    size = pairs.num_rows
    return pa.table(
        {
            **{key: pairs.column(key) for key in PAIR},
            "canonical_domain": domains if domains is not None else pa.nulls(size, pa.string()),
            "reason_code": pa.array([code] * size, pa.string()),
            "detail": detail if detail is not None else pa.nulls(size, pa.string()),
        },
        schema=BLOCK_SCHEMA,
    )


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
    domain_results: DomainResults,
    tutors: pa.Table,
    cycles: pa.Table,
    active_students: pa.Array | pa.ChunkedArray | None = None,
    attendance: AttendanceLog | None = None,
    past_reviews: pa.Table | None = None,
) -> Grouping:
    """Decide one boundary: close exits (date + reason), review, keep the rest, place entrants, regroup.

    ``boundary_date`` is the first day of the cycle that starts; new groups belong to that cycle.
    ``results`` are assessment_result rows, ``domain_results`` hands over the domain results of the tests
    exits weigh (``hub.tutoring.domain_evidence``), ``tiers``/``gaps`` are the current
    tier_assignment/skill_gap rows, ``cycles`` the plan. The first boundary of a programme passes
    no memberships and no groups. ``active_students`` are the source_ids of the students on the roster
    now: an open member not among them exits ("left the roster") and nobody outside them enters; without
    it, the roster is not checked. ``attendance`` is what reviews count (none: nothing logged);
    ``past_reviews`` the reviews of earlier boundaries. A group left with no open member is closed.
    The result's ``reviews`` and ``unplaced`` hold this boundary's only.
    """
    memberships = history("group_membership", memberships)
    groups = history("tutoring_group", groups)
    attendance = attendance if attendance is not None else LoggedAttendance()
    past_reviews = history("tutoring_review", past_reviews)
    cycle_source_id = _starting_cycle(cycles, boundary_date)
    current = open_memberships(memberships).join(
        groups.select(["source_id", "canonical_domain", "school_source_id"]).rename_columns(
            ["group_source_id", "canonical_domain", "school_source_id"]
        ),
        "group_source_id",
        join_type="left outer",
    )
    # An empty list of ids reads as null-typed; the roster is ids, so compare as text either way.
    roster = active_students.cast(pa.string()) if active_students is not None else None
    rows = with_evidence(current, results, domain_results, policy)
    rows = rows.append_column("since", pc.coalesce(rows.column("tutored_since"), rows.column("entry_date")))
    reasons = exit_reasons(rows, policy, roster)
    eligible = eligible_students(tiers, gaps, policy)
    primary = eligible.select([*PAIR, "canonical_domain"])
    staying = (
        rows.filter(pc.is_null(reasons))
        .join(primary.rename_columns([*PAIR, "primary_now"]), PAIR, join_type="left outer")
        .sort_by("_row")
    )
    subjects = groups.select(["source_id", "subject"]).rename_columns(["group_source_id", "subject"])
    reviewed, review_exits = reviews(
        staying,
        cycles=cycles,
        cycle_source_id=cycle_source_id,
        policy=policy,
        on=boundary_date,
        attendance=attendance,
        group_subjects=subjects,
        history=past_reviews,
        baseline_scores=results.select(["source_id", "scale_score"]),
    )
    leaving = pa.concat_tables(
        [
            _leaving(rows.filter(pc.is_valid(reasons)), reasons.filter(pc.is_valid(reasons))),
            _leaving(
                staying.filter(pc.is_valid(review_exits)), review_exits.filter(pc.is_valid(review_exits))
            ),
        ]
    )
    updated = _close_exits(memberships, leaving, boundary_date)
    blocked = _held_back(updated, groups, results, policy)
    if roster is not None:
        departed = tiers.filter(pc.invert(pc.is_in(tiers.column("person_source_id"), value_set=roster)))
        blocked = pa.concat_tables([blocked, _blocks(departed, None, None, None)])
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
        eligible=eligible,
    )
    grouping = merge_remnants(grouping, policy, boundary_date)
    closed = _close_emptied_groups(grouping, boundary_date)
    return Grouping(closed.groups, closed.memberships, reviews=reviewed, unplaced=grouping.unplaced)


def _leaving(rows: pa.Table, reasons: pa.Array) -> pa.Table:
    """source_id, _reason and _result (the test the exit weighed; none for leaving the roster)."""
    off_roster = pc.equal(reason_codes(reasons), LEFT_ROSTER)
    return pa.table(
        {
            "source_id": rows.column("source_id"),
            "_reason": reasons,
            "_result": pc.if_else(off_roster, pa.scalar(None, pa.string()), rows.column("result_id")),
        }
    )
