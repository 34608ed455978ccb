"""A table handed in blocks, staged on SQLite (``hub.warehouse.blocks``): its rows are written once into
the stage (the scratch file, attached, is the stage: no temporary table copied from it), and a first load
reads the stage in key order from the stage's index rather than sorting it; what is stored is the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from connectors.session_log import SessionLogConfig, SessionLogSource
from hub.pipeline import extracts
from hub.warehouse import Warehouse
from tests.connectors.session_log.conftest import Logs
from tests.connectors.session_log.test_blocks_apply import stored
from tests.hub.warehouse.test_sqlite_stage import scratch  # noqa: F401  (a fixture)

DISTRICT = "test_district"


@pytest.fixture
def house(tmp_path: Path, scratch: Path) -> Iterator[Warehouse]:  # noqa: F811
    house = Warehouse(f"sqlite:///{tmp_path / 'warehouse.db'}")
    house.register_district(DISTRICT, "Test District", "America/Chicago")
    yield house
    house.dispose()
    assert list(scratch.iterdir()) == []  # the scratch files went with the transaction


def statements(house: Warehouse) -> list[tuple[str, list[tuple]]]:
    """Every statement the warehouse runs from now on, with its query plan (SQLite's EXPLAIN QUERY PLAN)
    for the inserts that select from another table."""
    seen: list[tuple[str, list[tuple]]] = []

    @event.listens_for(house.engine, "before_cursor_execute")
    def explain(connection, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        plan = []
        if statement.startswith("INSERT INTO") and " SELECT " in statement and not executemany:
            plan = cursor.connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
        seen.append((statement, plan))

    return seen


def first_night(house: Warehouse, logs: Logs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A log of 5 sessions of 3 students applied to an empty district, two stored rows to a block."""
    monkeypatch.setattr(extracts, "BLOCK_ROWS", 2)
    students = [
        {"student_id": f"p-{n}", "attendance": "present", "mastery_check": f"{n}/4"} for n in (3, 1, 2)
    ]
    sessions = [logs.session(f"s-{n}", students=students, minutes=30 + n) for n in (4, 0, 3, 1, 2)]
    source = SessionLogSource(SessionLogConfig(path=logs.write("sessions.csv", sessions)))
    kept = extracts.save_extract(source.read(), tmp_path / "night1")
    batch = source.normalize(extracts.load_extract(kept, source.streamed))
    assert batch.blocks and not batch.tables.keys() & {"tutoring_session", "session_attendance"}
    house.apply(DISTRICT, "session_log", batch)


def test_a_stage_in_blocks_is_the_scratch_file_not_a_copy_of_it(
    house: Warehouse, logs: Logs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = statements(house)
    first_night(house, logs, tmp_path, monkeypatch)
    run = [statement for statement, _ in seen]
    assert not [s for s in run if s.startswith("CREATE TEMPORARY TABLE stage_")], run
    [loaded] = [s for s in run if s.startswith("INSERT INTO session_attendance")]
    assert ".rows ORDER BY" in loaded  # the first load reads the attached scratch file's own table
    assert len(stored(house, "session_attendance", DISTRICT)) == 15
    assert [row["source_id"] for row in stored(house, "tutoring_session", DISTRICT)] == [
        f"s-{n}" for n in range(5)
    ]


def test_a_first_load_reads_its_stage_in_key_order_from_the_stage_index(
    house: Warehouse, logs: Logs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = statements(house)
    first_night(house, logs, tmp_path, monkeypatch)
    loads = [
        (s, plan)
        for s, plan in seen
        if s.startswith(("INSERT INTO session_attendance", "INSERT INTO tutoring_session"))
    ]
    assert len(loads) == 2
    for statement, plan in loads:
        details = [row[-1] for row in plan]
        assert not [d for d in details if "TEMP B-TREE" in d], (statement, details)  # no sort
        assert [d for d in details if "USING INDEX ix_" in d], (statement, details)
    with house.engine.connect() as connection:  # stored in key order, as a sort would have stored them
        keys = [
            row[0]
            for row in connection.exec_driver_sql("SELECT source_id FROM session_attendance ORDER BY rowid")
        ]
    assert keys == sorted(keys) and len(keys) == 15
