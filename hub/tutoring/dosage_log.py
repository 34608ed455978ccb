"""Attendance rows set against the session log: what dosage counts, for a whole district or one student part.

Every part of a district is measured against the same log, so that the parts agree on each session's
place in it (the first session of a student's week is the first in the log's order) and on each tutor's
code (tutors are coded in the order the log first names them): a part's figures are then the district's
for its students, and its counts per session add up with the other parts' to the district's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring.sessions import ATTENDED, CANCELLED, session_facts


@dataclass(frozen=True, slots=True)
class SessionCounts:
    """Per session of the log (by its place): attendance rows logged, students present, rows not
    cancelled. Counts of disjoint sets of attendance rows add up to the counts of their union."""

    logged: np.ndarray
    present: np.ndarray
    held: np.ndarray

    def __add__(self, other: SessionCounts) -> SessionCounts:
        return SessionCounts(self.logged + other.logged, self.present + other.present, self.held + other.held)


@dataclass(frozen=True, slots=True)
class Logged:
    """Attendance rows of sessions the log holds, each with its session's place and what it counts as."""

    rows: pa.Table
    session: np.ndarray
    held: np.ndarray
    attended: np.ndarray


@dataclass(frozen=True, slots=True)
class SessionLog:
    """The log's sessions with their facts (``session_facts``), and their tutors coded by first mention."""

    facts: pa.Table
    tutors: pa.DictionaryArray

    @classmethod
    def of(cls, sessions: pa.Table, groups: pa.Table) -> SessionLog:
        facts = session_facts(sessions, groups)
        return cls(facts, pc.dictionary_encode(facts["tutor_person_source_id"].combine_chunks()))

    def logged(self, attendance: pa.Table) -> Logged:
        """``attendance`` at its sessions' places, by position (``index_in``): a million rows are grouped
        without copying the session's text onto each. A row of a session the log does not hold is left
        out."""
        at = pc.index_in(attendance["session_source_id"], self.facts["session_source_id"])
        rows = attendance.filter(pc.is_valid(at))
        return Logged(
            rows,
            at.filter(pc.is_valid(at)).to_numpy(zero_copy_only=False).astype(np.int64),
            pc.not_equal(rows["attendance"], CANCELLED).to_numpy(zero_copy_only=False),
            pc.is_in(rows["attendance"], pa.array(ATTENDED)).to_numpy(zero_copy_only=False),
        )

    def no_counts(self) -> SessionCounts:
        """Counts of no attendance: what a district's parts' counts are added to."""
        nothing = np.zeros(self.facts.num_rows, dtype=np.int64)
        return SessionCounts(nothing, nothing, nothing)

    def counts(self, attendance: pa.Table) -> SessionCounts:
        """Per session, what ``attendance`` (``session_source_id`` and ``attendance`` are enough) logs."""
        logged = self.logged(attendance)
        size = self.facts.num_rows
        return SessionCounts(
            np.bincount(logged.session, minlength=size),
            np.bincount(logged.session[logged.attended], minlength=size),
            np.bincount(logged.session[logged.held], minlength=size),
        )
