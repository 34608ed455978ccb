"""Applying a connector's normalized batch to one district, inside one transaction.

Order of work: stage every table in bulk, work out what would be removed, ask the deletion guard, then
upsert and mark removals. Any error before the commit leaves the district exactly as it was.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Table, text

from hub.connector import NormalizedBatch, SyncMode
from hub.model.arrow import conform, sql_table
from hub.model.base import SYNC_COLUMNS
from hub.warehouse import bulk, guard

# Tables whose rows belong to a parent row rather than carrying a source_id of their own: a sync
# replaces a parent's children as a set.
CHILD_TABLES = {"person_identifier": ("person", "person_source_id")}


class WarehouseError(Exception):
    pass


@dataclass(slots=True)
class TableChange:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    skipped_unchanged: bool = False

    def as_dict(self) -> dict[str, int | bool]:
        return {
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "deleted": self.deleted,
            "skipped_unchanged": self.skipped_unchanged,
        }


@dataclass(slots=True)
class ApplyResult:
    changes: dict[str, TableChange] = field(default_factory=dict)
    deletions: list[guard.PlannedDeletion] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)


class _HashSink:
    """A write-only file that only hashes what is written (Arrow IPC streams into it, no copy kept)."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.closed = False

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def fingerprint(data: pa.Table, mode: SyncMode, deletes: list[str]) -> str:
    sink = _HashSink()
    with pa.ipc.new_stream(pa.PythonFile(sink, mode="w"), data.schema) as writer:
        writer.write_table(data)
    sink.digest.update(mode.value.encode())
    for source_id in sorted(deletes):
        sink.digest.update(source_id.encode() + b"\0")
    return sink.digest.hexdigest()


def _q(name: str) -> str:
    return '"' + name + '"'


def _distinct_from(dialect: str) -> str:
    return "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"


def _stage(connection: Connection, table: Table, name: str, data: pa.Table) -> str:
    stage = f"stage_{name}"
    columns = ", ".join(_q(c) for c in data.column_names)
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {stage} AS SELECT {columns} FROM {table.name} WHERE 1 = 0"
    )
    bulk.load(connection, stage, data)
    return stage


def _doomed_bulk(connection: Connection, table: Table, stage: str, district_id: str) -> str:
    doomed = f"doomed_{table.name}"
    connection.execute(
        text(
            f"CREATE TEMPORARY TABLE {doomed} AS SELECT source_id FROM {table.name} t "
            f"WHERE t.district_id = :district AND t.status = 'active' "
            f"AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE s.source_id = t.source_id)"
        ),
        {"district": district_id},
    )
    return doomed


def _doomed_delta(connection: Connection, table: Table, source_ids: list[str]) -> str:
    doomed = f"doomed_{table.name}"
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {doomed} AS SELECT source_id FROM {table.name} WHERE 1 = 0"
    )
    bulk.load(connection, doomed, pa.table({"source_id": pa.array(sorted(set(source_ids)), pa.string())}))
    return doomed


def _upsert(
    connection: Connection, table: Table, stage: str, columns: list[str], district_id: str
) -> TableChange:
    change = TableChange()
    change.rows = connection.execute(text(f"SELECT COUNT(*) FROM {stage}")).scalar_one()
    change.inserted = connection.execute(
        text(
            f"SELECT COUNT(*) FROM {stage} s WHERE NOT EXISTS (SELECT 1 FROM {table.name} t "
            f"WHERE t.district_id = :district AND t.source_id = s.source_id)"
        ),
        {"district": district_id},
    ).scalar_one()
    values = [c for c in columns if c not in ("district_id", "source_id")]
    differs = _distinct_from(connection.dialect.name)
    changed = " OR ".join([f"{table.name}.{_q(c)} {differs} excluded.{_q(c)}" for c in values])
    changed = (
        f"{changed} OR {table.name}.status <> 'active'" if changed else f"{table.name}.status <> 'active'"
    )
    assignments = ", ".join(
        [f"{_q(c)} = excluded.{_q(c)}" for c in values]
        + ["status = 'active'", "synced_at = excluded.synced_at"]
    )
    listed = ", ".join(_q(c) for c in columns)
    result = connection.execute(
        text(
            f"INSERT INTO {table.name} ({listed}, status, synced_at) "
            f"SELECT {listed}, 'active', CURRENT_TIMESTAMP FROM {stage} WHERE 1 = 1 "
            f"ON CONFLICT (district_id, source_id) DO UPDATE SET {assignments} WHERE {changed}"
        )
    )
    change.updated = max(result.rowcount - change.inserted, 0)
    return change


