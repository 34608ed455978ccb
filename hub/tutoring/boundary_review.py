"""What a cycle boundary decided for each tutored student, with the evidence a review meeting weighs.

Nothing is decided here: every decision is read from what the hub already stored, by the first of these
that holds for the student's membership on the eve of the boundary:

1. the membership ended at the boundary with an exit (not a move to another group): **exit**;
2. the boundary reviewed it (``tutoring_review``): the review's action (**continue**, **intensify**,
   **refer**; *change the skill focus* reads as **adjust**, it changes what the group works on);
3. the progress rule's signal for the placement (``progress_goal``) is ``adjust``: **adjust**;
4. otherwise **continue** (a move to another group at the boundary is a continue, in the new group).

An exit outranks a review (under ``review_action: exit`` the review is the exit's reason), and a review
outranks the progress signal: the review weighed a diagnostic test and attendance, the signal weighs the
progress points, which stay in the evidence beside it. Students who enter at the boundary are not among
them: they have no cycle of tutoring behind them yet (the packet lists them with the groups).
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics._arrow import concat
from hub.tutoring._arrow import pick_first, require
from hub.tutoring.exits import REGROUPED, latest_results, reason_codes, test_label
from hub.tutoring.policy import TutoringPolicy
from hub.tutoring.reviews import ACTION_LABELS, CHANGE_FOCUS
from hub.tutoring.sessions import ATTENDED, CANCELLED, session_facts

EXIT, CONTINUE, ADJUST, INTENSIFY, REFER = "exit", "continue", "adjust", "intensify", "refer"
DECISIONS = (EXIT, REFER, INTENSIFY, ADJUST, CONTINUE)
"""The packet's decisions, in the order a meeting takes them up."""
ADJUST_SIGNAL = "adjust"
DOSAGE_SCHEMA = pa.schema(
    [
        ("person_source_id", pa.string()),
        ("subject", pa.string()),
        ("session_date", pa.date32()),
        ("attended", pa.bool_()),
        ("minutes", pa.int64()),
    ]
)
"""What the packet counts of the session logs: one row per student and session logged for their group."""
GOAL_COLUMNS = [
    "goal_basis", "goal_score", "goal_date", "measure", "baseline_date", "baseline_score", "aimline_per_week",
    "points", "latest_date", "latest_score", "rate_of_improvement", "trend_at_goal", "signal",
    "signal_reason", "evaluated_on",
]  # fmt: skip
KEYS = ["person_source_id", "subject"]


def dosage_facts(sessions: pa.Table | None, attendance: pa.Table | None, groups: pa.Table) -> pa.Table:
    """``DOSAGE_SCHEMA`` rows from the session logs, counted as dosage counts them: a cancelled session
    was not scheduled; present and tardy attended; minutes are the minutes present."""
    if sessions is None or attendance is None or not sessions.num_rows:
        return DOSAGE_SCHEMA.empty_table()
    facts = session_facts(sessions, groups)
    at = pc.index_in(attendance["session_source_id"], value_set=facts["session_source_id"])
    held = pc.and_(pc.is_valid(at), pc.not_equal(attendance["attendance"], CANCELLED))
    logged, at = attendance.filter(held), at.filter(held)
    came = pc.is_in(logged["attendance"], value_set=pa.array(ATTENDED))
    return pa.table(
        {
            "person_source_id": logged["person_source_id"],
            "subject": facts["subject"].take(at),
            "session_date": facts["session_date"].take(at),
            "attended": came,
            "minutes": pc.fill_null(logged["minutes_present"].cast(pa.int64()), 0),
        },
        schema=DOSAGE_SCHEMA,
    )


def _eve(memberships: pa.Table, day: pa.Scalar) -> pa.Table:
    """Memberships in force the day before the boundary: entered before it, not closed before it."""
    return memberships.filter(
        pc.and_(
            pc.less(memberships["entry_date"], day),
            pc.fill_null(pc.greater_equal(memberships["exit_date"], day), True),
        )
    )


def _looked_up(keys: pa.ChunkedArray | pa.Array, table: pa.Table, key: str, column: str) -> pa.Array:
    """``table[column]`` of the row whose ``key`` equals each of ``keys`` (null where none)."""
    return table[column].take(pc.index_in(keys, value_set=table[key]))


