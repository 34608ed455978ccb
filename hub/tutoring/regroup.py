"""Groups evolve: a group left below the minimum after exits joins a compatible group at the boundary.

Compatible: same school, subject and primary gap (the group's domain), grades together within
``max_grade_span``, and seats for everyone who moves. The smaller group moves into the larger, so that
more students keep their tutor; a target led by the same tutor comes first, so a tutor's students stay
theirs when capacity allows. A move closes the old membership ("moved to group ...": not an exit) and opens
one in the new group that keeps ``tutored_since`` and the evidence that placed the student. A small group
with no compatible partner stays as it is (its free seats took entrants of its own grade already).
"""

from __future__ import annotations

from datetime import date
from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics._arrow import put_column
from hub.model import conform
from hub.tutoring._labels import GRADE_ORDER
from hub.tutoring.exits import REASON_LABELS, REGROUPED
from hub.tutoring.grouping import Grouping, open_memberships
from hub.tutoring.policy import TutoringPolicy


@cache
def _span(grades: str) -> tuple[int, int] | None:
    """A group's grades ("03" or "03,04") as ranks in school order; None for grades outside it. Cached: a
    district's groups spell a few dozen spans, each looked up again for every group of every boundary."""
    ranks = [GRADE_ORDER.index(grade) for grade in grades.split(",") if grade in GRADE_ORDER]
    return (min(ranks), max(ranks)) if ranks and len(ranks) == len(grades.split(",")) else None


def _joined(first: tuple[int, int], second: tuple[int, int]) -> tuple[int, int]:
    return min(first[0], second[0]), max(first[1], second[1])


def _grades_text(span: tuple[int, int]) -> str:
    low, high = span
    return GRADE_ORDER[low] if low == high else f"{GRADE_ORDER[low]},{GRADE_ORDER[high]}"


def _fits(
    small_id: str,
    target: dict,
    spans: dict[str, tuple[int, int] | None],
    sizes: dict[str, int],
    moves: dict[str, dict],
    policy: TutoringPolicy,
) -> bool:
    """Whether the small group can move into ``target``: grades within the span, seats for everyone."""
    target_id = target["source_id"]
    small, joined = spans[small_id], spans[target_id]
    if target_id == small_id or target_id in moves or small is None or joined is None:
        return False
    low, high = _joined(small, joined)
    return high - low <= policy.max_grade_span and policy.max_group_size - sizes[target_id] >= sizes[small_id]


def _plan_moves(groups: list[dict], sizes: dict[str, int], policy: TutoringPolicy) -> dict[str, dict]:
    """Which small group moves into which: source group id -> target group row.

    A loop over the open groups of one boundary (hundreds), not over students.
    """
    by_family: dict[tuple, list[dict]] = {}
    for group in groups:
        family = (group["school_source_id"], group["subject"], group["canonical_domain"])
        by_family.setdefault(family, []).append(group)
    moves: dict[str, dict] = {}
    for members in by_family.values():
        spans = {group["source_id"]: _span(group["grades"]) for group in members}
        for small in sorted(members, key=lambda group: (sizes[group["source_id"]], group["source_id"])):
            small_id = small["source_id"]
            if sizes[small_id] >= policy.min_group_size or small_id in moves or spans[small_id] is None:
                continue

            candidates = [
                target for target in members if _fits(small_id, target, spans, sizes, moves, policy)
            ]
            if not candidates:
                continue
            target = min(
                candidates,
                key=lambda group: (
                    group["tutor_person_source_id"] != small["tutor_person_source_id"],
                    -sizes[group["source_id"]],
                    group["source_id"],
                ),
            )
            target_id = target["source_id"]
            moves[small_id] = target
            sizes[target_id] += sizes[small_id]
            sizes[small_id] = 0
            spans[target_id] = _joined(spans[small_id], spans[target_id])
            target["grades"] = _grades_text(spans[target_id])
    return moves


