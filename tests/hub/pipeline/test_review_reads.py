"""What reviews count of the session logs is joined in SQL, on SQLite and PostgreSQL alike: one row per
student and session of a group, only active rows of active sessions, present and tardy counted as come;
and a boundary asking for its reviewed students' span gets the rows the whole logs would give it."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from hub.connector import NormalizedBatch, SyncMode
from hub.model import arrow_schema, conform
from hub.pipeline import review_reads
from hub.pipeline.review_reads import StoredAttendance, group_attendance
from hub.tutoring.attendance import ATTENDANCE_SCHEMA, LoggedAttendance
from hub.warehouse import Warehouse


def _apply(
    warehouse: Warehouse, district: str, tables: dict[str, list[dict]], deletes: dict[str, list[str]]
) -> None:
    batch = {
        name: conform(name, pa.Table.from_pylist(rows, schema=arrow_schema(name)))
        for name, rows in tables.items()
    }
    warehouse.apply(
        district,
        "session_log",
        NormalizedBatch(batch, dict.fromkeys(batch, SyncMode.DELTA), deletes=deletes),
        max_delete_fraction=1.0,
    )


def _logs(sessions: dict[str, tuple[int, str | None]], attendance: list[tuple[str, str, str]]) -> dict:
    return {
        "tutoring_session": [
            {"source_id": source_id, "session_date": date(2025, 10, day), "minutes": 30,
             "tutor_person_source_id": "t1", "group_source_id": group}
            for source_id, (day, group) in sessions.items()
        ],
        "session_attendance": [
            {"source_id": f"{session}:{who}", "session_source_id": session, "person_source_id": who,
             "attendance": came, "minutes_present": 30}
            for session, who, came in attendance
        ],
    }  # fmt: skip


def test_reviews_read_each_students_group_sessions_joined_in_sql(warehouse: Warehouse) -> None:
    warehouse.register_district("other_district", "Other", "America/Chicago")
    sessions = {"s1": (6, "g1"), "s2": (7, "g2"), "drop-in": (8, None), "gone": (9, "g1")}
    attendance = [
        ("s1", "p1", "present"), ("s1", "p2", "tardy"), ("s1", "p3", "absent"), ("s1", "p4", "excused"),
        ("s2", "p1", "absent"), ("s2", "p5", "present"), ("drop-in", "p1", "present"),
        ("gone", "p1", "present"),
    ]  # fmt: skip
    _apply(warehouse, "test_district", _logs(sessions, attendance), {})
    # s2 logged again without p5, a session taken back (its rows go with it), another district's logs
    again = _logs({"s2": (7, "g2")}, [("s2", "p1", "absent")])
    _apply(warehouse, "test_district", again, {"tutoring_session": ["gone"]})
    _apply(warehouse, "other_district", _logs({"s1": (6, "g1")}, [("s1", "p9", "present")]), {})

    read = group_attendance(warehouse, "test_district")

    assert read.schema == ATTENDANCE_SCHEMA
    rows = sorted(tuple(row.values()) for row in read.to_pylist())
    assert rows == [
        ("p1", "g1", date(2025, 10, 6), True),
        ("p1", "g2", date(2025, 10, 7), False),
        ("p2", "g1", date(2025, 10, 6), True),
        ("p3", "g1", date(2025, 10, 6), False),
        ("p4", "g1", date(2025, 10, 6), False),
    ]


def _sorted(rows: pa.Table) -> list[tuple]:
    return sorted(tuple(row.values()) for row in rows.to_pylist())


def test_a_boundary_reads_its_reviewed_students_span_as_the_whole_logs_give_it(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions = {f"s{day}": (day, "g1" if day % 2 else "g2") for day in range(6, 11)}
    attendance = [
        (session, who, "absent" if (day + len(who)) % 3 == 0 else "present")
        for session, (day, _) in sessions.items()
        for who in ("p1", "p2", "p3", "p10")
    ]
    _apply(warehouse, "test_district", _logs(sessions, attendance), {})
    monkeypatch.setattr(review_reads, "PEOPLE_PER_READ", 2)  # three students: two reads
    stored = StoredAttendance(warehouse, "test_district")
    whole = LoggedAttendance(group_attendance(warehouse, "test_district"))
    reviewed = pa.array(["p1", "p3", "p10"])

    span = stored.of(reviewed, date(2025, 10, 7), date(2025, 10, 9))
    assert span.schema == ATTENDANCE_SCHEMA
    assert _sorted(span.select(["person_source_id", "session_date"])) == [
        (who, date(2025, 10, day)) for who in ("p1", "p10", "p3") for day in (7, 8)
    ]
    for first, before in [(date(2025, 10, 6), date(2025, 10, 11)), (date(2025, 10, 9), date(2025, 10, 10))]:
        assert _sorted(stored.of(reviewed, first, before)) == _sorted(whole.of(reviewed, first, before))
    assert (
        stored.of(reviewed, None, date(2025, 10, 11)).num_rows
        == 0
        == whole.of(reviewed, None, date(2025, 10, 11)).num_rows
    )
    assert stored.of(pa.array([], pa.string()), date(2025, 10, 6), date(2025, 10, 11)).num_rows == 0
