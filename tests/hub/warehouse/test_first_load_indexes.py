"""A table's very first load builds its secondary indexes after the rows are in, inside the apply's
transaction, on SQLite and PostgreSQL alike: the indexes are there after a load, and still there after a
load that failed. On PostgreSQL a table another transaction is using keeps its indexes, and the load does
not wait for that transaction."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pyarrow as pa
import pytest
from sqlalchemy import event, text

from hub.connector import NormalizedBatch, SyncMode
from hub.warehouse import Warehouse, WarehouseError

FIRST, SECOND = "district_a", "district_b"
SECONDARY = ["ix_enrollment_person", "ix_enrollment_section"]


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    house = Warehouse(warehouse_url)
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


def _secondary_indexes(warehouse: Warehouse) -> list[str]:
    """The enrollment table's indexes that no key stands on, by name."""
    if warehouse.dialect == "postgresql":
        found = "SELECT indexname FROM pg_indexes WHERE tablename = 'enrollment' AND indexname LIKE 'ix_%'"
    else:
        found = (
            "SELECT name FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = 'enrollment' AND sql IS NOT NULL"
        )
    with warehouse.engine.connect() as connection:
        return sorted(connection.execute(text(found)).scalars())


def _index_statements(warehouse: Warehouse) -> list[str]:
    """Every DROP INDEX and CREATE INDEX the warehouse runs on enrollment from now on, up to its name."""
    seen: list[str] = []

    @event.listens_for(warehouse.engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        words = statement.replace('"', "").split()
        if words[1:2] == ["INDEX"] and words[0] in ("DROP", "CREATE") and "enrollment" in words[2]:
            seen.append(" ".join(words[:3]))

    return seen


def test_the_first_load_drops_and_rebuilds_the_same_indexes(warehouse: Warehouse) -> None:
    statements = _index_statements(warehouse)

    warehouse.apply(FIRST, "roster", _enrollments(500))

    assert _secondary_indexes(warehouse) == SECONDARY
    assert sorted(statements) == sorted(
        [f"DROP INDEX {name}" for name in SECONDARY] + [f"CREATE INDEX {name}" for name in SECONDARY]
    )
    assert warehouse.count("enrollment", FIRST) == 500


def test_the_rebuilt_index_serves_reads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    warehouse = Warehouse(f"sqlite:///{tmp_path / 'warehouse.db'}")
    warehouse.register_district(FIRST, FIRST, "America/Chicago")
    warehouse.apply(FIRST, "roster", _enrollments(500))
    with warehouse.engine.connect() as connection:
        plan = connection.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT * FROM enrollment "
                "WHERE district_id = :d AND section_source_id = 'sec-1'"
            ),
            {"d": FIRST},
        ).all()
    warehouse.dispose()
    assert any("ix_enrollment_section" in str(row) for row in plan)


def test_a_failed_first_load_leaves_the_indexes_and_no_rows(warehouse: Warehouse) -> None:
    doubled = _enrollments(10).tables["enrollment"]
    doubled = pa.concat_tables([doubled, doubled.slice(0, 1)])

    with pytest.raises(WarehouseError, match="repeats a key"):
        warehouse.apply(
            FIRST, "roster", NormalizedBatch({"enrollment": doubled}, {"enrollment": SyncMode.BULK})
        )

    assert _secondary_indexes(warehouse) == SECONDARY
    assert warehouse.count("enrollment", FIRST) == 0


def test_a_table_another_district_holds_keeps_its_indexes_through_a_load(warehouse: Warehouse) -> None:
    warehouse.apply(FIRST, "roster", _enrollments(50))
    statements = _index_statements(warehouse)

    warehouse.apply(SECOND, "roster", _enrollments(50))

    assert statements == []
    assert warehouse.count("enrollment", SECOND) == 50


def test_postgresql_keeps_the_indexes_of_a_table_another_night_is_writing_and_does_not_wait(
    postgres_url: str,
) -> None:
    """Another district's night has rows in the table, not yet committed: this night cannot see them,
    but must neither drop the indexes under them nor wait for that night to end."""
    warehouse = Warehouse(postgres_url)
    for district in (FIRST, SECOND):
        warehouse.register_district(district, district, "America/Chicago")
    other_night = warehouse.engine.connect()
    other_transaction = other_night.begin()
    other_night.execute(
        text(
            "INSERT INTO enrollment (district_id, source_id, section_source_id, person_source_id, role) "
            "VALUES (:d, 'enr-x', 'sec-x', 'student-x', 'student')"
        ),
        {"d": SECOND},
    )
    statements = _index_statements(warehouse)
    loaded = threading.Event()
    loader = threading.Thread(
        target=lambda: (warehouse.apply(FIRST, "roster", _enrollments(50)), loaded.set()), daemon=True
    )
    try:
        loader.start()
        loader.join(timeout=60)
        assert loaded.is_set(), "the first load waited for another transaction's lock"
        assert not any(statement.startswith("DROP") for statement in statements)
    finally:
        other_transaction.rollback()
        other_night.close()
        loader.join(timeout=60)
        warehouse.dispose()
    assert warehouse.count("enrollment", FIRST) == 50
