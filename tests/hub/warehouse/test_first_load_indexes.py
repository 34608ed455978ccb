"""A table's first load on SQLite builds its secondary indexes after the rows are in, inside the apply's
transaction: the indexes are there after a load, and still there after a load that failed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import event, text

from hub.connector import NormalizedBatch, SyncMode
from hub.warehouse import Warehouse, WarehouseError

FIRST, SECOND = "district_a", "district_b"


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    house = Warehouse(f"sqlite:///{tmp_path / 'warehouse.db'}")
    for district in (FIRST, SECOND):
        house.register_district(district, district, "America/Chicago")
    yield house
    house.dispose()


def _enrollments(count: int) -> NormalizedBatch:
    rows = pa.table(
        {
            "source_id": [f"enr-{i}" for i in range(count)],
            "section_source_id": [f"sec-{i % 7}" for i in range(count)],
            "person_source_id": [f"student-{i}" for i in range(count)],
            "role": ["student"] * count,
        }
    )
    return NormalizedBatch({"enrollment": rows}, {"enrollment": SyncMode.BULK})


def _indexes(warehouse: Warehouse) -> list[tuple[str, str]]:
    with warehouse.engine.connect() as connection:
        found = connection.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'enrollment'")
        )
        return sorted((name, sql) for name, sql in found if sql)


def _index_statements(warehouse: Warehouse) -> list[str]:
    seen: list[str] = []

    @event.listens_for(warehouse.engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if "INDEX" in statement.upper() and "sqlite_master" not in statement:
            seen.append(statement.split(" ON ")[0])

    return seen


def test_the_first_load_drops_and_rebuilds_the_same_indexes(warehouse: Warehouse) -> None:
    before = _indexes(warehouse)
    statements = _index_statements(warehouse)

    warehouse.apply(FIRST, "roster", _enrollments(500))

    assert len(before) == 2
    assert _indexes(warehouse) == before
    assert sorted(statements) == sorted(
        [f'DROP INDEX "{name}"' for name, _ in before] + [f"CREATE INDEX {name}" for name, _ in before]
    )
    with warehouse.engine.connect() as connection:
        plan = connection.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT * FROM enrollment "
                "WHERE district_id = :d AND section_source_id = 'sec-1'"
            ),
            {"d": FIRST},
        ).all()
    assert any("ix_enrollment_section" in str(row) for row in plan)


def test_a_failed_first_load_leaves_the_indexes_and_no_rows(warehouse: Warehouse) -> None:
    before = _indexes(warehouse)
    doubled = _enrollments(10).tables["enrollment"]
    doubled = pa.concat_tables([doubled, doubled.slice(0, 1)])

    with pytest.raises(WarehouseError, match="repeats a key"):
        warehouse.apply(
            FIRST, "roster", NormalizedBatch({"enrollment": doubled}, {"enrollment": SyncMode.BULK})
        )

    assert _indexes(warehouse) == before
    assert warehouse.count("enrollment", FIRST) == 0


def test_a_table_another_district_holds_keeps_its_indexes_through_a_load(warehouse: Warehouse) -> None:
    warehouse.apply(FIRST, "roster", _enrollments(50))
    statements = _index_statements(warehouse)

    warehouse.apply(SECOND, "roster", _enrollments(50))

    assert statements == []
    assert warehouse.count("enrollment", SECOND) == 50
