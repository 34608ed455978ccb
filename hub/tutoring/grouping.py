"""Skill-targeted groups: students who share a primary skill gap and grade, at most a handful, one tutor.

``form_groups`` puts the steps together: who enters (entry), where they sit (seating), who tutors
(tutors). Open groups keep their students and tutor; rows are only ever added, so history stays whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics._arrow import put_column
from hub.model import conform
from hub.tutoring._arrow import history
from hub.tutoring.entry import eligible_students
from hub.tutoring.errors import TutoringError
from hub.tutoring.policy import TutoringPolicy
from hub.tutoring.seating import chunk_new_groups, describe_new_groups, fill_open_seats
from hub.tutoring.tutors import assign_tutors

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
                "entry_result_source_id": entrants.column("entry_result_source_id"),
                "entry_evidence": entrants.column("entry_evidence"),
            }
        ),
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
) -> Grouping:
    """Place every eligible student not yet in a group of the subject; keep continuing groups intact.

    ``tiers`` (tier_assignment), ``gaps`` (skill_gap) and ``tutors`` (tutor_profile) are the current
    data; ``groups`` and ``memberships`` the history so far; ``blocked`` lists (person_source_id, subject)
    pairs that must not enter now (e.g. exited at this boundary). Open groups keep their students and
    tutor; their free seats go to new entrants of the same domain and grade before new groups form.
    """
    groups = history("tutoring_group", groups)
    memberships = history("group_membership", memberships)
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
    seated_rows, seated_groups = fill_open_seats(entrants, continuing, free)

    unseated = np.ones(entrants.num_rows, dtype=bool)
    unseated[seated_rows] = False
    remaining = entrants.filter(pa.array(unseated))
    chunked = chunk_new_groups(remaining, policy)
    new = describe_new_groups(remaining, chunked, groups, cycle_source_id, formed_on)
    assign_tutors(continuing, new, tutors)

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
