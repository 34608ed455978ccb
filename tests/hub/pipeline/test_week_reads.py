"""The pulse's week is found in SQL, on SQLite and PostgreSQL alike: the Monday of the latest active
session on or before the night's date, else of that date's own week."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from hub.connector import NormalizedBatch, SyncMode
from hub.model import conform
from hub.pipeline.week_reads import pulse_week
from hub.warehouse import Warehouse


def _sessions(warehouse: Warehouse, days: dict[str, date], *, deleted: bool = False) -> None:
    rows = [
        {"source_id": source_id, "session_date": day, "minutes": 30, "tutor_person_source_id": "t"}
        for source_id, day in days.items()
    ]
    table = conform("tutoring_session", pa.Table.from_pylist(rows))
    deletes = {"tutoring_session": list(days)} if deleted else {}
    batch = NormalizedBatch(
        {"tutoring_session": table.slice(0, 0) if deleted else table},
        {"tutoring_session": SyncMode.DELTA},
        deletes=deletes,
    )
    warehouse.apply("test_district", "session_log", batch, max_delete_fraction=1.0)


def test_the_week_is_the_latest_session_on_or_before_the_night(warehouse: Warehouse) -> None:
    night = date(2025, 11, 20)  # a Thursday
    assert pulse_week(warehouse, "test_district", night) == date(2025, 11, 17)  # no session: the night's week

    _sessions(warehouse, {"a": date(2025, 11, 5), "b": date(2025, 11, 9), "later": date(2025, 11, 24)})
    assert pulse_week(warehouse, "test_district", night) == date(2025, 11, 3)  # Sunday the 9th: its Monday

    _sessions(warehouse, {"c": date(2025, 11, 12)})
    _sessions(warehouse, {"c": date(2025, 11, 12)}, deleted=True)  # a session taken back does not count
    assert pulse_week(warehouse, "test_district", night) == date(2025, 11, 3)
    assert pulse_week(warehouse, "test_district", date(2025, 11, 24)) == date(2025, 11, 24)
