"""SQLite writes through an ADBC scratch file (hub.warehouse.sqlite_stage): the values stored as executemany
stores them, the same apply results, and no scratch file left after a commit, a refusal or a failure."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from hub.connector import NormalizedBatch, SyncMode
from hub.model import sql_table
from hub.warehouse import DeletionGuardError, Warehouse, WarehouseError, bulk
from tests.hub.warehouse.test_apply import DISTRICT, people
from tests.hub.warehouse.test_apply import bulk as bulk_batch

ROWS = bulk.SCRATCH_MIN_ROWS + 500  # large enough for the scratch file at the default threshold
UTC = dt.UTC


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder SQLite (and so the scratch files) takes temporary files from, empty."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setenv("SQLITE_TMPDIR", str(folder))
    return folder


def _house(path: Path) -> Warehouse:
    house = Warehouse(f"sqlite:///{path}")
    house.register_district(DISTRICT, "Test District", "America/Chicago")
    return house


@pytest.fixture
def houses(tmp_path: Path, scratch: Path) -> Iterator[dict[str, Warehouse]]:
    """Two SQLite warehouses: one loads every batch through a scratch file, one by executemany."""
    made = {"scratch": _house(tmp_path / "scratch.db"), "executemany": _house(tmp_path / "executemany.db")}
    yield made
    for house in made.values():
        house.dispose()


def _apply_on(
    houses: dict[str, Warehouse], monkeypatch: pytest.MonkeyPatch, connector: str, batch: NormalizedBatch
) -> dict[str, dict[str, dict[str, int | bool]]]:
    changes = {}
    for path, house in houses.items():
        monkeypatch.setattr(bulk, "SCRATCH_MIN_ROWS", 1 if path == "scratch" else 10**9)
        summary = house.apply(DISTRICT, connector, batch)
        changes[path] = {name: change.as_dict() for name, change in summary.result.changes.items()}
    return changes


def _stored(house: Warehouse, table: str) -> list[tuple]:
    """Every stored value with its SQLite storage class, as the file holds it (sync columns aside)."""
    names = [c.name for c in sql_table(table).columns if c.name != "synced_at"]
    listed = ", ".join(f'typeof("{name}"), "{name}"' for name in names)
    database = house.engine.url.database
    assert database is not None
    with sqlite3.connect(database) as connection:
        return connection.execute(f"SELECT {listed} FROM {table} ORDER BY source_id").fetchall()


def _read(house: Warehouse, table: str) -> pa.Table:
    """Every active row as Warehouse.read gives it, in key order, without the time it was written."""
    read = house.read(table, DISTRICT)
    read = read.drop_columns([name for name in ("synced_at",) if name in read.column_names])
    keys = [key.name for key in sql_table(table).primary_key.columns]
    return read.sort_by([(key, "ascending") for key in keys])


def results(count: int) -> pa.Table:
    """Test results with every kind of value: floats, large integers, booleans, dates, timestamps, quotes
    and non-ASCII text, and nulls in each."""
    ids = range(count)
    return pa.table(
        {
            "source_id": [f"test-{i:05d}" for i in ids],
            "vendor": ["nwea_map"] * count,
            "vendor_student_id": [f"O'Brien-{i}-é" for i in ids],
            "person_source_id": [None if i % 7 == 0 else f"student-{i}" for i in ids],
            "match_status": ["matched"] * count,
            "subject": ["math" if i % 2 else "ela" for i in ids],
            "school_year": pa.array([2026] * count, pa.int64()),
            "window": ["fall"] * count,
            "test_date": pa.array(
                [dt.date(2025, 9, 1) + dt.timedelta(days=i % 90) for i in ids], pa.date32()
            ),
            "scale_score": [None if i % 5 == 0 else 180.0 + i / 3 for i in ids],
            "percentile": pa.array([2**40 + i if i % 3 else None for i in ids], pa.int64()),
            "duration_minutes": [1e-300 if i % 4 == 0 else -0.1 for i in ids],
            "rushed": [i % 2 == 0 for i in ids],
            "vendor_most_recent": [None if i % 3 == 0 else i % 3 == 1 for i in ids],
            "is_test_of_record": [True] * count,
            "source_modified_at": pa.array(
                [dt.datetime(2025, 9, 1, 8, 30, tzinfo=UTC) + dt.timedelta(seconds=i) for i in ids],
                pa.timestamp("us", tz="UTC"),
            ),
        }
    )


def test_a_large_load_goes_through_one_scratch_file_unnamed_once_attached(
    tmp_path: Path, scratch: Path
) -> None:
    """The scratch file is attached for the transaction, but its name is gone from the folder as soon as it
    is attached: a process killed from then on leaves nothing behind."""
    house = _house(tmp_path / "warehouse.db")
    rows = people(range(ROWS)).append_column("district_id", pa.array([DISTRICT] * ROWS))
    with house.engine.begin() as connection:
        bulk.load(connection, "person", rows.slice(0, 10))  # a few rows: no scratch file
        assert list(scratch.iterdir()) == []
        bulk.load(connection, "person", rows.slice(10))
        attached = connection.exec_driver_sql("PRAGMA database_list").all()
        [(_, schema, file)] = [row for row in attached if row[1] not in ("main", "temp")]
        assert schema.startswith("tutorhub_stage_") and Path(file).parent == scratch
        assert list(scratch.iterdir()) == []
        assert connection.exec_driver_sql(f"SELECT count(*) FROM {schema}.rows").scalar() == ROWS - 10
    with house.engine.connect() as connection:
        names = {row[1] for row in connection.exec_driver_sql("PRAGMA database_list")}
        assert names <= {"main", "temp"}
    assert house.count("person", DISTRICT) == ROWS
    house.dispose()


def test_values_are_stored_and_read_back_alike_on_both_paths(
    houses: dict[str, Warehouse], monkeypatch: pytest.MonkeyPatch
) -> None:
    given = results(ROWS)
    _apply_on(houses, monkeypatch, "map", bulk_batch(assessment_result=given))
    stored = {path: _stored(house, "assessment_result") for path, house in houses.items()}
    assert len(stored["scratch"]) == ROWS and stored["scratch"] == stored["executemany"]
    read = {path: _read(house, "assessment_result") for path, house in houses.items()}
    assert read["scratch"].equals(read["executemany"])
    for name in given.column_names:
        assert read["scratch"].column(name).to_pylist() == given.column(name).to_pylist(), name


def test_stored_forms_match_sqlalchemy_s(
    houses: dict[str, Warehouse], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dates and timestamps as SQLAlchemy's SQLite types write them, booleans as integers."""
    _apply_on(houses, monkeypatch, "map", bulk_batch(assessment_result=results(ROWS)))
    names = [c.name for c in sql_table("assessment_result").columns if c.name != "synced_at"]
    row = dict(zip(names, _stored(houses["scratch"], "assessment_result")[1][1::2], strict=True))
    kinds = dict(zip(names, _stored(houses["scratch"], "assessment_result")[1][0::2], strict=True))
    assert row["test_date"] == "2025-09-02" and kinds["test_date"] == "text"
    # SQLAlchemy's own form, which SQLite's date functions read (a literal ".%f" was once left after it)
    assert row["source_modified_at"] == "2025-09-01 08:30:01.000000" and kinds["source_modified_at"] == "text"
    assert (row["rushed"], kinds["rushed"]) == (0, "integer")
    assert (row["percentile"], kinds["percentile"]) == (2**40 + 1, "integer")
    assert (row["scale_score"], kinds["scale_score"]) == (180.0 + 1 / 3, "real")