def _mark_deleted(connection: Connection, table: Table, doomed: str, district_id: str) -> int:
    result = connection.execute(
        text(
            f"UPDATE {table.name} SET status = 'deleted', synced_at = CURRENT_TIMESTAMP "
            f"WHERE district_id = :district AND status = 'active' "
            f"AND source_id IN (SELECT source_id FROM {doomed})"
        ),
        {"district": district_id},
    )
    return result.rowcount


def _replace_children(
    connection: Connection,
    table: Table,
    stage: str,
    mode: SyncMode,
    district_id: str,
    doomed_parents: str | None,
) -> TableChange:
    _, parent_column = CHILD_TABLES[table.name]
    params = {"district": district_id}
    if mode is SyncMode.BULK:
        deleted = connection.execute(text(f"DELETE FROM {table.name} WHERE district_id = :district"), params)
    else:
        parents = f"SELECT {parent_column} FROM {stage}"
        if doomed_parents:
            parents += f" UNION SELECT source_id FROM {doomed_parents}"
        deleted = connection.execute(
            text(
                f"DELETE FROM {table.name} WHERE district_id = :district AND {parent_column} IN ({parents})"
            ),
            params,
        )
    columns = ", ".join(_q(c.name) for c in table.columns)
    inserted = connection.execute(text(f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {stage}"))
    return TableChange(rows=inserted.rowcount, inserted=inserted.rowcount, deleted=deleted.rowcount)


def _with_district(name: str, data: pa.Table, district_id: str) -> pa.Table:
    conformed = conform(name, data)
    district = pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(conformed.num_rows, dtype=np.int32)), pa.array([district_id])
    ).cast(pa.string())
    return conformed.append_column("district_id", district)


def _district_is_empty(connection: Connection, table: Table, district_id: str) -> bool:
    found = connection.execute(
        text(f"SELECT 1 FROM {table.name} WHERE district_id = :district LIMIT 1"), {"district": district_id}
    )
    return found.first() is None


def _insert_new(connection: Connection, table: Table, data: pa.Table) -> TableChange:
    """First load of a table for a district: nothing to compare or remove, so rows go straight in.

    The primary key catches a repeated key here (the staged path checks in Arrow instead).
    """
    try:
        bulk.load(connection, table.name, data)
    except (
        sqlite3.IntegrityError,
        psycopg.IntegrityError,
    ) as error:  # the drivers' own, under COPY / executemany
        detail = str(error).splitlines()
        raise WarehouseError(f"{table.name}: the batch repeats a key: {' '.join(detail[:2])}") from None
    return TableChange(rows=data.num_rows, inserted=data.num_rows)


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
    *,
    max_delete_fraction: float,
    allow_deletions: bool,
) -> ApplyResult:
    """Stage, guard, then write. Call inside a transaction: an exception must roll everything back."""
    result = ApplyResult()
    staged: list[tuple[Table, str, SyncMode, list[str]]] = []
    fresh: dict[str, tuple[Table, pa.Table]] = {}
    doomed: dict[str, str] = {}
    for name, data in batch.tables.items():
        table = sql_table(name)
        mode = batch.modes.get(name, SyncMode.BULK)
        deletes = batch.deletes.get(name, [])
        conformed = _with_district(name, data, district_id)
        result.fingerprints[name] = fingerprint(conformed, mode, deletes)
        if applied_fingerprints.get(name) == result.fingerprints[name]:
            result.changes[name] = TableChange(rows=conformed.num_rows, skipped_unchanged=True)
            continue
        if _district_is_empty(connection, table, district_id):
            fresh[name] = (table, conformed)
            continue
        _check_unique(name, table, conformed)
        stage = _stage(connection, table, name, conformed)
        if name not in CHILD_TABLES:
            if mode is SyncMode.BULK:
                doomed[name] = _doomed_bulk(connection, table, stage, district_id)
            elif deletes:
                doomed[name] = _doomed_delta(connection, table, deletes)
        staged.append((table, stage, mode, conformed.column_names))

    result.deletions = guard.planned_deletions(connection, district_id, doomed)
    guard.check(district_id, result.deletions, max_delete_fraction, allow_deletions)

    for name, (table, conformed) in fresh.items():
        result.changes[name] = _insert_new(connection, table, conformed)
    for table, stage, mode, columns in staged:
        if table.name in CHILD_TABLES:
            parent = CHILD_TABLES[table.name][0]
            change = _replace_children(connection, table, stage, mode, district_id, doomed.get(parent))
        else:
            change = _upsert(
                connection,
                table,
                stage,
                [c for c in columns if c not in SYNC_COLUMNS] + ["district_id"],
                district_id,
            )
            if table.name in doomed:
                change.deleted = _mark_deleted(connection, table, doomed[table.name], district_id)
        result.changes[table.name] = change
    for temporary in [stage for _, stage, _, _ in staged] + list(doomed.values()):
        connection.exec_driver_sql(f"DROP TABLE {temporary}")
    return result
