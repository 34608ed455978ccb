"""Skill-targeted groups: students who share a primary skill gap and grade, at most a handful, one tutor.

``form_groups`` puts the steps together: who enters (entry), where they sit (seating), who tutors
(tutors). Open groups keep their students and tutor; rows are only ever added, so history stays whole.
A new group no tutor can take is not formed: its students are recorded as not placed ("no tutor
capacity") and enter at a later boundary, so that an open membership always means a student someone
tutors. A continuing group whose tutor left and found no other is kept, and counted (``untutored``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics._arrow import put_column
from hub.model import arrow_schema, conform
from hub.tutoring._arrow import history, pick_first
from hub.tutoring._labels import DOMAIN_LABELS, SUBJECT_LABELS, relabel
from hub.tutoring.entry import eligible_students
from hub.tutoring.errors import TutoringError
from hub.tutoring.policy import TutoringPolicy
from hub.tutoring.seating import chunk_new_groups, describe_new_groups, fill_open_seats
from hub.tutoring.tutors import assign_tutors

NO_TUTOR_CAPACITY = "no_tutor_capacity"
AWAITING_NEW_TEST = "awaiting_new_test"
UNPLACED_LABELS = {
    NO_TUTOR_CAPACITY: "no tutor capacity",
    AWAITING_NEW_TEST: "waits for a new test",
}
"""Why a student who meets the entry criteria is not in a group, per reason code."""

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


@dataclass(frozen=True, slots=True)
class Grouping:
    """All groups and memberships after a grouping run, history included (closed rows are kept)."""

    groups: pa.Table
    memberships: pa.Table
    reviews: pa.Table = field(default_factory=lambda: arrow_schema("tutoring_review").empty_table())
    unplaced: pa.Table = field(default_factory=lambda: arrow_schema("unplaced_entrant").empty_table())
    """Entrants not placed at the boundaries decided (``unplaced_entrant`` rows)."""

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
                "tutored_since": day,
                "entry_result_source_id": entrants.column("entry_result_source_id"),
                "entry_evidence": entrants.column("entry_evidence"),
            }
        ),
    )


def unplaced_rows(entrants: pa.Table, code: str, formed_on: date, detail: pa.Array | None = None) -> pa.Table:
    """``unplaced_entrant`` rows for ``entrants`` (eligible_students rows) not placed for ``code``."""
    day = pa.array([formed_on] * entrants.num_rows, pa.date32())
    label = pa.array([UNPLACED_LABELS[code]] * entrants.num_rows, pa.string())
    if detail is not None:
        label = pc.binary_join_element_wise(label, detail, ": ")
    return conform(
        "unplaced_entrant",
        pa.table(
            {
                "source_id": pc.binary_join_element_wise(
                    entrants.column("person_source_id"),
                    entrants.column("subject"),
                    day.cast(pa.string()),
                    ":",
                ),
                "person_source_id": entrants.column("person_source_id"),
                "subject": entrants.column("subject"),
                "school_source_id": pc.if_else(
                    pc.equal(entrants.column("school"), ""),
                    pa.scalar(None, pa.string()),
                    entrants.column("school"),
                ),
                "grade": entrants.column("grade"),
                "canonical_domain": entrants.column("canonical_domain"),
                "boundary_date": day,
                "reason_code": pa.array([code] * entrants.num_rows, pa.string()),
                "reason": label,
            }
        ),
    )


def _no_capacity_detail(entrants: pa.Table) -> pa.Array:
    """ "Math, Number and Operations, grade 03": the group no tutor could take, per entrant."""
    return pc.binary_join_element_wise(
        relabel(entrants.column("subject"), SUBJECT_LABELS),
        relabel(entrants.column("canonical_domain"), DOMAIN_LABELS),
        pc.binary_join_element_wise("grade", entrants.column("grade"), " "),
        ", ",
    )


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
    eligible: pa.Table | None = None,
) -> Grouping:
    """Place every eligible student not yet in a group of the subject; keep continuing groups intact.

    ``tiers`` (tier_assignment), ``gaps`` (skill_gap) and ``tutors`` (tutor_profile) are the current
    data; ``groups`` and ``memberships`` the history so far; ``blocked`` holds entrants that must not
    enter now (see ``_hold_back``). Open groups keep their students and tutor; their free seats go to new
    entrants of the same domain and grade before new groups form. ``unplaced`` says who did not enter.
    ``eligible`` is ``eligible_students(tiers, gaps, policy)`` when the caller has it already (a boundary
    reads it for its reviews too; it is among the costliest joins of the boundary).
    """
    groups = history("tutoring_group", groups)
    memberships = history("group_membership", memberships)
    current = open_memberships(memberships)
    eligible = eligible if eligible is not None else eligible_students(tiers, gaps, policy)
    entrants = eligible.join(
        current.select(["person_source_id", "subject"]),
        ["person_source_id", "subject"],
        join_type="left anti",
    )
    held = []
    if blocked is not None and blocked.num_rows:
        entrants, held = _hold_back(entrants, blocked, formed_on)
    entrants = entrants.sort_by(ENTRANT_ORDER)

    sizes = current.group_by("group_source_id").aggregate([("person_source_id", "count")])
    members = dict(zip(sizes.column(0).to_pylist(), sizes.column(1).to_pylist(), strict=True))
    is_open = pc.is_in(groups.column("source_id"), value_set=sizes.column("group_source_id"))
    continuing = groups.filter(is_open).sort_by("source_id").to_pylist()
    free = {group_id: policy.max_group_size - count for group_id, count in members.items()}
    seated_rows, seated_groups = fill_open_seats(entrants, continuing, free)

    unseated = np.ones(entrants.num_rows, dtype=bool)
    unseated[seated_rows] = False
    remaining = entrants.filter(pa.array(unseated))
    chunked = chunk_new_groups(remaining, policy)
    new = describe_new_groups(remaining, chunked, groups, cycle_source_id, formed_on)
    assign_tutors(continuing, new, tutors)
    tutored = np.array([group["tutor_person_source_id"] is not None for group in new], dtype=bool)
    formed = tutored[chunked.group_of_row] if len(new) else np.zeros(0, dtype=bool)
    new_rows = remaining.take(pa.array(chunked.rows, pa.int64()))
    without_tutor = new_rows.filter(pa.array(~formed))
    unplaced = [
        *held,
        unplaced_rows(without_tutor, NO_TUTOR_CAPACITY, formed_on, _no_capacity_detail(without_tutor)),
    ]

    continuing_ids = pa.array([group["source_id"] for group in continuing], pa.string())
    continuing_tutors = pa.array([group["tutor_person_source_id"] for group in continuing], pa.string())
    kept_tutor = pc.if_else(
        is_open,
        continuing_tutors.take(pc.index_in(groups.column("source_id"), value_set=continuing_ids)),
        groups.column("tutor_person_source_id"),
    )
    groups = put_column(groups, "tutor_person_source_id", kept_tutor)
    new_ids = pa.array([group["source_id"] for group in new], pa.string())
    placed = [
        _placements(
            entrants.take(pa.array(seated_rows, pa.int64())), pa.array(seated_groups, pa.string()), formed_on
        ),
        _placements(
            new_rows.filter(pa.array(formed)),
            new_ids.take(pa.array(chunked.group_of_row[formed])),
            formed_on,
        ),
    ]
    new = [group for group, kept in zip(new, tutored.tolist(), strict=True) if kept]
    return Grouping(
        groups=pa.concat_tables([groups, conform("tutoring_group", pa.Table.from_pylist(new))]).sort_by(
            "source_id"
        ),
        memberships=pa.concat_tables([memberships, *placed]).sort_by("source_id"),
        unplaced=pa.concat_tables(unplaced),
    )


def _hold_back(entrants: pa.Table, blocked: pa.Table, on: date) -> tuple[pa.Table, list[pa.Table]]:
    """Entrants without the ``blocked`` ones; and, for blocks with a reason code, their unplaced rows.

    ``blocked``: person_source_id, subject, canonical_domain (null: any domain), reason_code (null: say
    nothing, e.g. off the roster), detail (what the block rests on).
    """
    keys = ["person_source_id", "subject"]
    rows = entrants.append_column("_row", pa.array(np.arange(entrants.num_rows)))
    matched = rows.join(blocked.rename_columns({"canonical_domain": "_domain"}), keys, join_type="inner")
    hit = matched.filter(
        pc.or_kleene(
            pc.is_null(matched.column("_domain")),
            pc.equal(matched.column("_domain"), matched.column("canonical_domain")),
        )
    )
    kept = np.ones(entrants.num_rows, dtype=bool)
    kept[hit.column("_row").to_numpy()] = False
    said = hit.filter(pc.is_valid(hit.column("reason_code")))
    if said.num_rows:
        said = pick_first(said, ["_row"], [("_row", "ascending")])
    held = []
    for code in UNPLACED_LABELS:
        part = said.filter(pc.equal(said.column("reason_code"), code))
        if part.num_rows:
            held.append(unplaced_rows(part, code, on, part.column("detail")))
    return entrants.filter(pa.array(kept)), held
