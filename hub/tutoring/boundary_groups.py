"""The groups a cycle boundary changed: formed, joined by new entrants, merged into another, closed.

Read from what the boundary stored (``tutoring_group.formed_on`` / ``closed_on`` and the memberships
opened and closed on its date), never decided again. A group whose students all moved into another one
(regrouping: "moved to group ...") is *merged*, not merely closed; a group closed because its last
students exited is *closed*.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring._arrow import require
from hub.tutoring.exits import REGROUPED, reason_codes

FORMED, JOINED, MERGED, CLOSED = "formed", "joined", "merged", "closed"
CHANGES = (FORMED, JOINED, MERGED, CLOSED)
"""In the order a packet lists them."""
GROUP_COLUMNS = ["school_source_id", "subject", "canonical_domain", "grades", "tutor_person_source_id"]


def _students(memberships: pa.Table) -> pa.Table:
    """group_source_id -> the sorted list of its ``memberships``' students."""
    ordered = memberships.sort_by([("group_source_id", "ascending"), ("person_source_id", "ascending")])
    listed = ordered.group_by("group_source_id", use_threads=False).aggregate([("person_source_id", "list")])
    return listed.rename_columns(["group_source_id", "students"])


def group_changes(boundary: date, groups: pa.Table, memberships: pa.Table) -> pa.Table:
    """One row per group and change at ``boundary``: ``change``, ``into_group_source_id`` (merged only),
    the group's school, subject, domain, grades and tutor, and ``students`` (who entered, moved or left).
    """
    require(groups, ["source_id", *GROUP_COLUMNS, "formed_on", "closed_on"], "tutoring_group")
    day = pa.scalar(boundary, pa.date32())
    entered = memberships.filter(pc.equal(memberships["entry_date"], day))
    since = pc.coalesce(entered["tutored_since"], entered["entry_date"])
    new_students = entered.filter(pc.equal(since, day))
    closed = memberships.filter(pc.fill_null(pc.equal(memberships["exit_date"], day), False))
    moved = pc.equal(reason_codes(closed["exit_reason"]), REGROUPED)
    movers, leavers = closed.filter(moved), closed.filter(pc.invert(moved))
    formed_here = pc.equal(groups["formed_on"], day)
    formed_ids = groups.filter(formed_here)["source_id"]
    merged_ids = movers["group_source_id"].unique()
    closed_here = pc.fill_null(pc.equal(groups["closed_on"], day), False)
    closed_ids = groups.filter(closed_here)["source_id"]
    parts = [
        (FORMED, formed_ids, new_students),
        (JOINED, _not_in(new_students["group_source_id"].unique(), formed_ids), new_students),
        (MERGED, merged_ids, movers),
        (CLOSED, _not_in(closed_ids, merged_ids), leavers),
    ]
    into = _targets(movers, entered)
    tables = []
    for change, ids, who in parts:
        rows = pa.table({"group_source_id": pa.array(ids.to_pylist(), pa.string())})
        rows = rows.append_column("change", pa.array([change] * rows.num_rows, pa.string()))
        at_target = pc.index_in(rows["group_source_id"], value_set=into["group_source_id"])
        into_group = into["into"].take(at_target)
        rows = rows.append_column(
            "into_group_source_id", into_group if change == MERGED else pa.nulls(rows.num_rows, pa.string())
        )
        listed = _students(who)  # a list column cannot ride a join: looked up by position
        at_group = pc.index_in(rows["group_source_id"], value_set=listed["group_source_id"])
        tables.append(rows.append_column("students", listed["students"].take(at_group)))
    changes = pa.concat_tables(tables)
    at = pc.index_in(changes["group_source_id"], value_set=groups["source_id"])
    for name in GROUP_COLUMNS:
        changes = changes.append_column(name, groups[name].take(at))
    rank = pc.index_in(changes["change"], value_set=pa.array(CHANGES))
    ordered = changes.append_column("_rank", rank).sort_by(
        [("subject", "ascending"), ("_rank", "ascending"), ("group_source_id", "ascending")]
    )
    return ordered.drop_columns(["_rank"])


def _not_in(ids: pa.ChunkedArray | pa.Array, excluded: pa.ChunkedArray | pa.Array) -> pa.Array:
    return pc.filter(ids, pc.invert(pc.is_in(ids, value_set=excluded)))


def _targets(movers: pa.Table, entered: pa.Table) -> pa.Table:
    """Per merged group, the group its students moved into (their membership opened on the same day)."""
    keys = ["person_source_id", "subject"]
    moved_to = movers.select([*keys, "group_source_id"]).join(
        entered.select([*keys, "group_source_id"]).rename_columns([*keys, "into"]), keys
    )
    return (
        moved_to.group_by("group_source_id")
        .aggregate([("into", "min")])
        .rename_columns(["group_source_id", "into"])
    )