def test_every_apply_path_gives_the_same_changes_and_rows(
    houses: dict[str, Warehouse], monkeypatch: pytest.MonkeyPatch, scratch: Path
) -> None:
    ids = [f"student-{i}" for i in range(ROWS)]
    identifiers = pa.table(
        {"person_source_id": ids, "id_type": ["sis"] * ROWS, "value": [f"sis-{i}" for i in range(ROWS)]}
    )
    renamed = identifiers.set_column(
        2, "value", pa.array(["sis-renamed", *identifiers["value"].to_pylist()[1:]])
    )
    steps = [
        ("first load", bulk_batch(person=people(range(ROWS)), person_identifier=identifiers)),
        ("upsert", bulk_batch(person=people(range(5, ROWS), name="Bea"), person_identifier=identifiers)),
        (
            "delta",
            NormalizedBatch(
                {"person": people(range(ROWS, ROWS + 10), name="Cy")},
                {"person": SyncMode.DELTA},
                deletes={"person": ["student-5"]},
            ),
        ),
        (
            "children replaced",
            NormalizedBatch(
                {"person_identifier": renamed},
                {"person_identifier": SyncMode.DELTA},
            ),
        ),
        (
            "patch",
            NormalizedBatch(
                {"person": pa.table({"source_id": ids[:2100], "given_name": ["Di"] * 2100})},
                {"person": SyncMode.PATCH},
            ),
        ),
    ]
    counts = {}
    for label, batch in steps:
        changes = _apply_on(houses, monkeypatch, "roster", batch)
        assert changes["scratch"] == changes["executemany"], label
        counts[label] = {
            name: (c["inserted"], c["updated"], c["deleted"]) for name, c in changes["scratch"].items()
        }
        for table in ("person", "person_identifier"):
            assert _read(houses["scratch"], table).equals(_read(houses["executemany"], table)), (label, table)
        assert list(scratch.iterdir()) == [], label
    assert counts["first load"] == {"person": (ROWS, 0, 0), "person_identifier": (ROWS, 0, 0)}
    assert counts["upsert"]["person"] == (0, ROWS - 5, 5)
    assert counts["delta"] == {"person": (10, 0, 1)}
    assert counts["patch"] == {"person": (0, 2100, 0)}
    values = set(_read(houses["scratch"], "person_identifier").column("value").to_pylist())
    assert len(values) == ROWS and "sis-renamed" in values and "sis-0" not in values


