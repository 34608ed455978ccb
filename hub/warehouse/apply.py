"""Applying a connector's normalized batch to one district, inside one transaction.

Order of work: stage every table in bulk, work out what would be removed, ask the deletion guard, then
upsert and mark removals. Any error before the commit leaves the district exactly as it was.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Table

from hub.connector import Issue, NormalizedBatch, SyncMode
from hub.model.arrow import sql_table
from hub.model.base import SYNC_COLUMNS
from hub.warehouse import guard
from hub.warehouse.blocks import StagedBlocks, stage_blocks
from hub.warehouse.conformed import conformed as conformed_rows
from hub.warehouse.conformed import nul_issues
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
    drop_stage,
    insert_new,
    insert_staged,
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


def _check_unique(name: str, table: Table, data: pa.Table) -> None:
    keys = [c.name for c in table.primary_key.columns if c.name != "district_id"]
    if len(keys) == 1:
        distinct = pc.count_distinct(data.column(keys[0])).as_py()
    else:
        distinct = data.group_by(keys).aggregate([]).num_rows
    if distinct != data.num_rows:
        raise WarehouseError(f"{name}: the batch holds {data.num_rows - distinct} duplicate key(s) {keys}")


def _plan_removals(
    connection: Connection,
    table: Table,
    stage: str,
    mode: SyncMode,
    deletes: list[str],
    district_id: str,
    doomed: dict[str, str],
) -> None:
    """Note in ``doomed`` the temporary table of what a staged table's sync would remove: a bulk table's
    rows its stage lacks, a delta's deletes (a child's go with its parents, a patch removes nothing)."""
    if table.name in CHILD_TABLES or mode is SyncMode.PATCH:
        return
    if mode is SyncMode.BULK:
        doomed[table.name] = doomed_bulk(connection, table, stage, district_id)
    elif deletes:
        doomed[table.name] = doomed_delta(connection, table, deletes)


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
    fresh_stages: list[StagedBlocks] = []
    dropped: list[str] = []  # stages of tables handed in blocks that are unchanged
    for given, data in batch.tables.items():
        mode = batch.modes.get(given, SyncMode.BULK)
        deletes = batch.deletes.get(given, [])
        name, data = stored_form(given, data, mode, deletes, result.issues)
        table = sql_table(name)
        nul: Counter[str] = Counter()
        conformed = conformed_rows(name, data, district_id, mode, nul)
        result.issues += nul_issues(name, nul)
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
        _plan_removals(connection, table, staging, mode, deletes, district_id, doomed)
        staged.append((table, staging, mode, conformed.column_names))
    for name, blocks in stage_blocks(connection, district_id, batch, result.issues).items():
        mode, deletes = batch.modes[blocks.given], batch.deletes.get(blocks.given, [])
        result.fingerprints[name] = blocks.fingerprint
        if applied_fingerprints.get(name) == blocks.fingerprint:
            result.changes[name] = TableChange(rows=blocks.rows, skipped_unchanged=True)
            dropped.append(blocks.stage)
        elif district_is_empty(connection, blocks.table, district_id):
            fresh_stages.append(blocks)
        else:
            _plan_removals(connection, blocks.table, blocks.stage, mode, deletes, district_id, doomed)
            staged.append((blocks.table, blocks.stage, mode, blocks.columns))

    result.deletions = guard.planned_deletions(connection, district_id, doomed)
    guard.check(district_id, result.deletions, max_delete_fraction, allow_deletions)

    for name, (table, conformed) in fresh.items():
        result.changes[name] = insert_new(connection, table, conformed, run_id)
    for blocks in fresh_stages:
        result.changes[blocks.table.name] = insert_staged(
            connection, blocks.table, blocks.stage, blocks.columns, run_id
        )
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
    stages_done = [staging for _, staging, _, _ in staged] + [blocks.stage for blocks in fresh_stages]
    for temporary in stages_done + dropped + list(doomed.values()):
        drop_stage(connection, temporary)
    return result
