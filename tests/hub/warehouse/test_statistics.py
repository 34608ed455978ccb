"""After an apply, PostgreSQL's planner knows the tables it changed: a table loaded or largely rewritten is
analyzed at once (autovacuum would come a minute or more later, after the night's next steps had planned
their reads as if it were empty), and one barely touched is left to autovacuum."""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import text

from hub.connector import NormalizedBatch, SyncMode
from hub.warehouse import Warehouse
from hub.warehouse.statements import TableChange
from hub.warehouse.statistics import refresh_statistics

DISTRICT = "d1"


def _people(first: int, count: int) -> NormalizedBatch:
    ids = [f"student-{i}" for i in range(first, first + count)]
    table = pa.table({"source_id": ids, "role": ["student"] * count, "given_name": ["Ana"] * count})
    return NormalizedBatch(tables={"person": table}, modes={"person": SyncMode.DELTA})


def _known_rows(house: Warehouse) -> float:
    """The person table's size as the planner knows it (-1: never analyzed)."""
    with house.engine.connect() as connection:
        return connection.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = 'person'")
        ).scalar_one()


def test_a_loaded_table_is_analyzed_and_a_small_change_left_to_autovacuum(postgres_url: str) -> None:
    house = Warehouse(postgres_url)
    try:
        house.register_district(DISTRICT, "D", "UTC")
        house.apply(DISTRICT, "roster", _people(0, 1_000))
        assert _known_rows(house) == 1_000
        house.apply(DISTRICT, "roster", _people(1_000, 20))  # under 50 + 10 % of 1,000
        assert _known_rows(house) == 1_000
        house.apply(DISTRICT, "roster", _people(2_000, 200))
        assert _known_rows(house) == 1_220
    finally:
        house.dispose()


def test_sqlite_is_left_alone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    house = Warehouse(f"sqlite:///{tmp_path / 'warehouse.db'}")
    try:
        assert refresh_statistics(house.engine, {"person": TableChange(rows=5, inserted=5)}) == []
    finally:
        house.dispose()
