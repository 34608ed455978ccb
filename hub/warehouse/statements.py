"""The SQL of an apply: staging tables, what a sync would remove, upserts, and first loads.

Statements name tables and columns from the model only (never from input), so the f-strings are safe.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Table, text

from hub.connector import SyncMode
from hub.errors import HubError
from hub.model.base import STAMP
from hub.warehouse import bulk
from hub.warehouse.first_load import indexes_after

# Tables whose rows belong to a parent row: a sync replaces a parent's children as a set, so a child the
# source no longer lists (an identifier dropped, a student taken off a re-logged session) goes with it.
CHILD_TABLES = {
    "person_identifier": ("person", "person_source_id"),
    "session_attendance": ("tutoring_session", "session_source_id"),
}


class WarehouseError(HubError):
    """The warehouse cannot take a change as asked (an unknown table, a district not registered)."""


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


def _q(name: str) -> str:
    return '"' + name + '"'


def _distinct_from(dialect: str) -> str:
    return "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"


def _stamp(table: Table) -> list[str]:
    """The assignment that stamps a changed row with its run (``:run``), for tables that carry one."""
    return ["sync_run_id = :run"] if STAMP in table.c else []


def create_stage(connection: Connection, table: Table, name: str, data: pa.Table) -> str:
    """A temporary copy of the batch, indexed on its key so that every join against it stays linear."""
    stage = empty_stage(connection, table, name, data.column_names)
    bulk.load(connection, stage, data)
    index_and_analyze(connection, stage, stage_key(name, data.column_names))
    return stage


def empty_stage(connection: Connection, table: Table, name: str, columns: list[str]) -> str:
    """The temporary table a batch of ``table`` is staged in, with ``columns`` of it and no rows yet."""
    stage = f"stage_{name}"
    listed = ", ".join(_q(c) for c in columns)
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {stage} AS SELECT {listed} FROM {table.name} WHERE 1 = 0"
    )
    return stage


def stage_key(name: str, columns: list[str]) -> str:
    """The column a stage of ``name`` is indexed and joined on."""
    return "source_id" if "source_id" in columns else CHILD_TABLES[name][1]


def index_and_analyze(connection: Connection, temporary: str, key: str) -> None:
    """Index a freshly loaded temporary table on ``key`` and give the planner its statistics.

    Without the index SQLite answers ``NOT EXISTS`` against it with a scan per row (quadratic), and
    PostgreSQL never auto-analyzes temporary tables, so it plans a nested loop over "empty" tables.
    The index is built after the load: one sort instead of a B-tree insert per row. A stage in an attached
    scratch file (``schema.rows``, ``bulk.BlockLoad``) has its index in that file.
    """
    schema, _, name = temporary.rpartition(".")
    index = f"{schema}.ix_{name}" if schema else f"ix_{name}"
    connection.exec_driver_sql(f"CREATE INDEX {index} ON {name} ({_q(key)})")
    connection.exec_driver_sql(f"ANALYZE {temporary}")


def drop_stage(connection: Connection, temporary: str) -> None:
    """A temporary table of the apply dropped; a stage in an attached scratch file goes with the file
    (``sqlite_stage.release``): dropping it would write every page it frees."""
    if "." not in temporary:
        connection.exec_driver_sql(f"DROP TABLE {temporary}")


def doomed_bulk(connection: Connection, table: Table, stage: str, district_id: str) -> str:
    doomed = f"doomed_{table.name}"
    connection.execute(
        text(
            f"CREATE TEMPORARY TABLE {doomed} AS SELECT source_id FROM {table.name} t "
            f"WHERE t.district_id = :district AND t.status = 'active' "
            f"AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE s.source_id = t.source_id)"
        ),
        {"district": district_id},
    )
    index_and_analyze(connection, doomed, "source_id")
    return doomed


def doomed_delta(connection: Connection, table: Table, source_ids: list[str]) -> str:
    doomed = f"doomed_{table.name}"
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {doomed} AS SELECT source_id FROM {table.name} WHERE 1 = 0"
    )
    bulk.load(connection, doomed, pa.table({"source_id": pa.array(sorted(set(source_ids)), pa.string())}))
    index_and_analyze(connection, doomed, "source_id")
    return doomed


def upsert(
    connection: Connection, table: Table, stage: str, columns: list[str], district_id: str, run_id: int
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
    stamp = _stamp(table)
    assignments = ", ".join(
        [f"{_q(c)} = excluded.{_q(c)}" for c in values]
        + ["status = 'active'", "synced_at = excluded.synced_at"]
        + stamp
    )
    listed = ", ".join(_q(c) for c in columns)
    extra, extra_values = (f", {STAMP}", ", :run") if stamp else ("", "")
    result = connection.execute(
        text(
            f"INSERT INTO {table.name} ({listed}, status, synced_at{extra}) "
            f"SELECT {listed}, 'active', CURRENT_TIMESTAMP{extra_values} FROM {stage} WHERE 1 = 1 "
            f"ON CONFLICT (district_id, source_id) DO UPDATE SET {assignments} WHERE {changed}"
        ),
        {"run": run_id} if stamp else {},
    )
    change.updated = max(result.rowcount - change.inserted, 0)
    return change


def patch(connection: Connection, table: Table, stage: str, columns: list[str], run_id: int) -> TableChange:
    """New values for some columns of stored rows (the stage holds district, source_id and those
    columns); a row the stage names that is not stored is not created."""
    values = [c for c in columns if c not in ("district_id", "source_id")]
    if not values:
        raise WarehouseError(f"{table.name}: a patch must name a column to change besides the key")
    differs = _distinct_from(connection.dialect.name)
    assignments = ", ".join(
        [f"{_q(c)} = s.{_q(c)}" for c in values] + ["synced_at = CURRENT_TIMESTAMP"] + _stamp(table)
    )
    changed = " OR ".join(f"{table.name}.{_q(c)} {differs} s.{_q(c)}" for c in values)
    rows = connection.execute(text(f"SELECT COUNT(*) FROM {stage}")).scalar_one()
    result = connection.execute(
        text(
            f"UPDATE {table.name} SET {assignments} FROM {stage} s "
            f"WHERE {table.name}.district_id = s.district_id AND {table.name}.source_id = s.source_id "
            f"AND ({changed})"
        ),
        {"run": run_id},
    )
    return TableChange(rows=rows, updated=result.rowcount)


def mark_deleted(connection: Connection, table: Table, doomed: str, district_id: str, run_id: int) -> int:
    assignments = ", ".join(["status = 'deleted'", "synced_at = CURRENT_TIMESTAMP", *_stamp(table)])
    result = connection.execute(
        text(
            f"UPDATE {table.name} SET {assignments} "
            f"WHERE district_id = :district AND status = 'active' "
            f"AND source_id IN (SELECT source_id FROM {doomed})"
        ),
        {"district": district_id, "run": run_id},
    )
    return result.rowcount


def replace_children(
    connection: Connection,
    table: Table,
    stage: str,
    columns: list[str],
    mode: SyncMode,
    district_id: str,
    parents_staged: list[str],
) -> TableChange:
    """Replace the children of every parent the batch names (in the child stage, or in the parents'
    own stage or doomed set, ``parents_staged``), then insert the staged children."""
    _, parent_column = CHILD_TABLES[table.name]
    params = {"district": district_id}
    if mode is SyncMode.BULK:
        deleted = connection.execute(text(f"DELETE FROM {table.name} WHERE district_id = :district"), params)
    else:
        parents = " UNION ".join(
            [f"SELECT {parent_column} FROM {stage}"] + [f"SELECT source_id FROM {t}" for t in parents_staged]
        )
        deleted = connection.execute(
            text(
                f"DELETE FROM {table.name} WHERE district_id = :district AND {parent_column} IN ({parents})"
            ),
            params,
        )
    listed = ", ".join(_q(c) for c in columns)
    inserted = connection.execute(text(f"INSERT INTO {table.name} ({listed}) SELECT {listed} FROM {stage}"))
    return TableChange(rows=inserted.rowcount, inserted=inserted.rowcount, deleted=deleted.rowcount)


def district_is_empty(connection: Connection, table: Table, district_id: str) -> bool:
    found = connection.execute(
        text(f"SELECT 1 FROM {table.name} WHERE district_id = :district LIMIT 1"), {"district": district_id}
    )
    return found.first() is None


def insert_new(connection: Connection, table: Table, data: pa.Table, run_id: int) -> TableChange:
    """First load of a table for a district: nothing to compare or remove, so rows go straight in.

    The primary key catches a repeated key here (the staged path checks in Arrow instead). Rows go in
    in key order, so the primary-key B-tree grows at its end instead of at random pages: on SQLite this
    is what keeps a first load of ten million rows from slowing down as the index outgrows the cache.
    """
    keys = [
        (column.name, "ascending") for column in table.primary_key.columns if column.name in data.column_names
    ]
    if STAMP in table.c:
        data = data.append_column(STAMP, pa.array(np.full(data.num_rows, run_id, dtype=np.int64)))
    with indexes_after(connection, table):
        try:
            bulk.load(connection, table.name, data, order=pc.sort_indices(data, sort_keys=keys))
        except (sqlite3.IntegrityError, psycopg.IntegrityError) as error:  # raised by the drivers themselves
            detail = str(error).splitlines()
            raise WarehouseError(f"{table.name}: the batch repeats a key: {' '.join(detail[:2])}") from None
    return TableChange(rows=data.num_rows, inserted=data.num_rows)


def insert_staged(
    connection: Connection, table: Table, stage: str, columns: list[str], run_id: int
) -> TableChange:
    """First load of a table from its stage (a table handed in a block at a time), as ``insert_new`` loads
    a whole one: in key order, the stage's keys checked unique already (``hub.warehouse.blocks``)."""
    listed = ", ".join(_q(c) for c in columns)
    stamp, run = (f", {STAMP}", ", :run") if STAMP in table.c else ("", "")
    with indexes_after(connection, table):
        inserted = connection.execute(
            text(
                f"INSERT INTO {table.name} ({listed}{stamp}) "
                f"SELECT {listed}{run} FROM {stage} ORDER BY {_stage_order(table, columns)}"
            ),
            {"run": run_id} if stamp else {},
        )
    return TableChange(rows=inserted.rowcount, inserted=inserted.rowcount)


def _stage_order(table: Table, columns: list[str]) -> str:
    """The ``ORDER BY`` that reads a stage in its table's key order. A stage holds one district's rows and
    is indexed on its key (``index_and_analyze``): where the table's key is the district and that key, the
    key alone orders the rows alike and is read from the stage's index, where the district and the key
    would be sorted (2.5 s CPU of the 5.3 s an insert of 1.8 M attendance rows took on SQLite)."""
    keys = [column.name for column in table.primary_key.columns]
    key = stage_key(table.name, columns)
    return _q(key) if keys == ["district_id", key] else ", ".join(_q(name) for name in keys)