def merge_remnants(grouping: Grouping, policy: TutoringPolicy, on: date) -> Grouping:
    """Move the students of groups below ``min_group_size`` into compatible groups (see the module)."""
    current = open_memberships(grouping.memberships)
    counts = current.group_by("group_source_id").aggregate([("person_source_id", "count")])
    sizes = dict(zip(counts.column(0).to_pylist(), counts.column(1).to_pylist(), strict=True))
    if not any(size < policy.min_group_size for size in sizes.values()):
        return grouping
    groups = grouping.groups
    open_groups = groups.filter(pc.is_in(groups.column("source_id"), value_set=counts.column(0))).to_pylist()
    moves = _plan_moves(open_groups, sizes, policy)
    if not moves:
        return grouping
    source_ids = pa.array(list(moves), pa.string())
    target_ids = pa.array([target["source_id"] for target in moves.values()], pa.string())
    moving = current.filter(pc.is_in(current.column("group_source_id"), value_set=source_ids))
    moving = moving.append_column(
        "_target", target_ids.take(pc.index_in(moving.column("group_source_id"), value_set=source_ids))
    )
    # Placed at this very boundary: the placement simply names the other group, leaving no day-long stay.
    today = pc.equal(moving.column("entry_date"), pa.scalar(on, pa.date32()))
    placed_today, staying = moving.filter(today), moving.filter(pc.invert(today))
    kept = grouping.memberships.filter(
        pc.invert(
            pc.is_in(grouping.memberships.column("source_id"), value_set=placed_today.column("source_id"))
        )
    )
    memberships = pa.concat_tables(
        [
            _close_moves(kept, staying, policy, on),
            _rejoin(placed_today, placed_today.column("tutored_since"), on),
            _rejoin(staying, pc.coalesce(staying.column("tutored_since"), staying.column("entry_date")), on),
        ]
    ).sort_by("source_id")
    grades = {row["source_id"]: row["grades"] for row in moves.values()}
    groups = grouping.groups
    group_grades = pc.coalesce(
        pa.array([grades.get(group_id) for group_id in groups.column("source_id").to_pylist()], pa.string()),
        groups.column("grades"),
    )
    groups = put_column(groups, "grades", group_grades)
    # A group formed at this boundary whose students all moved never met: it is not kept.
    unused = pc.and_(
        pc.equal(groups.column("formed_on"), pa.scalar(on, pa.date32())),
        pc.invert(pc.is_in(groups.column("source_id"), value_set=memberships.column("group_source_id"))),
    )
    return Grouping(
        groups=groups.filter(pc.invert(unused)),
        memberships=memberships,
        reviews=grouping.reviews,
        unplaced=grouping.unplaced,
    )


def _close_moves(memberships: pa.Table, moving: pa.Table, policy: TutoringPolicy, on: date) -> pa.Table:
    """``memberships`` with the ``moving`` ones closed on ``on``: "moved to group <target> (...)"."""
    closing = pc.is_in(memberships.column("source_id"), value_set=moving.column("source_id"))
    reasons = pc.binary_join_element_wise(
        pa.array([REASON_LABELS[REGROUPED]] * moving.num_rows, pa.string()),
        moving.column("_target"),
        pa.array([f"(its group fell below {policy.min_group_size})"] * moving.num_rows, pa.string()),
        " ",
    )
    at = pc.index_in(memberships.column("source_id"), value_set=moving.column("source_id"))
    memberships = put_column(
        memberships,
        "exit_date",
        pc.if_else(closing, pa.scalar(on, pa.date32()), memberships.column("exit_date")),
    )
    return put_column(
        memberships, "exit_reason", pc.if_else(closing, reasons.take(at), memberships.column("exit_reason"))
    )


def _rejoin(moving: pa.Table, since: pa.ChunkedArray | pa.Array, on: date) -> pa.Table:
    """Memberships of the ``moving`` students in their ``_target`` groups from ``on``, evidence kept."""
    day = pa.array([on] * moving.num_rows, pa.date32())
    return conform(
        "group_membership",
        pa.table(
            {
                "source_id": pc.binary_join_element_wise(
                    moving.column("_target"), moving.column("person_source_id"), day.cast(pa.string()), ":"
                ),
                "group_source_id": moving.column("_target"),
                "person_source_id": moving.column("person_source_id"),
                "subject": moving.column("subject"),
                "entry_date": day,
                "entry_result_source_id": moving.column("entry_result_source_id"),
                "entry_evidence": moving.column("entry_evidence"),
                "tutored_since": since,
            }
        ),
    )
