"""What a cycle boundary sees and weighs: the tests taken before it, of the students it could touch.

A boundary weighs the tests and tiers of two kinds of student only: those in a group now (exits) and those
a test places in an entry tier (entry, and the checks that hold some of them back). Narrowing the night's
tables to them before tiers are built decides alike and spares building a district's tiers, and copying
its skill gaps, at every boundary.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring.entry import WINDOW_KEYS, admits, latest_admitting
from hub.tutoring.grouping import open_memberships
from hub.tutoring.policy import TutoringPolicy
from hub.tutoring.tiers import tier_by_rule


def weighed_people(
    results: pa.Table, memberships: pa.Table, policy: TutoringPolicy, known: pa.ChunkedArray | None = None
) -> pa.ChunkedArray:
    """Students in an open membership, or placed in an entry tier by one of ``results`` (those ``known``).

    Over every test and the memberships before a replay, a superset of whom any of its boundaries weighs:
    who enters at one boundary is among them before the next.
    """
    entering = pc.fill_null(admits(tier_by_rule(results, policy), policy), False)
    if known is not None:
        entering = pc.and_(known, entering)
    return pa.chunked_array(
        [
            results.column("person_source_id").filter(entering).unique(),
            open_memberships(memberships).column("person_source_id").unique(),
        ],
        pa.string(),
    )


def of_people(table: pa.Table, people: pa.ChunkedArray) -> pa.Table:
    """The rows of ``table`` whose ``person_source_id`` is among ``people``."""
    return table.filter(pc.is_in(table.column("person_source_id"), value_set=people))


def weighed_results(
    results: pa.Table, boundary: date, memberships: pa.Table, policy: TutoringPolicy
) -> pa.Table:
    """The ``results`` taken before ``boundary`` of the students in a group or placed in an entry tier.

    Every test of such a student is kept (both subjects), so each of their windows is tiered from all of
    its tests, exactly as from the whole table.
    """
    known = pc.less(results.column("test_date"), pa.scalar(boundary, pa.date32()))
    people = weighed_people(results, memberships, policy, known)
    return results.filter(pc.and_(known, pc.is_in(results.column("person_source_id"), value_set=people)))


def gaps_seen(gaps: pa.Table, tiers: pa.Table, weighed: pa.Table, policy: TutoringPolicy) -> pa.Table:
    """The ``gaps`` entry may use: of each student's latest admitting window, evidence among ``weighed``.

    Entry reads no other window's gaps, so narrowing to those windows first only shrinks the copy. A gap's
    evidence is a test of its own student, so a gap of a tiered window whose evidence was taken before
    the boundary has it among ``weighed``.
    """
    windows = latest_admitting(tiers, policy).select(WINDOW_KEYS)
    narrowed = gaps.join(windows, WINDOW_KEYS, join_type="left semi")
    seen = weighed.column("source_id").combine_chunks()
    return narrowed.filter(pc.is_in(narrowed.column("evidence_result_source_id"), value_set=seen))
