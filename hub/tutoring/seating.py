"""Where each entrant sits: a free seat in a continuing group of their skill and grade, else a new group.

Entrants come sorted by bucket (school, subject, domain, grade), neediest first. Work is done in bulk on
those sorted columns; Python loops run over groups and buckets (thousands), never over students. The same
input always gives the same groups: every sort is total and group ids are built from cycle, school,
subject, domain, grade and a sequence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring._arrow import expand_ranges, run_starts
from hub.tutoring._labels import GRADE_ORDER
from hub.tutoring.policy import TutoringPolicy

SEP = "\x1f"  # joins key parts: a control character that no roster or vendor id contains


def _bucket_key(table: pa.Table, grade: pa.Array | pa.ChunkedArray) -> pa.Array:
    return pc.binary_join_element_wise(
        table.column("school"), table.column("subject"), table.column("canonical_domain"), grade, SEP
    )


def fill_open_seats(
    entrants: pa.Table, continuing: list[dict], free_seats: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Free seats of continuing groups go first to new entrants of the same domain and grade.

    Returns the rows of ``entrants`` (sorted by bucket) that were seated, and their group ids.
    """
    key = _bucket_key(entrants, entrants.column("grade"))
    starts = run_starts(key)
    stops = np.append(starts[1:], entrants.num_rows)[: len(starts)]
    buckets = dict(
        zip(key.take(starts).to_pylist(), zip(starts.tolist(), stops.tolist(), strict=True), strict=True)
    )
    taken: dict[str, int] = {}
    seat_starts, seat_counts, seat_groups = [], [], []
    for group in continuing:
        free = free_seats.get(group["source_id"], 0)
        for grade in group["grades"].split(","):
            bucket = SEP.join(
                [group["school_source_id"] or "", group["subject"], group["canonical_domain"], grade]
            )
            if free <= 0 or bucket not in buckets:
                continue
            start, stop = buckets[bucket]
            first = start + taken.get(bucket, 0)
            count = min(free, stop - first)
            if count > 0:
                seat_starts.append(first)
                seat_counts.append(count)
                seat_groups.append(group["source_id"])
                taken[bucket] = taken.get(bucket, 0) + count
                free -= count
    counts = np.array(seat_counts, dtype=np.int64)
    rows = expand_ranges(np.array(seat_starts, dtype=np.int64), counts)
    return rows, np.repeat(np.array(seat_groups, dtype=object), counts)


def _merge_small_buckets(family: np.ndarray, rank: np.ndarray, size: np.ndarray, minimum: int) -> np.ndarray:
    """For each bucket, the bucket whose group it joins: itself, or an adjacent grade when too small.

    A merged unit spans two adjacent grades at most; a small bucket prefers a small neighbour (so that
    both become viable), then the smaller neighbour, then the lower grade.
    """
    target = np.arange(len(size))
    absorbed = np.zeros(len(size), dtype=bool)
    size = size.copy()
    for bucket in np.flatnonzero(size < minimum):
        if absorbed[bucket] or target[bucket] != bucket or rank[bucket] < 0:
            continue
        neighbours = [
            other
            for other in (bucket - 1, bucket + 1)
            if 0 <= other < len(size)
            and family[other] == family[bucket]
            and abs(rank[other] - rank[bucket]) == 1
            and target[other] == other
            and not absorbed[other]
        ]
        if neighbours:
            chosen = min(neighbours, key=lambda other: (size[other], rank[other]))
            target[bucket] = chosen
            absorbed[chosen] = True
            size[chosen] += size[bucket]
    return target


@dataclass(frozen=True, slots=True)
class NewGroups:
    rows: np.ndarray  # entrant rows, in group order
    group_of_row: np.ndarray  # index into the group arrays below, per entry of ``rows``
    anchor_rows: np.ndarray  # an entrant row of the bucket that names each group
    sequence: np.ndarray  # 1, 2, ... within the anchor bucket
    grades: list[str]