def boundary_decisions(
    boundary: date,
    memberships: pa.Table,
    reviews: pa.Table,
    goals: pa.Table,
    dosage: pa.Table,
    results: pa.Table,
    policy: TutoringPolicy,
) -> pa.Table:
    """One row per student and subject tutored on the eve of ``boundary``: the decision and its evidence.

    ``memberships``, ``reviews``, ``goals`` and ``results`` are group_membership, tutoring_review,
    progress_goal and assessment_result rows; ``dosage`` is ``DOSAGE_SCHEMA``. Columns: the membership's
    keys and ``group_source_id`` (the group of the cycle that ended), ``now_group_source_id`` (the group
    from the boundary on; null after an exit), ``tutored_since``, ``decision``, ``decided_by`` (exit,
    review, progress rule or none), ``why``, ``goal`` (the goal and the rule's reading: a struct of
    ``GOAL_COLUMNS``, null where no goal is stored; its baseline and latest are the goal's points, not
    the tests of the same names beside it), sessions
    scheduled and attended and minutes since ``tutored_since``, and the baseline and latest tests.
    """
    require(
        memberships, ["source_id", *KEYS, "group_source_id", "entry_date", "exit_date"], "group_membership"
    )
    day = pa.scalar(boundary, pa.date32())
    eve = _eve(memberships, day).sort_by([("subject", "ascending"), ("person_source_id", "ascending")])
    closed_here = pc.fill_null(pc.equal(eve["exit_date"], day), False)
    moved = pc.and_(closed_here, pc.equal(reason_codes(eve["exit_reason"]), REGROUPED))
    exited = pc.and_(closed_here, pc.invert(moved))
    since = pc.coalesce(eve["tutored_since"], eve["entry_date"])
    now = _now_groups(memberships, eve, day)
    now_group = pc.if_else(exited, pa.scalar(None, pa.string()), now["group_source_id"])
    rows = eve.select(["source_id", *KEYS, "group_source_id", "entry_result_source_id"]).rename_columns(
        ["membership_source_id", *KEYS, "group_source_id", "baseline_result_source_id"]
    )
    rows = rows.append_column("now_group_source_id", now_group).append_column("tutored_since", since)
    reviewed = reviews.filter(pc.equal(reviews["review_date"], day)) if reviews.num_rows else reviews
    action = _looked_up(eve["source_id"], reviewed, "membership_source_id", "action")
    review_reason = _looked_up(eve["source_id"], reviewed, "membership_source_id", "reason")
    goal_row = pc.coalesce(
        pc.index_in(eve["source_id"], value_set=goals["source_id"]),
        pc.index_in(now["source_id"], value_set=goals["source_id"]),
    ).combine_chunks()
    goal = pa.StructArray.from_arrays(
        [goals[name].take(goal_row).combine_chunks() for name in GOAL_COLUMNS],
        names=GOAL_COLUMNS,
        mask=pc.is_null(goal_row),
    )
    adjust = pc.fill_null(pc.equal(goal.field("signal"), ADJUST_SIGNAL), False)
    from_review = pc.if_else(pc.equal(action, CHANGE_FOCUS), ADJUST, action)
    first_holding = pc.make_struct(
        exited, pc.is_valid(action), adjust, field_names=["exit", "review", "rule"]
    )
    decision = pc.case_when(first_holding, EXIT, from_review, ADJUST, CONTINUE)
    decided_by = pc.case_when(first_holding, "exit rule", "review", "progress rule", "none")
    why = pc.case_when(
        first_holding,
        eve["exit_reason"],
        concat(_action_labels(action), "; ", review_reason),
        pc.coalesce(goal.field("signal_reason"), "below the aimline"),
        pc.if_else(moved, concat("met no exit rule; ", eve["exit_reason"]), "met no exit rule"),
    )
    for name, values in (("decision", decision), ("decided_by", decided_by), ("why", why)):
        rows = rows.append_column(name, values)
    rows = _with_tests(_with_dosage(rows, dosage, boundary), results, boundary, policy)
    # after the joins, which carry no struct column and keep no order: each row's goal by its membership
    at = pc.index_in(rows["membership_source_id"], value_set=eve["source_id"])
    return rows.append_column("goal", goal.take(at))


def _action_labels(action: pa.ChunkedArray | pa.Array) -> pa.Array:
    labels = pa.array(list(ACTION_LABELS.values()), pa.string())
    return pc.coalesce(labels.take(pc.index_in(action, value_set=pa.array(list(ACTION_LABELS)))), action)


