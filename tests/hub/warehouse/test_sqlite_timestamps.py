"""SQLite keeps timestamps in SQLAlchemy's form, which its own date functions read: the bulk load writes
that form, and revision 0014 cuts the literal ".%f" the load used to leave after the microseconds."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from alembic import command
from sqlalchemy import create_engine, text

from hub.connector import NormalizedBatch
from hub.warehouse import Warehouse
from hub.warehouse.engine import alembic_config

OLD_FORM = "2025-09-01 08:30:01.000250.%f"


def _people(rows: int) -> pa.Table:  # enough rows for the scratch-file path and for executemany's
    return pa.table(
        {
            "source_id": [f"p{n}" for n in range(rows)],
            "role": ["student"] * rows,
            "given_name": ["A"] * rows,
            "family_name": ["B"] * rows,
            "source_modified_at": pa.array([1_756_715_401_000_250] * rows, pa.timestamp("us", tz="UTC")),
        }
    )


def _functions_read(url: str, table: str) -> set[tuple[str, str | None]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            text(f"SELECT DISTINCT source_modified_at, datetime(source_modified_at) FROM {table}")
        ).all()
    engine.dispose()
    return {tuple(row) for row in found}


def test_the_load_writes_what_sqlite_date_functions_read(tmp_path: Path) -> None:
    for rows in (3, 2_500):
        url = f"sqlite:///{tmp_path / f'w{rows}.db'}"
        house = Warehouse(url)
        try:
            house.register_district("d1", "D", "UTC")
            house.apply("d1", "roster", NormalizedBatch({"person": _people(rows)}, {}))
        finally:
            house.dispose()
        assert _functions_read(url, "person") == {("2025-09-01 08:30:01.000250", "2025-09-01 08:30:01")}


def test_revision_0014_cuts_the_old_suffix(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0013_sync_run_stamps")
        connection.execute(
            text("INSERT INTO district (district_id, name, timezone) VALUES ('d1', 'D', 'UTC')")
        )
        connection.execute(
            text(
                "INSERT INTO person (district_id, source_id, role, given_name, family_name, "
                "source_modified_at) VALUES ('d1', 'p1', 'student', 'A', 'B', :old), "
                "('d1', 'p2', 'student', 'A', 'B', NULL)"
            ),
            {"old": OLD_FORM},
        )
    engine.dispose()
    assert _functions_read(url, "person") == {(OLD_FORM, None), (None, None)}

    Warehouse(url).dispose()  # migrates to head
    assert _functions_read(url, "person") == {
        ("2025-09-01 08:30:01.000250", "2025-09-01 08:30:01"),
        (None, None),
    }
