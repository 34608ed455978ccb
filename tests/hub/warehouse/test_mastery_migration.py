"""Revision 0012 moves the session logs' points onto their attendance rows behind a progress_point view:
points written at 0011 read back the same after the upgrade, and again as a table after the downgrade."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import create_engine, inspect, text

from hub.warehouse import Warehouse
from hub.warehouse.engine import alembic_config

COLUMNS = ["source_id", "person_source_id", "subject", "canonical_domain", "measure", "observed_on", "score"]
COLUMNS += ["goal_score", "source", "status"]
DISTRICT = "INSERT INTO district (district_id, name, timezone) VALUES ('d1', 'D', 'UTC')"
SESSIONS = [("s1", date(2025, 10, 6)), ("s2", date(2025, 10, 8))]
ATTENDANCE = [  # s1:p3's check was unread: it made no point
    ("s1:p1", "s1", "p1", "3/4"),
    ("s1:p2", "s1", "p2", "mastered"),
    ("s1:p3", "s1", "p3", "good effort"),
    ("s2:p1", "s2", "p1", "1/2"),
]
POINTS = [  # in key order
    ("csv:p1:orf:2025-10-07", "p1", "ela", None, "orf_wcpm", date(2025, 10, 7), 41.0, 60.0, "progress_csv",
     "active"),
    ("diagnostic:r1", "p1", "ela", None, "iready_scale", date(2025, 9, 10), 480.0, None, "iready", "active"),
    ("mastery_check:s1:p1", "p1", "ela", "phonics", "mastery_check", date(2025, 10, 6), 75.0, None,
     "session_log", "active"),
    ("mastery_check:s1:p2", "p2", "ela", "phonics", "mastery_check", date(2025, 10, 6), 100.0, None,
     "session_log", "active"),
    ("mastery_check:s2:p1", "p1", "math", None, "mastery_check", date(2025, 10, 8), 50.0, None,
     "session_log", "active"),
]  # fmt: skip
TAKEN_BACK = ("mastery_check:s9:p1", "p1", "ela", None, "mastery_check", date(2025, 9, 1), 0.0, None,
              "session_log", "deleted")  # fmt: skip
"""A point a corrected log took back (its session went with it): not carried, its attendance is gone."""


def _plain(row: tuple) -> tuple:
    return tuple(str(value) if isinstance(value, date) else value for value in row)


def _migrate(url: str, how: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        getattr(command, how)(alembic_config(connection), revision)
    engine.dispose()


def _insert(url: str, table: str, columns: list[str], rows: list[tuple]) -> None:
    engine = create_engine(url)
    marks = ", ".join(f":{column}" for column in columns)
    with engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO {table} (district_id, {', '.join(columns)}) VALUES ('d1', {marks})"),
            [dict(zip(columns, row, strict=True)) for row in rows],
        )
    engine.dispose()


def _points_at_0011(url: str) -> None:
    _migrate(url, "upgrade", "0011_result_domains")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(DISTRICT))
    engine.dispose()
    _insert(
        url,
        "tutoring_session",
        ["source_id", "session_date", "minutes", "tutor_person_source_id"],
        [(key, day, 30, "t1") for key, day in SESSIONS],
    )
    _insert(
        url,
        "session_attendance",
        [
            "source_id",
            "session_source_id",
            "person_source_id",
            "mastery_check",
            "attendance",
            "minutes_present",
        ],
        [(*row, "present", 30) for row in ATTENDANCE],
    )
    _insert(url, "progress_point", COLUMNS, [*POINTS, TAKEN_BACK])


def test_points_move_onto_attendance_and_back(warehouse_url: str) -> None:
    _points_at_0011(warehouse_url)

    house = Warehouse(warehouse_url)  # migrates to head
    try:
        read = house.read("progress_point", "d1", active_only=False, columns=COLUMNS).sort_by("source_id")
        assert [tuple(row.values()) for row in read.to_pylist()] == POINTS
        stored = house.read("stored_progress_point", "d1", active_only=False, columns=["source_id"])
        assert sorted(stored["source_id"].to_pylist()) == ["csv:p1:orf:2025-10-07", "diagnostic:r1"]
        percents = house.read("session_attendance", "d1", columns=["source_id", "mastery_percent"])
        assert dict(zip(*percents.sort_by("source_id").to_pydict().values(), strict=True)) == {
            "s1:p1": 75.0,
            "s1:p2": 100.0,
            "s1:p3": None,
            "s2:p1": 50.0,
        }
        skills = house.read("tutoring_session", "d1", columns=["source_id", "subject", "canonical_domain"])
        assert skills.sort_by("source_id").to_pylist() == [
            {"source_id": "s1", "subject": "ela", "canonical_domain": "phonics"},
            {"source_id": "s2", "subject": "math", "canonical_domain": None},
        ]
    finally:
        house.dispose()
    assert "progress_point" in inspect(create_engine(warehouse_url)).get_view_names()

    _migrate(warehouse_url, "downgrade", "0011_result_domains")
    engine = create_engine(warehouse_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(f"SELECT {', '.join(COLUMNS)} FROM progress_point ORDER BY source_id")
        ).all()
        names = inspect(connection).get_table_names()
        attendance = {column["name"] for column in inspect(connection).get_columns("session_attendance")}
        indexes = {index["name"] for index in inspect(connection).get_indexes("progress_point")}
    engine.dispose()
    assert [_plain(row) for row in rows] == [_plain(row) for row in POINTS]  # SQLite's raw dates are text
    assert "progress_point" in names and "stored_progress_point" not in names
    assert "mastery_percent" not in attendance and "ix_progress_point_person" in indexes

    _migrate(warehouse_url, "upgrade", "head")  # and up again: the restored rows carry over once more
    house = Warehouse(warehouse_url)
    try:
        assert house.count("progress_point", "d1") == len(POINTS)
        assert house.count("stored_progress_point", "d1") == 2
    finally:
        house.dispose()


def test_a_session_log_point_without_its_attendance_row_is_kept_stored(warehouse_url: str) -> None:
    _points_at_0011(warehouse_url)
    orphan = ("mastery_check:s7:p4", "p4", "math", None, "mastery_check", date(2025, 10, 1), 20.0, None,
              "session_log", "active")  # fmt: skip
    _insert(warehouse_url, "progress_point", COLUMNS, [orphan])
    house = Warehouse(warehouse_url)
    try:
        read = house.read("progress_point", "d1", columns=COLUMNS).sort_by("source_id")
        assert [tuple(row.values()) for row in read.to_pylist()] == sorted([*POINTS, orphan])
        assert house.count("stored_progress_point", "d1") == 3
    finally:
        house.dispose()
