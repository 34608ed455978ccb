"""Rows handed in a block at a time (``bulk.BlockLoad``, ``NormalizedBatch.blocks``): every block lands in
order on SQLite and PostgreSQL, SQLite attaches one scratch file per table however many blocks (it
attaches at most ten), and an apply that fails while its blocks are written leaves no scratch file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from hub.connector import NormalizedBatch, SyncMode
from hub.warehouse import Warehouse, bulk
from tests.hub.warehouse.test_apply import DISTRICT, people
from tests.hub.warehouse.test_sqlite_stage import scratch  # noqa: F401  (a fixture)

BLOCKS, ROWS = 12, 300  # more blocks than SQLite attaches files


def blocks() -> Iterator[pa.Table]:
    for number in range(BLOCKS):
        ids = range(number * ROWS, (number + 1) * ROWS)
        yield people(ids).append_column("district_id", pa.array([DISTRICT] * ROWS))


def test_every_block_lands_in_order_through_one_scratch_file(warehouse: Warehouse, scratch: Path) -> None:  # noqa: F811
    def landed_table() -> str:
        connection.exec_driver_sql(
            "CREATE TEMPORARY TABLE landed AS SELECT source_id, given_name FROM person"
        )
        return "landed"

    with warehouse.engine.begin() as connection:
        schema = pa.schema([("source_id", pa.string()), ("given_name", pa.string())])
        load = bulk.BlockLoad(connection, schema, landed_table)
        for block in blocks():
            load.add(block.select(["source_id", "given_name"]))
        stage = load.close()
        landed = [row[0] for row in connection.exec_driver_sql(f"SELECT source_id FROM {stage}")]
        if warehouse.dialect == "sqlite":
            attached = connection.exec_driver_sql("PRAGMA database_list").all()
            assert len([row for row in attached if row[1] not in ("main", "temp")]) == 1
    assert landed == [f"student-{n}" for n in range(BLOCKS * ROWS)]
    assert list(scratch.iterdir()) == []


def test_with_no_file_left_to_attach_sqlite_binds_the_blocks(tmp_path: Path, scratch: Path) -> None:  # noqa: F811
    house = Warehouse(f"sqlite:///{tmp_path / 'warehouse.db'}")
    with house.engine.begin() as connection:
        connection.connection.driver_connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)  # type: ignore[union-attr]
        load = bulk.BlockLoad(connection, next(blocks()).schema, lambda: "person")
        for block in blocks():
            load.add(block)
        assert load.close() == "person"
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM person").scalar_one() == BLOCKS * ROWS
    assert list(scratch.iterdir()) == []
    house.dispose()


def test_an_apply_failing_between_blocks_writes_nothing_and_leaves_no_scratch_file(
    warehouse: Warehouse,
    scratch: Path,  # noqa: F811
) -> None:
    def failing() -> Iterator[dict[str, pa.Table]]:
        for number, block in enumerate(blocks()):
            if number == 3:
                raise RuntimeError("the log's disk went away")
            yield {"person": block.drop_columns(["district_id"])}

    batch = NormalizedBatch(tables={}, modes={"person": SyncMode.DELTA}, blocks=failing())
    with pytest.raises(RuntimeError, match="went away"):
        warehouse.apply(DISTRICT, "roster", batch)
    assert warehouse.count("person", DISTRICT) == 0
    assert list(scratch.iterdir()) == []
