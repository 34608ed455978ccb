"""A stored log applied a block at a time (``NormalizedBatch.blocks``) stores what the whole log does, on
SQLite and PostgreSQL: first night (a first load from the stages) and next night (upserts, children
replaced); a head two blocks repeat is one row, and a key repeated with other values is refused whole."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from connectors.session_log import SessionLogConfig, SessionLogSource
from hub.connector import NormalizedBatch, SyncMode
from hub.pipeline import extracts
from hub.warehouse import Warehouse, WarehouseError

WHOLE, BLOCKS = "test_district", "blocks_district"
SKIPPED = {"district_id", "synced_at", "sync_run_id"}


def stored(warehouse: Warehouse, table: str, district: str) -> list[dict]:
    rows = warehouse.read(table, district, active_only=False)
    kept = rows.drop_columns([name for name in rows.column_names if name in SKIPPED])
    return sorted(kept.to_pylist(), key=lambda row: row["source_id"])


def sync_both(warehouse: Warehouse, path: Path, folder: Path) -> None:
    """The log applied whole to one district and a block at a time (two rows a block) to the other."""
    source = SessionLogSource(SessionLogConfig(path=path))
    kept = extracts.save_extract(source.read(), folder)
    whole = source.normalize(extracts.load_extract(kept))
    assert whole.tables and not whole.blocks
    warehouse.apply(WHOLE, "session_log", whole)
    streamed = source.normalize(extracts.load_extract(kept, source.streamed))
    assert not streamed.tables.keys() & {"tutoring_session", "session_attendance"}
    warehouse.apply(BLOCKS, "session_log", streamed)


def test_a_log_applied_a_block_at_a_time_stores_what_the_whole_log_does(  # type: ignore[no-untyped-def]
    warehouse: Warehouse, logs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extracts, "BLOCK_ROWS", 2)  # sessions of three students span blocks
    warehouse.register_district(BLOCKS, "Blocks", "America/Chicago")
    students = [
        {"student_id": f"p-{n}", "attendance": "present", "mastery_check": f"{n}/4"} for n in (1, 2, 3)
    ]
    first = [logs.session(f"s-{n}", students=students, minutes=30 + n) for n in range(5)]
    sync_both(warehouse, logs.write("week1/sessions.csv", first), tmp_path / "night1")
    for table in ("tutoring_session", "session_attendance", "progress_point"):
        assert stored(warehouse, table, BLOCKS) == stored(warehouse, table, WHOLE), table
    assert len(stored(warehouse, "tutoring_session", BLOCKS)) == 5
    assert len(stored(warehouse, "session_attendance", BLOCKS)) == 15

    corrected = [
        logs.session("s-1", students=students[:1], minutes=45, notes="Moved to the library."),
        logs.session("s-7", students=students, session_date="2025-10-08"),
    ]
    sync_both(warehouse, logs.write("week2/sessions.jsonl", corrected), tmp_path / "night2")
    for table in ("tutoring_session", "session_attendance", "progress_point"):
        assert stored(warehouse, table, BLOCKS) == stored(warehouse, table, WHOLE), table
    sessions = {row["source_id"]: row for row in stored(warehouse, "tutoring_session", BLOCKS)}
    assert sorted(sessions) == ["s-0", "s-1", "s-2", "s-3", "s-4", "s-7"] and sessions["s-1"]["minutes"] == 45
    attendance = [row["source_id"] for row in stored(warehouse, "session_attendance", BLOCKS)]
    assert [key for key in attendance if key.startswith("s-1:")] == ["s-1:p-1"]  # taken off, not kept


def heads(*minutes: int) -> list[dict[str, pa.Table]]:
    """One block per value: the same session s-1 with that many minutes (and no attendance)."""
    return [
        {"tutoring_session": pa.table({"source_id": ["s-1"], "session_date": [date(2025, 10, 6)],
                                       "tutor_person_source_id": ["t-1"], "minutes": [value]})}
        for value in minutes
    ]  # fmt: skip


def test_a_head_repeated_whole_is_one_row_and_other_values_refuse_the_apply(warehouse: Warehouse) -> None:
    modes = {"tutoring_session": SyncMode.DELTA}
    warehouse.apply(WHOLE, "session_log", NormalizedBatch(tables={}, modes=modes, blocks=heads(30, 30)))
    assert [row["minutes"] for row in stored(warehouse, "tutoring_session", WHOLE)] == [30]

    for night in (heads(40, 45), heads(40, 40, 45)):  # a stored session updated; then a first load
        with pytest.raises(WarehouseError, match=r"tutoring_session: the batch holds 1 duplicate key"):
            warehouse.apply(WHOLE, "session_log", NormalizedBatch(tables={}, modes=modes, blocks=night))
        assert [row["minutes"] for row in stored(warehouse, "tutoring_session", WHOLE)] == [30]
