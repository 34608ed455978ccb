"""References between files, checked in dependency order so that a rejected row takes its dependants along.

The connector sees the package, not the warehouse. A reference is refused as dangling only when both
files are bulk (each is the whole truth); into a delta file, or a file the package does not carry, an
unresolved reference may well name a row the warehouse already holds, so it is only a warning.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.oneroster.rows import Rows
from connectors.oneroster.schema import ORDER, Reference


def check_references(checked: dict[str, Rows], version: str) -> None:
    for stem in ORDER:
        rows = checked.get(stem)
        if rows is None:
            continue
        for reference in rows.spec.references:
            _check(rows, reference, checked.get(reference.target))
        roles_known = stem == "roles" or (stem == "users" and "roles" not in checked)
        if version == "1.2" and roles_known and "users" in checked:
            _users_need_roles(checked["users"], checked.get("roles"))


def _check(rows: Rows, reference: Reference, target: Rows | None) -> None:
    column, file = reference.column, f"{reference.target}.csv"
    values = rows.col(column)
    flat, parent = _split(values) if reference.many else (values, None)
    wanted = pc.and_(pc.and_(pc.is_valid(flat), pc.not_equal(flat, "")), _spread(rows.live, parent))
    if target is None:
        mask, shown = _per_row(wanted, flat, parent, len(values))
        reason = f"{column} points into {file}, which is not in this package; not checked"
        rows.warn(mask, "unresolved_reference", reason, column=column, values=shown)
        return
    missing = pc.and_(wanted, pc.invert(pc.is_in(flat, value_set=target.ids(target.live))))
    if not pc.any(missing).as_py():
        return
    if not reference.hard:
        mask, shown = _per_row(missing, flat, parent, len(values))
        reason = f"{column} names a row that is not among the accepted rows of {file}; kept"
        rows.warn(mask, "unresolved_reference", reason, column=column, values=shown)
        return
    rejected_there = pc.is_in(flat, value_set=pa.array(list(target.rejected_ids), pa.string()))
    deleted_there = pc.is_in(flat, value_set=target.ids(target.deleting))
    cascading = pc.and_(missing, rejected_there)
    deleted = pc.and_(pc.and_(missing, pc.invert(rejected_there)), deleted_there)
    absent = pc.and_(missing, pc.invert(pc.or_(rejected_there, deleted_there)))

    def cascade_reason(value: str | None) -> str:
        line = target.rejected_ids[value or ""]
        return f"{column} names a row rejected at line {line} of {file}, so this row is rejected too"

    mask, shown = _per_row(cascading, flat, parent, len(values))
    rows.reject(mask, "rejected_reference", cascade_reason, column=column, values=shown)
    mask, shown = _per_row(deleted, flat, parent, len(values))
    reason = f"{column} names a row that this package deletes from {file}"
    rows.reject(mask, "missing_reference", reason, column=column, values=shown)
    mask, shown = _per_row(absent, flat, parent, len(values))
    if rows.mode == "bulk" and target.mode == "bulk":  # both are the whole truth: the row dangles
        rows.reject(
            mask,
            "missing_reference",
            f"{column} names a row that is not in {file}",
            column=column,
            values=shown,
        )
    else:
        reason = f"{column} names a row that is not in {file}; it may already be in the warehouse"
        rows.warn(mask, "unresolved_reference", reason, column=column, values=shown)


def _users_need_roles(users: Rows, roles: Rows | None) -> None:
    """A 1.2 user's role lives in roles.csv; a person without one cannot be placed (student? teacher?)."""
    if roles is None:
        having = pa.array([], pa.string())
        reason = "has no role: OneRoster 1.2 gives roles in roles.csv, which this package does not carry"
    else:
        having = pc.filter(roles.col("userSourcedId"), roles.live)
        reason = "has no role: no accepted row of roles.csv names this user"
    if users.mode == "delta":
        reason += " (a 1.2 delta must carry the roles.csv rows of the users it changes)"
    lacking = pc.and_(users.live, pc.invert(pc.is_in(users.col("sourcedId"), value_set=having)))
    users.reject(lacking, "missing_role", reason, column="sourcedId")


def _split(values: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """A multi-valued field's ids, one per element, and the row each came from."""
    lists = pc.split_pattern(values.combine_chunks(), ",")
    return pc.utf8_trim_whitespace(pc.list_flatten(lists)), pc.list_parent_indices(lists).to_numpy()


def _spread(row_mask: pa.Array, parent: np.ndarray | None) -> pa.Array:
    return row_mask if parent is None else pc.take(row_mask, pa.array(parent))


def _per_row(
    flat_mask: pa.Array, flat: pa.Array, parent: np.ndarray | None, rows: int
) -> tuple[pa.Array, pa.Array]:
    """Rows with a flagged element, and each such row's first flagged id (null elsewhere)."""
    if parent is None:
        return flat_mask, flat
    flagged = np.flatnonzero(pc.fill_null(flat_mask, False).to_numpy(zero_copy_only=False))
    first_of_row = np.full(rows, -1, dtype=np.int64)
    owners, first = np.unique(parent[flagged], return_index=True)
    first_of_row[owners] = flagged[first]
    positions = pa.array(first_of_row, mask=first_of_row < 0)
    return pc.is_valid(positions), pc.take(flat, positions)
