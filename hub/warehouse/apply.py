"""Applying a connector's normalized batch to one district, inside one transaction.

Order of work: stage every table in bulk, work out what would be removed, ask the deletion guard, then
upsert and mark removals. Any error before the commit leaves the district exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Table

from hub.connector import Issue, NormalizedBatch, SyncMode
from hub.model.arrow import conform, conform_present, sql_table
from hub.model.base import SYNC_COLUMNS
from hub.warehouse import guard
from hub.warehouse.fingerprint import fingerprint
from hub.warehouse.slots import stored_form
from hub.warehouse.statements import (
    CHILD_TABLES,
    TableChange,
    WarehouseError,
    create_stage,
    district_is_empty,
    doomed_bulk,
    doomed_delta,
    insert_new,
    mark_deleted,
    patch,
    replace_children,
    upsert,
)


@dataclass(slots=True)
class ApplyResult:
    changes: dict[str, TableChange] = field(default_factory=dict)
    deletions: list[guard.PlannedDeletion] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


def _without_nul(name: str, data: pa.Table, issues: list[Issue]) -> pa.Table:
    """NUL characters out of every text column, with a warning: PostgreSQL refuses them (a whole COPY
    fails on one) where SQLite stores them, so both warehouses must get the same text. File connectors
    remove them while decoding; this catches any other source (a REST API's JSON, a vendor's plugin)."""
    for index, column in enumerate(data.columns):
        if not pa.types.is_string(column.type) or not pc.any(pc.match_substring(column, "\x00")).as_py():
            continue
        rows = pc.sum(pc.match_substring(column, "\x00")).as_py()
        data = data.set_column(index, data.field(index), pc.replace_substring(column, "\x00", ""))
        reason = f"{rows} value(s) held NUL characters, which no text holds; they were removed"
        issues.append(Issue(name, None, data.field(index).name, None, "nul_bytes", reason, "warning"))
    return data


def _with_district(name: str, data: pa.Table, district_id: str, mode: SyncMode) -> pa.Table:
    conformed = conform_present(name, data) if mode is SyncMode.PATCH else conform(name, data)
    district = pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(conformed.num_rows, dtype=np.int32)), pa.array([district_id])
    ).cast(pa.string())
    return conformed.append_column("district_id", district)


def _check_unique(name: str, table: Table, data: pa.Table) -> None:
    keys = [c.name for c in table.primary_key.columns if c.name != "district_id"]
    if len(keys) == 1:
        distinct = pc.count_distinct(data.column(keys[0])).as_py()
    else:
        distinct = data.group_by(keys).aggregate([]).num_rows
    if distinct != data.num_rows:
        raise WarehouseError(f"{name}: the batch holds {data.num_rows - distinct} duplicate key(s) {keys}")


def apply_batch(
    connection: Connection,
    district_id: str,
    batch: NormalizedBatch,
    applied_fingerprints: dict[str, str],
    run_id: int,
    *,
    max_delete_fraction: float,
    allow_deletions: bool,
) -> ApplyResult:
    """Stage, guard, then write, stamping stamped tables' rows with ``run_id``. Call inside a transaction:
    an exception must roll everything back."""
    result = ApplyResult()
    staged: list[tuple[Table, str, SyncMode, list[str]]] = []
    fresh: dict[str, tuple[Table, pa.Table]] = {}
    doomed: dict[str, str] = {}
    for given, data in batch.tables.items():
        mode = batch.modes.get(given, SyncMode.BULK)
        deletes = batch.deletes.get(given, [])
        name, data = stored_form(given, data, mode, deletes, result.issues)
        table = sql_table(name)
        conformed = _without_nul(name, _with_district(name, data, district_id, mode), result.issues)
        result.fingerprints[name] = fingerprint(conformed, mode, deletes)
        # A patch is worked out against what is stored now, so the same patch as last time is not a no-op.
        if mode is not SyncMode.PATCH and applied_fingerprints.get(name) == result.fingerprints[name]:
            result.changes[name] = TableChange(rows=conformed.num_rows, skipped_unchanged=True)
            continue
        if mode is not SyncMode.PATCH and district_is_empty(connection, table, district_id):
            fresh[name] = (table, conformed)
            continue
        _check_unique(name, table, conformed)
        staging = create_stage(connection, table, name, conformed)
        if name not in CHILD_TABLES and mode is not SyncMode.PATCH:
            if mode is SyncMode.BULK:
                doomed[name] = doomed_bulk(connection, table, staging, district_id)
            elif deletes:
                doomed[name] = doomed_delta(connection, table, deletes)
        staged.append((table, staging, mode, conformed.column_names))

    result.deletions = guard.planned_deletions(connection, district_id, doomed)
    guard.check(district_id, result.deletions, max_delete_fraction, allow_deletions)

    for name, (table, conformed) in fresh.items():
        result.changes[name] = insert_new(connection, table, conformed, run_id)
    stages = {table.name: staging for table, staging, _, _ in staged}
    for table, staging, mode, columns in staged:
        if table.name in CHILD_TABLES:
            parent = CHILD_TABLES[table.name][0]
            parents = [stages[parent]] if parent in stages else []
            parents += [doomed[parent]] if parent in doomed else []
            change = replace_children(connection, table, staging, columns, mode, district_id, parents)
        elif mode is SyncMode.PATCH:
            change = patch(connection, table, staging, columns, run_id)
        else:
            change = upsert(
                connection,
                table,
                staging,
                [c for c in columns if c not in SYNC_COLUMNS] + ["district_id"],
                district_id,
                run_id,
            )
            if table.name in doomed:
                change.deleted = mark_deleted(connection, table, doomed[table.name], district_id, run_id)
        result.changes[table.name] = change
    for temporary in [staging for _, staging, _, _ in staged] + list(doomed.values()):
        connection.exec_driver_sql(f"DROP TABLE {temporary}")
    return result
