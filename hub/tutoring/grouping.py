"""Skill-targeted groups: students who share a primary skill gap and grade, at most a handful, one tutor.

Work is done in bulk on sorted Arrow columns; Python loops run over groups and buckets (thousands), never
over students. The same input always gives the same groups: every sort is total (it ends on the student's
id) and group ids are built from school, subject, domain, grade, cycle and a sequence.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics import primary_gap
from hub.model import arrow_schema, conform
from hub.skills import DOMAINS
from hub.tutoring.policy import TutoringError, TutoringPolicy
from hub.tutoring.tiers import pick_first, relabel, window_rank

GRADE_ORDER = ("IT", "PR", "PK", "TK", "KG", *(f"{grade:02d}" for grade in range(1, 14)))
"""CEDS grade codes in school order; grades outside it (UG, Other) never merge with a neighbour."""
DOMAIN_LABELS = {key: name for domains in DOMAINS.values() for key, name in domains.items()}
WINDOW_KEYS = ["person_source_id", "subject", "school_year", "window"]
SEP = "\x1f"  # joins key parts: a control character that no roster or vendor id contains


@dataclass(frozen=True, slots=True)
class Grouping:
    """All groups and memberships after a grouping run, history included (closed rows are kept)."""

    groups: pa.Table
    memberships: pa.Table

    @property
    def untutored(self) -> pa.Table:
        """Groups with students but no tutor: the tutor capacity shortfall, visible rather than hidden."""
        still_in = pc.is_null(self.memberships.column("exit_date"))
        active = self.memberships.filter(still_in).column("group_source_id").unique()
        return self.groups.filter(
            pc.and_(
                pc.is_null(self.groups.column("tutor_person_source_id")),
                pc.is_in(self.groups.column("source_id"), value_set=active),
            )
        )


def open_memberships(memberships: pa.Table) -> pa.Table:
    """Memberships without an exit; refuses a student open in two groups of one subject."""
    current = memberships.filter(pc.is_null(memberships.column("exit_date")))
    counts = current.group_by(["person_source_id", "subject"]).aggregate([("group_source_id", "count")])
    doubled = counts.filter(pc.greater(counts.column("group_source_id_count"), 1))
    if doubled.num_rows:
        raise TutoringError(
            f"{doubled.num_rows} student(s) hold open memberships in two groups of one subject; "
            "close one of each pair before grouping again"
        )
    return current


def eligible_students(tiers: pa.Table, gaps: pa.Table, policy: TutoringPolicy) -> pa.Table:
    """Students meeting the entry criteria, each with the primary gap and the evidence that placed them.

    Each student's latest tier per subject counts, joined to the primary gap of the same window.
    """
    # Only students with an entry tier in some window can be eligible: find their latest tier alone.
    wanted = pc.is_in(tiers.column("tier"), value_set=pa.array(policy.entry_tiers, pa.int64()))
    candidates = tiers.filter(wanted).select(["person_source_id", "subject"])
    tiers = tiers.join(candidates, ["person_source_id", "subject"], join_type="left semi")
    ranked = tiers.append_column("_window", window_rank(tiers.column("window")))
    latest = pick_first(
        ranked,
        ["person_source_id", "subject"],
        [
            ("person_source_id", "ascending"),
            ("subject", "ascending"),
            ("school_year", "descending"),
            ("_window", "descending"),
        ],
    )
    latest = latest.filter(
        pc.is_in(latest.column("tier"), value_set=pa.array(policy.entry_tiers, pa.int64()))
    )
    relevant = gaps.join(latest.select(WINDOW_KEYS), WINDOW_KEYS, join_type="left semi")
    primary = primary_gap(relevant).select(
        [*WINDOW_KEYS, "canonical_domain", "severity", "evidence_result_source_id", "evidence"]
    )
    joined = latest.join(primary, WINDOW_KEYS, join_type="inner")
    domain = joined.column("canonical_domain")
    evidence = pc.binary_join_element_wise(
        joined.column("basis"),
        "; primary gap ",
        relabel(domain, DOMAIN_LABELS),
        " (severity ",
        pc.cast(joined.column("severity"), pa.string()),
        "): ",
        joined.column("evidence"),
        "",
    )
    grade = pc.fill_null(joined.column("grade"), "")
    return pa.table(
        {
            "person_source_id": joined.column("person_source_id"),
            "subject": joined.column("subject"),
            "school": pc.fill_null(joined.column("school_source_id"), ""),
            "canonical_domain": domain,
            "grade": grade,
            "grade_rank": pc.fill_null(pc.index_in(grade, value_set=pa.array(GRADE_ORDER)), -100),
            "tier": joined.column("tier"),
            "severity": joined.column("severity"),
            "entry_result_source_id": joined.column("evidence_result_source_id"),
            "entry_evidence": evidence,
        }
    )


def _bucket_key(table: pa.Table, grade: pa.Array | pa.ChunkedArray) -> pa.Array:
    return pc.binary_join_element_wise(
        table.column("school"), table.column("subject"), table.column("canonical_domain"), grade, SEP
    )


def _run_starts(key: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Positions where a sorted key column changes value (always including 0 when non-empty)."""
    if len(key) == 0:
        return np.zeros(0, dtype=np.int64)
    changed = pc.not_equal(key[1:], key[:-1]).to_numpy(zero_copy_only=False)
    return np.concatenate([[0], np.flatnonzero(changed) + 1]).astype(np.int64)


