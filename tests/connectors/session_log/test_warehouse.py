"""A session id seen again updates the warehouse row, never duplicates it (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from connectors.session_log import SessionLogConfig, SessionLogSource
from hub.warehouse import Warehouse

DISTRICT = "test_district"


def sync(warehouse: Warehouse, path: Path) -> None:
    source = SessionLogSource(SessionLogConfig(path=path))
    extract = source.read()
    warehouse.apply(DISTRICT, "session_log", source.normalize(extract), extra_issues=extract.issues)


def rows(warehouse: Warehouse, table: str) -> dict[str, dict]:
    return {row["source_id"]: row for row in warehouse.read(table, DISTRICT).to_pylist()}


def test_a_repeated_session_updates_and_older_sessions_stay(warehouse: Warehouse, logs) -> None:  # type: ignore[no-untyped-def]
    week_one = [logs.session("s-1"), logs.session("s-2", session_date="2025-10-08")]
    sync(warehouse, logs.write("week1/sessions.csv", week_one))

    corrected = logs.session(
        "s-2",
        session_date="2025-10-08",
        minutes=45,
        notes="Moved to the library.",
        students=[
            {"student_id": "p-1", "attendance": "tardy", "minutes_present": 40},
            {"student_id": "p-2", "attendance": "present"},
        ],
    )
    sync(
        warehouse,
        logs.write("week2/sessions.jsonl", [corrected, logs.session("s-3", session_date="2025-10-13")]),
    )

    sessions = rows(warehouse, "tutoring_session")
    assert sorted(sessions) == ["s-1", "s-2", "s-3"]  # s-1 was not in the second log and stays
    assert sessions["s-2"]["minutes"] == 45 and sessions["s-2"]["notes"] == "Moved to the library."
    attendance = rows(warehouse, "session_attendance")
    assert len(attendance) == 6
    assert attendance["s-2:p-1"]["attendance"] == "tardy" and attendance["s-2:p-1"]["minutes_present"] == 40
    assert attendance["s-2:p-2"]["attendance"] == "present" and attendance["s-2:p-2"]["minutes_present"] == 45
    assert warehouse.count("session_attendance", DISTRICT) == 6


def test_rejects_are_recorded_with_the_run(warehouse: Warehouse, logs) -> None:  # type: ignore[no-untyped-def]
    bad = logs.session("s-2", minutes=500, students=[{"student_id": "p-1", "attendance": "present"}])
    sync(warehouse, logs.write("sessions.csv", [logs.session("s-1"), bad]))
    assert sorted(rows(warehouse, "tutoring_session")) == ["s-1"]
    rejects = warehouse.read("sync_reject", DISTRICT, active_only=False).to_pylist()
    assert [(r["file"], r["line"], r["column"], r["kind"]) for r in rejects] == [
        ("sessions.csv", 4, "minutes", "minutes_range")
    ]


def test_a_student_taken_off_a_relogged_session_loses_that_attendance(warehouse: Warehouse, logs) -> None:  # type: ignore[no-untyped-def]
    sync(warehouse, logs.write("week1/sessions.csv", [logs.session("s-1"), logs.session("s-2")]))
    before = rows(warehouse, "session_attendance")
    assert {"s-1:p-1", "s-1:p-2"} <= set(before)

    only_one = logs.session("s-1", students=[{"student_id": "p-1", "attendance": "present"}])
    sync(warehouse, logs.write("week2/sessions.jsonl", [only_one]))

    after = rows(warehouse, "session_attendance")
    assert sorted(key for key in after if key.startswith("s-1:")) == ["s-1:p-1"]
    assert {key for key in after if key.startswith("s-2:")} == {k for k in before if k.startswith("s-2:")}
    assert after["s-1:p-1"]["status"] == "active"


def test_a_corrected_check_replaces_its_point_and_a_dropped_one_removes_it(
    warehouse: Warehouse, logs
) -> None:  # type: ignore[no-untyped-def]
    checked = [
        {"student_id": "p-1", "attendance": "present", "mastery_check": "3/4"},
        {"student_id": "p-2", "attendance": "present", "mastery_check": "1/4"},
    ]
    sync(warehouse, logs.write("week1/sessions.csv", [logs.session("s-1", students=checked)]))
    assert {key: row["score"] for key, row in rows(warehouse, "progress_point").items()} == {
        "mastery_check:s-1:p-1": 75.0,
        "mastery_check:s-1:p-2": 25.0,
    }
    corrected = [
        {"student_id": "p-1", "attendance": "present", "mastery_check": "4/4"},
        {"student_id": "p-2", "attendance": "present"},  # the tutor took the check back
    ]
    sync(warehouse, logs.write("week2/sessions.csv", [logs.session("s-1", students=corrected)]))
    assert {key: row["score"] for key, row in rows(warehouse, "progress_point").items()} == {
        "mastery_check:s-1:p-1": 100.0
    }


def test_points_show_the_session_and_follow_a_relogged_attendance(warehouse: Warehouse, logs) -> None:  # type: ignore[no-untyped-def]
    checked = [
        {"student_id": "p-1", "attendance": "present", "mastery_check": "3/4"},
        {"student_id": "p-2", "attendance": "absent", "mastery_check": "4/4"},  # not there: no point
    ]
    sync(warehouse, logs.write("week1/sessions.csv", [logs.session("s-1", students=checked)]))
    [point] = rows(warehouse, "progress_point").values()
    assert (point["source_id"], point["person_source_id"], point["score"]) == (
        "mastery_check:s-1:p-1",
        "p-1",
        75.0,
    )
    assert (point["subject"], point["canonical_domain"], point["observed_on"]) == (
        "ela",
        "phonics",
        date(2025, 10, 6),
    )
    assert (point["measure"], point["source"], point["goal_score"]) == ("mastery_check", "session_log", None)
    assert warehouse.count("stored_progress_point", DISTRICT, active_only=False) == 0  # stored once

    relogged = [
        {"student_id": "p-1", "attendance": "absent", "mastery_check": "3/4"},  # was not there after all
        {"student_id": "p-2", "attendance": "present", "mastery_check": "2/4"},
    ]
    moved = logs.session("s-1", session_date="2025-10-07", skills_covered="geometry", students=relogged)
    sync(warehouse, logs.write("week2/sessions.csv", [moved]))
    [point] = rows(warehouse, "progress_point").values()
    assert (point["source_id"], point["score"], point["observed_on"]) == (
        "mastery_check:s-1:p-2",
        50.0,
        date(2025, 10, 7),
    )
    assert (point["subject"], point["canonical_domain"]) == ("math", "geometry")


def test_a_step_reading_the_points_sees_a_session_logs_checks_move(warehouse: Warehouse, logs) -> None:  # type: ignore[no-untyped-def]
    sync(warehouse, logs.write("week1/sessions.csv", [logs.session("s-1")]))
    mark = warehouse.last_committed_run(DISTRICT)
    assert not warehouse.changed_after(DISTRICT, mark, ["progress_point"])
    checked = [{"student_id": "p-1", "attendance": "present", "mastery_check": "1/2"}]
    sync(warehouse, logs.write("week2/sessions.csv", [logs.session("s-1", students=checked)]))
    # the view stands for the tables it shows: the attendance rows moved, so the points did
    assert warehouse.changed_after(DISTRICT, mark, ["progress_point"])
    assert not warehouse.changed_after(DISTRICT, mark, ["stored_progress_point"])
