"""Tables a connector hands in a block at a time (``NormalizedBatch.blocks``), staged block by block.

Each block is put in its stored form (a test's domains as one row), conformed, fingerprinted and loaded
into its table's stage, then let go, so that an apply holds one block of a year of session logs or of
diagnostic tests rather than the year; what ``apply_batch`` does with a whole table's stage (upsert,
replace children, a first load) it then does with these stages, in SQL, inside the same transaction. A
block may repeat a row of an earlier one whole (a session's head, when its rows lie in two blocks): the
copies are one row; a key repeated with other values is refused, as ``apply_batch`` refuses it in a
whole table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa
from sqlalchemy import Connection, Table

from hub.connector import Issue, NormalizedBatch, SyncMode
from hub.model.arrow import sql_table
from hub.warehouse import bulk
from hub.warehouse.conformed import conformed, nul_issues
from hub.warehouse.fingerprint import Fingerprint
from hub.warehouse.slots import stored_form
from hub.warehouse.statements import WarehouseError, empty_stage, index_and_analyze, stage_key


@dataclass(slots=True)
class StagedBlocks:
    """A table handed in blocks, staged whole in SQL."""

    table: Table
    stage: str
    columns: list[str]
    given: str
    """The name the connector handed its rows under (``domain_result``, stored as ``result_domains``)."""
    rows: int = 0
    fingerprint: str = ""


@dataclass(slots=True)
class _Staging:
    staged: StagedBlocks
    fingerprint: Fingerprint
    load: bulk.BlockLoad
    nul: Counter[str] = field(default_factory=Counter)


def stage_blocks(
    connection: Connection, district_id: str, batch: NormalizedBatch, issues: list[Issue]
) -> dict[str, StagedBlocks]:
    """Every block of ``batch.blocks`` loaded into its table's stage, indexed on its key once loaded;
    copies a later block repeats whole are taken out, and a key repeated with other values refused."""
    staging: dict[str, _Staging] = {}
    try:
        _stage_each(connection, district_id, batch, staging, issues)
        for stage in staging.values():
            stage.staged.stage = stage.load.close()
    except BaseException:
        for stage in staging.values():
            stage.load.discard()
        raise
    for name, stage in staging.items():
        issues += nul_issues(name, stage.nul)
        given = stage.staged.given
        mode = batch.modes.get(given, SyncMode.BULK)
        stage.staged.fingerprint = stage.fingerprint.hexdigest(mode, batch.deletes.get(given, []))
        index_and_analyze(connection, stage.staged.stage, stage_key(name, stage.staged.columns))
        stage.staged.rows = _without_copies(connection, name, stage.staged)
    return {name: stage.staged for name, stage in staging.items()}


def _stage_each(
    connection: Connection,
    district_id: str,
    batch: NormalizedBatch,
    staging: dict[str, _Staging],
    issues: list[Issue],
) -> None:
    """Each block's tables in their stored form (``stored_form``), conformed, fingerprinted and written on
    their way into their stages."""
    for block in batch.blocks:
        for given, handed in block.items():
            mode = batch.modes.get(given, SyncMode.BULK)
            if mode is SyncMode.PATCH or given in batch.tables:
                raise WarehouseError(
                    f"{given}: a table handed in blocks is upserted or replaced whole, and only in blocks"
                )
            name, rows = stored_form(given, handed, mode, batch.deletes.get(given, []), issues)
            if name not in staging:
                empty = conformed(name, rows.slice(0, 0), district_id, mode, Counter())
                staging[name] = _start(connection, name, given, empty)
            table = conformed(name, rows, district_id, mode, staging[name].nul)
            staging[name].fingerprint.add(table)
            staging[name].load.add(table)


def _start(connection: Connection, name: str, given: str, first: pa.Table) -> _Staging:
    """The stage of ``name``, shaped as its conformed blocks (``first``: one of no rows); named once its
    blocks are loaded (``bulk.BlockLoad.close``)."""
    table = sql_table(name)
    staged = StagedBlocks(table, "", first.column_names, given)
    load = bulk.BlockLoad(
        connection, first.schema, lambda: empty_stage(connection, table, name, first.column_names)
    )
    return _Staging(staged, Fingerprint(first.schema), load)


def _without_copies(connection: Connection, name: str, staged: StagedBlocks) -> int:
    """The stage's rows once copies of a row are one (only the rows of a repeated key are looked at);
    raises if a key is still repeated. Call once the stage is indexed on its key."""
    key = f'"{stage_key(name, staged.columns)}"'
    rows = connection.exec_driver_sql(f"SELECT COUNT(*) FROM {staged.stage}").scalar_one()
    repeated = f"SELECT {key} FROM {staged.stage} GROUP BY {key} HAVING COUNT(*) > 1"
    if connection.exec_driver_sql(f"SELECT COUNT(*) FROM ({repeated}) AS r").scalar_one() == 0:
        return rows
    listed = ", ".join(f'"{column}"' for column in staged.columns)
    once = f"once_{name}"
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {once} AS SELECT DISTINCT {listed} FROM {staged.stage} "
        f"WHERE {key} IN ({repeated})"
    )
    still = connection.exec_driver_sql(
        f"SELECT COUNT(*) FROM (SELECT {key} FROM {once} GROUP BY {key} HAVING COUNT(*) > 1) AS r"
    ).scalar_one()
    if still:
        primary = [c.name for c in staged.table.primary_key.columns if c.name != "district_id"]
        raise WarehouseError(f"{name}: the batch holds {still} duplicate key(s) {primary}")
    connection.exec_driver_sql(f"DELETE FROM {staged.stage} WHERE {key} IN (SELECT {key} FROM {once})")
    connection.exec_driver_sql(f"INSERT INTO {staged.stage} ({listed}) SELECT {listed} FROM {once}")
    connection.exec_driver_sql(f"DROP TABLE {once}")
    return connection.exec_driver_sql(f"SELECT COUNT(*) FROM {staged.stage}").scalar_one()