def _expand(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Row positions of the ranges [start, start + count), concatenated, without a loop."""
    total = int(counts.sum())
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return offsets + np.arange(total, dtype=np.int64)


def _fill_open_seats(
    entrants: pa.Table, continuing: list[dict], free_seats: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Free seats of continuing groups go first to new entrants of the same domain and grade.

    Returns the rows of ``entrants`` (sorted by bucket) that were seated, and their group ids.
    """
    key = _bucket_key(entrants, entrants.column("grade"))
    starts = _run_starts(key)
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
    rows = _expand(np.array(seat_starts, dtype=np.int64), counts)
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
class _NewGroups:
    rows: np.ndarray  # entrant rows, in group order
    group_of_row: np.ndarray  # index into the group arrays below, per entry of ``rows``
    anchor_rows: np.ndarray  # an entrant row of the bucket that names each group
    sequence: np.ndarray  # 1, 2, ... within the anchor bucket
    grades: list[str]


def _chunk_new_groups(entrants: pa.Table, policy: TutoringPolicy) -> _NewGroups:
    """Cut each bucket (merged where too small) into near-equal groups of at most ``max_group_size``.

    Balanced chunks (5 -> 3 + 2, not 4 + 1) keep lone students out of groups whenever the bucket allows.
    """
    key = _bucket_key(entrants, entrants.column("grade"))
    starts = _run_starts(key)
    sizes = np.diff(np.append(starts, entrants.num_rows))
    family_key = _bucket_key(entrants, pa.array([""] * entrants.num_rows, pa.string()))
    family = np.searchsorted(_run_starts(family_key), starts, side="right")
    rank = entrants.column("grade_rank").to_numpy()
    target = _merge_small_buckets(family, rank[starts], sizes, policy.min_group_size)
    unit = np.repeat(target, sizes)
    order = np.argsort(unit, kind="stable")
    unit_sorted = unit[order]
    unit_starts = _run_starts(pa.array(unit_sorted))
    unit_sizes = np.diff(np.append(unit_starts, len(order)))
    chunks = -(-unit_sizes // policy.max_group_size)
    position = np.arange(len(order)) - np.repeat(unit_starts, unit_sizes)
    chunk = position * np.repeat(chunks, unit_sizes) // np.repeat(unit_sizes, unit_sizes)
    group_of_row = np.repeat(np.cumsum(chunks) - chunks, unit_sizes) + chunk
    group_starts = _run_starts(pa.array(group_of_row))
    member_rank = rank[order]
    low = np.minimum.reduceat(member_rank, group_starts) if len(order) else member_rank
    high = np.maximum.reduceat(member_rank, group_starts) if len(order) else member_rank
    anchor_rows = starts[unit_sorted[group_starts]]
    member_grades = entrants.column("grade").take(pa.array(order[group_starts])).to_pylist()
    grades = [
        grade if lo == hi or lo < 0 else f"{GRADE_ORDER[lo]},{GRADE_ORDER[hi]}"
        for grade, lo, hi in zip(member_grades, low.tolist(), high.tolist(), strict=True)
    ]
    return _NewGroups(order, group_of_row, anchor_rows, chunk[group_starts] + 1, grades)


class _TutorPools:
    """Round-robin over the tutors who may take a group: the school's own first, then any-school tutors.

    A tutor sits in one queue per (school, subject) they serve; capacity is shared across queues, so a
    tutor popped with no capacity left is dropped from that queue. Amortised O(1) per group.
    """

    def __init__(self, tutors: pa.Table) -> None:
        self.remaining: dict[str, int] = {}
        self.subjects: dict[str, set[str]] = {}
        self.queues: dict[tuple[str | None, str], deque[str]] = {}
        for tutor in tutors.sort_by("source_id").to_pylist():
            tutor_id = tutor["source_id"]
            self.subjects[tutor_id] = {s.strip() for s in (tutor["subjects"] or "").split(",") if s.strip()}
            self.remaining[tutor_id] = tutor["max_groups"] or 0
            schools = tutor["school_source_ids"]
            places = [None] if not schools else [s.strip() for s in schools.split(",") if s.strip()]
            for subject in sorted(self.subjects[tutor_id]):
                for school in places:
                    self.queues.setdefault((school, subject), deque()).append(tutor_id)

    def keep(self, tutor_id: str | None, subject: str) -> bool:
        """Hold a seat for a continuing group's tutor if they still teach the subject."""
        if tutor_id is None or subject not in self.subjects.get(tutor_id, ()):
            return False
        self.remaining[tutor_id] -= 1
        return True

    def take(self, school: str | None, subject: str) -> str | None:
        for place in (school, None):
            queue = self.queues.get((place, subject))
            while queue:
                tutor_id = queue.popleft()
                if self.remaining[tutor_id] > 0:
                    self.remaining[tutor_id] -= 1
                    if self.remaining[tutor_id] > 0:
                        queue.append(tutor_id)
                    return tutor_id
        return None


def _assign_tutors(continuing: list[dict], new: list[dict], tutors: pa.Table) -> None:
    """Continuing groups keep their tutor (continuity); the others get one if anyone has capacity left.

    A continuing group whose tutor left or no longer teaches the subject gets a new tutor, first in line.
    """
    pools = _TutorPools(tutors)
    orphaned = [
        group for group in continuing if not pools.keep(group["tutor_person_source_id"], group["subject"])
    ]
    for group in orphaned + new:
        group["tutor_person_source_id"] = pools.take(group["school_source_id"], group["subject"])


ENTRANT_ORDER = [
    ("school", "ascending"),
    ("subject", "ascending"),
    ("canonical_domain", "ascending"),
    ("grade_rank", "ascending"),
    ("grade", "ascending"),
    ("tier", "descending"),
    ("severity", "descending"),
    ("person_source_id", "ascending"),
]
"""Neediest first within a bucket, so they take the free seats of continuing groups."""


def _next_sequence(groups: pa.Table, cycle_source_id: str) -> dict[str, int]:
    """Highest sequence used per group-id prefix in the cycle, so a second run never reuses an id."""
    used: dict[str, int] = {}
    same_cycle = groups.filter(pc.equal(groups.column("cycle_source_id"), cycle_source_id))
    for source_id in same_cycle.column("source_id").to_pylist():
        prefix, _, sequence = source_id.rpartition(":")
        if sequence.isdigit():
            used[prefix] = max(used.get(prefix, 0), int(sequence))
    return used


def _placements(entrants: pa.Table, group_ids: pa.Array, formed_on: date) -> pa.Table:
    person = entrants.column("person_source_id")
    day = pa.array([formed_on] * entrants.num_rows, pa.date32())
    return conform(
        "group_membership",
        pa.table(
            {
                "source_id": pc.binary_join_element_wise(group_ids, person, pc.cast(day, pa.string()), ":"),
                "group_source_id": group_ids,
                "person_source_id": person,
                "subject": entrants.column("subject"),
                "entry_date": day,
                "entry_result_source_id": entrants.column("entry_result_source_id"),
                "entry_evidence": entrants.column("entry_evidence"),
            }
        ),
    )


def _describe_new_groups(
    remaining: pa.Table, chunked: _NewGroups, used: dict[str, int], cycle_source_id: str, formed_on: date
) -> list[dict]:
    """tutoring_group rows for the new groups; ids are cycle:school:subject:domain:grade:sequence."""
    anchors = remaining.take(pa.array(chunked.anchor_rows, pa.int64())).to_pylist()
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


def form_groups(
    tiers: pa.Table,
    gaps: pa.Table,
    tutors: pa.Table,
    *,
    cycle_source_id: str,
    formed_on: date,
    policy: TutoringPolicy,
    groups: pa.Table | None = None,
    memberships: pa.Table | None = None,
    blocked: pa.Table | None = None,
) -> Grouping:
    """Place every eligible student not yet in a group of the subject; keep continuing groups intact.

    ``tiers`` (tier_assignment), ``gaps`` (skill_gap) and ``tutors`` (tutor_profile) are the current
    data; ``groups`` and ``memberships`` the history so far; ``blocked`` lists (person_source_id, subject)
    pairs that must not enter now (e.g. exited at this boundary). Open groups keep their students and
    tutor; their free seats go to new entrants of the same domain and grade before new groups form.
    """
    groups = conform("tutoring_group", groups) if groups is not None else empty("tutoring_group")
    memberships = (
        conform("group_membership", memberships) if memberships is not None else empty("group_membership")
    )
    current = open_memberships(memberships)
    excluded = current.select(["person_source_id", "subject"])
    if blocked is not None:
        excluded = pa.concat_tables([excluded, blocked.select(["person_source_id", "subject"])])
    entrants = eligible_students(tiers, gaps, policy)
    entrants = entrants.join(excluded, ["person_source_id", "subject"], join_type="left anti").sort_by(
        ENTRANT_ORDER
    )

    sizes = current.group_by("group_source_id").aggregate([("person_source_id", "count")])
    members = dict(zip(sizes.column(0).to_pylist(), sizes.column(1).to_pylist(), strict=True))
    is_open = pc.is_in(groups.column("source_id"), value_set=sizes.column("group_source_id"))
    continuing = groups.filter(is_open).sort_by("source_id").to_pylist()
    free = {group_id: policy.max_group_size - count for group_id, count in members.items()}
    seated_rows, seated_groups = _fill_open_seats(entrants, continuing, free)

    unseated = np.ones(entrants.num_rows, dtype=bool)
    unseated[seated_rows] = False
    remaining = entrants.filter(pa.array(unseated))
    chunked = _chunk_new_groups(remaining, policy)
    new = _describe_new_groups(
        remaining, chunked, _next_sequence(groups, cycle_source_id), cycle_source_id, formed_on
    )
    _assign_tutors(continuing, new, tutors)

    continuing_ids = pa.array([group["source_id"] for group in continuing], pa.string())
    continuing_tutors = pa.array([group["tutor_person_source_id"] for group in continuing], pa.string())
    kept_tutor = pc.if_else(
        is_open,
        continuing_tutors.take(pc.index_in(groups.column("source_id"), value_set=continuing_ids)),
        groups.column("tutor_person_source_id"),
    )
    groups = groups.set_column(
        groups.schema.get_field_index("tutor_person_source_id"), "tutor_person_source_id", kept_tutor
    )
    new_ids = pa.array([group["source_id"] for group in new], pa.string())
    placed = [
        _placements(
            entrants.take(pa.array(seated_rows, pa.int64())), pa.array(seated_groups, pa.string()), formed_on
        ),
        _placements(
            remaining.take(pa.array(chunked.rows, pa.int64())),
            new_ids.take(pa.array(chunked.group_of_row)),
            formed_on,
        ),
    ]
    return Grouping(
        groups=pa.concat_tables([groups, conform("tutoring_group", pa.Table.from_pylist(new))]).sort_by(
            "source_id"
        ),
        memberships=pa.concat_tables([memberships, *placed]).sort_by("source_id"),
    )


def empty(name: str) -> pa.Table:
    return arrow_schema(name).empty_table()
