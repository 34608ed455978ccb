"""Stamped tables carry the sync run that last inserted, changed or deleted each row (revision 0013): an
unchanged row keeps its stamp, a changed or deleted one takes the new run's, and rows stored before the
revision read back the same with no stamp; a downgrade takes the column away again."""

from __future__ import annotations

import pyarrow as pa
from alembic import command
from sqlalchemy import create_engine, inspect, text

from hub.connector import NormalizedBatch, SyncMode
from hub.warehouse import Warehouse
from hub.warehouse.engine import alembic_config

STAMPED = ("assessment_result", "result_domains")


def _results(scores: dict[str, float]) -> pa.Table:
    return pa.table(
        {
            "source_id": list(scores),
            "person_source_id": ["s1"] * len(scores),
            "vendor": ["iready"] * len(scores),
            "vendor_student_id": ["v1"] * len(scores),
            "match_status": ["matched"] * len(scores),
            "subject": ["math"] * len(scores),
            "school_year": [2026] * len(scores),
            "window": ["fall"] * len(scores),
            "rushed": [False] * len(scores),
            "is_test_of_record": [True] * len(scores),
            "scale_score": list(scores.values()),
        }
    )


def _stamps(house: Warehouse) -> dict[str, tuple[str, int | None]]:
    rows = house.read(
        "assessment_result", "d1", active_only=False, columns=["source_id", "status", "sync_run_id"]
    ).to_pylist()
    return {row["source_id"]: (row["status"], row["sync_run_id"]) for row in rows}


def test_rows_carry_the_run_that_last_changed_them(warehouse_url: str) -> None:
    house = Warehouse(warehouse_url)
    try:
        house.register_district("d1", "D", "UTC")
        first = house.apply(
            "d1", "iready", NormalizedBatch({"assessment_result": _results({"t1": 400, "t2": 410})}, {})
        )
        assert _stamps(house) == {"t1": ("active", first.run_id), "t2": ("active", first.run_id)}

        again = house.apply(
            "d1",
            "iready",
            NormalizedBatch({"assessment_result": _results({"t1": 400, "t3": 420})}, {}),
            max_delete_fraction=1.0,
        )
        assert again.run_id > first.run_id
        assert _stamps(house) == {  # t1 unchanged keeps its stamp; t2 left the export; t3 is new
            "t1": ("active", first.run_id),
            "t2": ("deleted", again.run_id),
            "t3": ("active", again.run_id),
        }

        patched = house.apply(
            "d1",
            "iready",
            NormalizedBatch(
                {"assessment_result": pa.table({"source_id": ["t1", "t3"], "scale_score": [401.0, 420.0]})},
                {"assessment_result": SyncMode.PATCH},
            ),
        )
        assert _stamps(house)["t1"] == ("active", patched.run_id)
        assert _stamps(house)["t3"] == ("active", again.run_id)  # patched to the value it had: unchanged
    finally:
        house.dispose()


def _has_stamp(url: str) -> dict[str, bool]:
    engine = create_engine(url)
    found = {
        table: "sync_run_id" in {c["name"] for c in inspect(engine).get_columns(table)} for table in STAMPED
    }
    engine.dispose()
    return found


def test_rows_stored_before_the_revision_read_back_unstamped(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0012_mastery_on_attendance")
        connection.execute(
            text("INSERT INTO district (district_id, name, timezone) VALUES ('d1', 'D', 'UTC')")
        )
        connection.execute(
            text(
                "INSERT INTO assessment_result (district_id, source_id, person_source_id, vendor, "
                'vendor_student_id, match_status, subject, school_year, "window", rushed, is_test_of_record, '
                "scale_score) VALUES ('d1', 't1', 's1', 'iready', 'v1', 'matched', 'math', 2026, 'fall', "
                "false, true, 433.5)"
            )
        )
    engine.dispose()
    assert _has_stamp(warehouse_url) == dict.fromkeys(STAMPED, False)

    house = Warehouse(warehouse_url)  # migrates to head
    try:
        rows = house.read("assessment_result", "d1", columns=["source_id", "scale_score", "sync_run_id"])
        assert rows.to_pylist() == [{"source_id": "t1", "scale_score": 433.5, "sync_run_id": None}]
    finally:
        house.dispose()
    assert _has_stamp(warehouse_url) == dict.fromkeys(STAMPED, True)

    engine = create_engine(warehouse_url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0012_mastery_on_attendance")
        kept = connection.execute(text("SELECT source_id, scale_score FROM assessment_result")).all()
    engine.dispose()
    assert _has_stamp(warehouse_url) == dict.fromkeys(STAMPED, False)
    assert [tuple(row) for row in kept] == [("t1", 433.5)]