def _now_groups(memberships: pa.Table, eve: pa.Table, day: pa.Scalar) -> pa.Table:
    """Per row of ``eve``, the student's membership in the subject in force from ``day`` on (else nulls)."""
    current = memberships.filter(
        pc.and_(
            pc.less_equal(memberships["entry_date"], day),
            pc.fill_null(pc.greater(memberships["exit_date"], day), True),
        )
    )
    current = pick_first(current, KEYS, [("entry_date", "descending"), ("source_id", "ascending")])
    at = pc.index_in(_pair_key(eve), value_set=_pair_key(current))
    return pa.table({name: current[name].take(at) for name in ("source_id", "group_source_id")})


def _with_dosage(rows: pa.Table, dosage: pa.Table, boundary: date) -> pa.Table:
    """Sessions scheduled and attended and minutes attended, from ``tutored_since`` to the boundary."""
    spans = rows.select([*KEYS, "tutored_since"])
    logged = dosage.join(spans, KEYS, join_type="inner")
    logged = logged.filter(
        pc.and_(
            pc.greater_equal(logged["session_date"], logged["tutored_since"]),
            pc.less(logged["session_date"], pa.scalar(boundary, pa.date32())),
        )
    )
    attended_minutes = pc.if_else(logged["attended"], logged["minutes"], 0)
    logged = logged.append_column("_came", pc.cast(logged["attended"], pa.int64()))
    logged = logged.append_column("_minutes", attended_minutes)
    totals = logged.group_by(KEYS).aggregate(
        [("session_date", "count"), ("_came", "sum"), ("_minutes", "sum")]
    )
    joined = rows.join(totals, KEYS, join_type="left outer").sort_by(
        [("subject", "ascending"), ("person_source_id", "ascending")]
    )
    counts = {
        "sessions_scheduled": "session_date_count",
        "sessions_attended": "_came_sum",
        "minutes_attended": "_minutes_sum",
    }
    for name, total in counts.items():
        joined = joined.append_column(name, pc.fill_null(pc.cast(joined[total], pa.int64()), 0))
    return joined.drop_columns(list(counts.values()))


def _pair_key(table: pa.Table, *extra: pa.ChunkedArray | pa.Array) -> pa.Array:
    """person, subject (and ``extra``) of each row as one text key."""
    return pc.binary_join_element_wise(table["person_source_id"], table["subject"], *extra, "\x1f")


def _kind(results: pa.Table) -> pa.Array:
    """A test's vendor and measure: scores of different kinds never stand side by side."""
    return pc.binary_join_element_wise(results["vendor"], pc.fill_null(results["measure"], ""), "\x1f")


def _with_tests(rows: pa.Table, results: pa.Table, boundary: date, policy: TutoringPolicy) -> pa.Table:
    """The test that placed the student (baseline) and the newest test of record of the same vendor and
    measure before the boundary (of any, for a placement without a baseline test)."""
    baseline = rows["baseline_result_source_id"]
    labelled = results.filter(pc.is_in(results["source_id"], value_set=baseline))
    labelled = labelled.append_column("_test", test_label(labelled))
    base_at = pc.index_in(baseline, value_set=labelled["source_id"])
    kind = _kind(labelled).take(base_at)
    before = results.filter(
        pc.fill_null(pc.less(results["test_date"], pa.scalar(boundary, pa.date32())), False)
    )
    same_kind = pc.is_in(_pair_key(before, _kind(before)), value_set=_pair_key(rows, kind).drop_null())
    no_baseline = pc.is_in(_pair_key(before), value_set=_pair_key(rows).filter(pc.is_null(kind)))
    latest = latest_results(before.filter(pc.or_(same_kind, no_baseline)), rows.select(KEYS), policy)
    latest = latest.append_column("_test", test_label(latest))
    latest_at = pc.index_in(_pair_key(rows), value_set=_pair_key(latest))
    columns = {
        "baseline_test": labelled["_test"].take(base_at),
        "baseline_score": labelled["scale_score"].take(base_at),
        "latest_test": latest["_test"].take(latest_at),
        "latest_score": latest["scale_score"].take(latest_at),
    }
    for name, values in columns.items():
        rows = rows.append_column(name, values)
    return rows
