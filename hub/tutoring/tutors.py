"""Tutor assignment: a continuing group keeps its tutor; the others get one while anyone has capacity.

The same tutor every session is what makes tutoring work, so continuity comes before any balancing.
"""

from __future__ import annotations

from collections import deque

import pyarrow as pa


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


def assign_tutors(continuing: list[dict], new: list[dict], tutors: pa.Table) -> None:
    """Set ``tutor_person_source_id`` on every continuing and new group row, in place.

    A continuing group whose tutor left or no longer teaches the subject gets a new tutor, first in line;
    a group left without one when capacity runs out shows up in ``Grouping.untutored``.
    """
    pools = _TutorPools(tutors)
    orphaned = [
        group for group in continuing if not pools.keep(group["tutor_person_source_id"], group["subject"])
    ]
    for group in orphaned + new:
        group["tutor_person_source_id"] = pools.take(group["school_source_id"], group["subject"])