def test_a_failed_first_load_leaves_nothing_and_no_scratch_file(
    houses: dict[str, Warehouse], monkeypatch: pytest.MonkeyPatch, scratch: Path
) -> None:
    monkeypatch.setattr(bulk, "SCRATCH_MIN_ROWS", 1)
    house = houses["scratch"]
    batch = bulk_batch(person=people(range(ROWS)), assessment_result=results(ROWS))
    batch.tables["enrollment"] = pa.table(
        {
            "source_id": ["enr-1", "enr-1"] * (ROWS // 2),
            "section_source_id": ["sec-1"] * (ROWS // 2 * 2),
            "person_source_id": ["student-1"] * (ROWS // 2 * 2),
            "role": ["student"] * (ROWS // 2 * 2),
        }
    )
    batch.modes["enrollment"] = SyncMode.BULK
    with pytest.raises(WarehouseError, match="repeats a key"):
        house.apply(DISTRICT, "roster", batch)
    assert house.count("person", DISTRICT) == 0 and house.count("assessment_result", DISTRICT) == 0
    assert list(scratch.iterdir()) == []


def test_a_refused_apply_leaves_the_district_and_no_scratch_file(
    houses: dict[str, Warehouse], monkeypatch: pytest.MonkeyPatch, scratch: Path
) -> None:
    monkeypatch.setattr(bulk, "SCRATCH_MIN_ROWS", 1)
    house = houses["scratch"]
    house.apply(DISTRICT, "roster", bulk_batch(person=people(range(ROWS))))
    shrunk = bulk_batch(person=people(range(ROWS // 2), name="Changed"))  # stages, then the guard refuses
    with pytest.raises(DeletionGuardError):
        house.apply(DISTRICT, "roster", shrunk)
    assert house.count("person", DISTRICT) == ROWS
    assert set(house.read("person", DISTRICT).column("given_name").to_pylist()) == {"Ana"}
    assert list(scratch.iterdir()) == []


def test_loads_past_sqlite_s_attach_limit_fall_back_to_executemany(tmp_path: Path, scratch: Path) -> None:
    house = _house(tmp_path / "warehouse.db")
    rows = pa.table({"source_id": [f"id-{i}" for i in range(ROWS)]})
    with house.engine.begin() as connection:
        limit = connection.connection.driver_connection.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED)  # type: ignore[union-attr]
        for index in range(limit + 2):
            connection.exec_driver_sql(f"CREATE TEMPORARY TABLE many_{index} (source_id TEXT)")
            bulk.load(connection, f"many_{index}", rows)
            assert connection.exec_driver_sql(f"SELECT COUNT(*) FROM many_{index}").scalar_one() == ROWS
        attached = connection.exec_driver_sql("PRAGMA database_list").all()
        assert len([row for row in attached if row[1].startswith("tutorhub_stage_")]) == limit
    assert list(scratch.iterdir()) == []
    house.dispose()