def chunk_new_groups(entrants: pa.Table, policy: TutoringPolicy) -> NewGroups:
    """Cut each bucket (merged where too small) into near-equal groups of at most ``max_group_size``.

    Balanced chunks (5 -> 3 + 2, not 4 + 1) keep lone students out of groups whenever the bucket allows.
    """
    key = _bucket_key(entrants, entrants.column("grade"))
    starts = run_starts(key)
    sizes = np.diff(np.append(starts, entrants.num_rows))
    family_key = _bucket_key(entrants, pa.array([""] * entrants.num_rows, pa.string()))
    family = np.searchsorted(run_starts(family_key), starts, side="right")
    rank = entrants.column("grade_rank").to_numpy()
    target = _merge_small_buckets(family, rank[starts], sizes, policy.min_group_size)
    unit = np.repeat(target, sizes)
    order = np.argsort(unit, kind="stable")
    unit_sorted = unit[order]
    unit_starts = run_starts(pa.array(unit_sorted))
    unit_sizes = np.diff(np.append(unit_starts, len(order)))
    chunks = -(-unit_sizes // policy.max_group_size)
    position = np.arange(len(order)) - np.repeat(unit_starts, unit_sizes)
    chunk = position * np.repeat(chunks, unit_sizes) // np.repeat(unit_sizes, unit_sizes)
    group_of_row = np.repeat(np.cumsum(chunks) - chunks, unit_sizes) + chunk
    group_starts = run_starts(pa.array(group_of_row))
    member_rank = rank[order]
    low = np.minimum.reduceat(member_rank, group_starts) if len(order) else member_rank
    high = np.maximum.reduceat(member_rank, group_starts) if len(order) else member_rank
    anchor_rows = starts[unit_sorted[group_starts]]
    member_grades = entrants.column("grade").take(pa.array(order[group_starts])).to_pylist()
    grades = [
        grade if lo == hi or lo < 0 else f"{GRADE_ORDER[lo]},{GRADE_ORDER[hi]}"
        for grade, lo, hi in zip(member_grades, low.tolist(), high.tolist(), strict=True)
    ]
    return NewGroups(order, group_of_row, anchor_rows, chunk[group_starts] + 1, grades)


def _next_sequence(groups: pa.Table, cycle_source_id: str) -> dict[str, int]:
    """Highest sequence used per group-id prefix in the cycle, so a second run never reuses an id."""
    used: dict[str, int] = {}
    same_cycle = groups.filter(pc.equal(groups.column("cycle_source_id"), cycle_source_id))
    for source_id in same_cycle.column("source_id").to_pylist():
        prefix, _, sequence = source_id.rpartition(":")
        if sequence.isdigit():
            used[prefix] = max(used.get(prefix, 0), int(sequence))
    return used


def describe_new_groups(
    entrants: pa.Table, chunked: NewGroups, groups: pa.Table, cycle_source_id: str, formed_on: date
) -> list[dict]:
    """tutoring_group rows for the new groups; ids are cycle:school:subject:domain:grade:sequence."""
    used = _next_sequence(groups, cycle_source_id)
    anchors = entrants.take(pa.array(chunked.anchor_rows, pa.int64())).to_pylist()
    new = []
    for anchor, sequence, grades in zip(anchors, chunked.sequence.tolist(), chunked.grades, strict=True):
        parts = [anchor[key] for key in ("school", "subject", "canonical_domain", "grade")]
        prefix = ":".join([cycle_source_id, *parts])
        new.append(
            {
                "source_id": f"{prefix}:{used.get(prefix, 0) + sequence}",
                "school_source_id": anchor["school"] or None,
                "subject": anchor["subject"],
                "canonical_domain": anchor["canonical_domain"],
                "grades": grades,
                "tutor_person_source_id": None,
                "cycle_source_id": cycle_source_id,
                "formed_on": formed_on,
            }
        )
    return new
