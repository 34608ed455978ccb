"""A next night's session logs cost what changed, and N such nights leave what one full load would.

Generated logs in the session-log layout (CSV and JSON Lines, a tutors list) go through the night's own
steps (``read_stage``, ``apply_stage``) night after night: a file added, a file changed (a correction, a
session and a student taken out, a check dropped), a file removed. After each night the warehouse's
sessions, attendance and mastery-check points equal those of one full load into a fresh warehouse of the
same files and of the files removed from the folder (a removed file takes nothing back), on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
import yaml
from sqlalchemy import make_url

from hub.connector import Stage
from hub.pipeline.context import DistrictRun
from hub.pipeline.sources import apply_stage, read_stage
from hub.plugins import installed
from hub.settings import load_hub_config
from hub.warehouse import DeletionGuardError
from tests.conftest import fresh_postgres_database
from tests.connectors.session_log.conftest import Logs, session

COMPARED = {
    "tutoring_session": ["source_id", "session_date", "minutes", "tutor_person_source_id", "notes"],
    "session_attendance": [
        "source_id",
        "session_source_id",
        "attendance",
        "minutes_present",
        "mastery_check",
    ],
    "progress_point": ["source_id", "person_source_id", "canonical_domain", "observed_on", "score"],
}
CHECKS = ("3/4", "75%", "mastered", "not yet", "1 of 4", None, None)
ATTENDANCE = ("present", "present", "tardy", "absent", "excused")
TUTORS = "tutor_id,subjects,max_groups,schools\nt-1,ela,4,\nt-2,math;ela,3,\n"


def week(rng: np.random.Generator, number: int, sessions: int = 12) -> list[dict]:
    """One week of generated sessions: ids ``w<number>-<i>``, two to four students, mixed checks."""
    monday = date(2025, 9, 1) + timedelta(weeks=number)
    logged = []
    for index in range(sessions):
        students = [
            {
                "student_id": f"p-{student}",
                "attendance": (attendance := str(rng.choice(ATTENDANCE))),
                "mastery_check": rng.choice(CHECKS) if attendance in ("present", "tardy") else None,
            }
            for student in rng.choice(40, size=int(rng.integers(2, 5)), replace=False)
        ]
        logged.append(
            session(
                f"w{number}-{index}",
                students,
                session_date=(monday + timedelta(days=index % 5)).isoformat(),
                tutor_id=f"t-{1 + index % 2}",
                skills_covered=("phonics", "fractions", "phonics;vocabulary")[index % 3],
                notes=f"week {number}, session {index}",
            )
        )
    return logged


def configure(folder: Path, logs: Path, warehouse_url: str) -> Path:
    district = {
        "id": "d1",
        "name": "D1",
        "warehouse_url": warehouse_url,
        "connectors": [{"name": "sessions", "type": "session_log", "settings": {"path": str(logs)}}],
    }
    config = folder / "hub.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    config.write_text(yaml.safe_dump({"data_dir": "data", "districts": [district]}), encoding="utf-8")
    return config


@contextmanager
def opened(config: Path, *, allow_deletions: bool = False) -> Iterator[DistrictRun]:
    hub = load_hub_config(config)
    run = DistrictRun(hub, hub.district("d1"), installed(), allow_deletions=allow_deletions)
    try:
        yield run
    finally:
        run.close()


def night(config: Path, *, allow_deletions: bool = False) -> tuple[set[str], dict]:
    """One night's sessions steps: the files parsed, and the rows applied per table."""
    with opened(config, allow_deletions=allow_deletions) as run:
        [read] = read_stage(run, Stage.SESSIONS)
        [applied] = apply_stage(run, "sessions")
    return set(read.files), {name: change.rows for name, change in applied.changes.items()}


def tables(config: Path) -> dict[str, list[tuple]]:
    with opened(config) as run:
        found = {}
        for table, columns in COMPARED.items():
            rows = run.warehouse.read(table, "d1", columns=columns).sort_by("source_id")
            found[table] = list(zip(*(rows[column].to_pylist() for column in columns), strict=True))
        return found


@contextmanager
def full_load(
    tmp_path: Path, logs: Path, dialect: str, removed: tuple[Path, ...] = ()
) -> Iterator[dict[str, list[tuple]]]:
    """The tables one night over a copy of ``logs`` (and the ``removed`` files) writes into a fresh
    warehouse."""
    folder = tmp_path / f"full-{len(list(tmp_path.glob('full-*')))}"
    shutil.copytree(logs, folder / "logs")
    for path in removed:
        shutil.copy(path, folder / "logs" / path.name)
    if dialect == "sqlite":
        url = f"sqlite:///{folder / 'warehouse.db'}"
        config = configure(folder, folder / "logs", url)
        night(config)
        yield tables(config)
        return
    with fresh_postgres_database() as url:
        config = configure(folder, folder / "logs", url)
        night(config)
        yield tables(config)


def assert_same_as_full_load(
    config: Path, tmp_path: Path, logs: Path, url: str, removed: tuple[Path, ...] = ()
) -> None:
    with full_load(tmp_path, logs, make_url(url).get_backend_name(), removed) as expected:
        assert tables(config) == expected


def remove(logs: Logs, name: str, archive: Path) -> Path:
    """Take a log file out of the folder, as a drop folder's retention would; keep it aside."""
    archive.mkdir(exist_ok=True)
    return (logs.folder / name).replace(archive / name)


def test_nights_of_added_changed_and_removed_logs_equal_a_full_load(
    tmp_path: Path, warehouse_url: str
) -> None:
    rng = np.random.default_rng(13)
    logs = Logs(tmp_path / "logs")
    weeks = {number: week(rng, number) for number in range(1, 5)}
    for number in (1, 2, 3):
        logs.write(f"sessions-w{number}.csv", weeks[number])
    logs.write("tutors.csv", TUTORS)
    config = configure(tmp_path, logs.folder, warehouse_url)

    parsed, _ = night(config)
    assert parsed == {"sessions-w1.csv", "sessions-w2.csv", "sessions-w3.csv", "tutors.csv"}
    assert_same_as_full_load(config, tmp_path, logs.folder, warehouse_url)

    # a week more, as a new JSON Lines file; it also re-logs a session of week 2 (a later file wins)
    relogged = {**weeks[2][0], "minutes": 50, "notes": "re-logged a week later"}
    logs.write("sessions-w4.jsonl", [*weeks[4], relogged])
    parsed, applied = night(config)
    assert parsed == {"sessions-w4.jsonl"}  # unchanged files are known by hash, not parsed
    assert applied["tutoring_session"] == len(weeks[4]) + 1  # only the new file's sessions applied
    assert "tutor_profile" not in applied
    assert_same_as_full_load(config, tmp_path, logs.folder, warehouse_url)

    # week 3 corrected: a session dropped, a student taken off one, a check taken back, one fixed
    corrected = [dict(item) for item in weeks[3][1:]]
    corrected[0]["students"] = corrected[0]["students"][:1]
    corrected[1]["students"] = [{**s, "mastery_check": None} for s in corrected[1]["students"]]
    corrected[2]["students"] = [
        {**s, "attendance": "absent", "mastery_check": None} for s in corrected[2]["students"]
    ]
    corrected.append(session("w3-extra", session_date="2025-09-23", notes="added late"))
    logs.write("sessions-w3.csv", corrected)
    parsed, applied = night(config)
    assert parsed == {"sessions-w3.csv"}
    assert applied["tutoring_session"] == len(corrected)
    with opened(config) as run:
        assert "w3-0" not in run.warehouse.read("tutoring_session", "d1")["source_id"].to_pylist()
    assert_same_as_full_load(config, tmp_path, logs.folder, warehouse_url)

    # week 1 removed (the drop folder's retention): nothing parsed, nothing taken back
    archive = tmp_path / "archive"
    removed = (remove(logs, "sessions-w1.csv", archive),)
    parsed, applied = night(config)
    assert parsed == set()
    assert not applied.get("tutoring_session")
    with opened(config) as run:
        assert "sessions-w1.csv" not in run.warehouse.connector_state("d1", "sessions")["logs"]
    assert_same_as_full_load(config, tmp_path, logs.folder, warehouse_url, removed)

    # week 2's file removed too; week 4's re-logged copy of one of its sessions still wins
    removed += (remove(logs, "sessions-w2.csv", archive),)
    night(config)
    with opened(config) as run:
        stored = run.warehouse.read("tutoring_session", "d1")
        assert {"w2-0", "w2-1"} <= set(stored["source_id"].to_pylist())
    assert_same_as_full_load(config, tmp_path, logs.folder, warehouse_url, removed)


def test_a_rolling_export_keeps_earlier_weeks_and_takes_back_only_within_its_dates(tmp_path: Path) -> None:
    """A platform that overwrites one file with the last week every night: the weeks it no longer holds
    stay; a session of the dates it covers that it no longer holds goes; the guard stays quiet."""
    rng = np.random.default_rng(21)
    weeks = {number: week(rng, number) for number in range(1, 4)}
    logs = Logs(tmp_path / "logs")
    logs.write("sessions.csv", [*weeks[1], *weeks[2]])
    config = configure(tmp_path, logs.folder, f"sqlite:///{tmp_path / 'warehouse.db'}")
    night(config)

    logs.write("sessions.csv", [*weeks[2][1:], *weeks[3]])  # week 1 rolled off; w2-0 taken back
    parsed, _ = night(config)
    assert parsed == {"sessions.csv"}
    with opened(config) as run:
        stored = set(run.warehouse.read("tutoring_session", "d1")["source_id"].to_pylist())
        attended = set(run.warehouse.read("session_attendance", "d1")["session_source_id"].to_pylist())
    logged = {item["session_id"] for item in [*weeks[1], *weeks[2], *weeks[3]]}
    assert stored == logged - {"w2-0"}
    assert "w2-0" not in attended and {item["session_id"] for item in weeks[1]} <= attended


def test_an_unreadable_file_keeps_what_it_held(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    logs = Logs(tmp_path / "logs")
    logs.write("sessions-w1.csv", week(rng, 1))
    logs.write("sessions-w2.csv", week(rng, 2))
    config = configure(tmp_path, logs.folder, f"sqlite:///{tmp_path / 'warehouse.db'}")
    night(config)
    before = tables(config)

    logs.write("sessions-w2.csv", "session_id,session_date\nw2-0,2025-09-15\n")  # required columns gone
    parsed, _ = night(config)
    assert parsed == {"sessions-w2.csv"}
    assert tables(config) == before  # nothing of week 2 is lost while its file cannot be read

    logs.write("sessions-w2.csv", week(np.random.default_rng(6), 2))
    night(config)
    assert_same_as_full_load(config, tmp_path, logs.folder, "sqlite://")


def test_a_night_that_cannot_tell_what_changed_reloads_the_folder_and_removes_nothing(tmp_path: Path) -> None:
    """Without the kept versions (a lost data folder) the night reads every file and applies them as
    upserts: a file removed meanwhile takes nothing back."""
    rng = np.random.default_rng(8)
    logs = Logs(tmp_path / "logs")
    for number in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11):
        logs.write(f"sessions-w{number:02}.csv", week(rng, number))
    config = configure(tmp_path, logs.folder, f"sqlite:///{tmp_path / 'warehouse.db'}")
    night(config)

    shutil.rmtree(tmp_path / "data" / "d1" / "raw" / "sessions" / "kept")
    removed = (remove(logs, "sessions-w01.csv", tmp_path / "archive"),)
    parsed, _ = night(config)
    assert len(parsed) == 10  # every present file parsed again
    assert_same_as_full_load(config, tmp_path, logs.folder, "sqlite://", removed)


def test_a_changed_file_taking_back_most_sessions_asks_first(tmp_path: Path) -> None:
    """A file rewritten over the same dates with most of its sessions gone is refused by the deletion
    guard, records nothing, and applies once the deletions are allowed."""
    rng = np.random.default_rng(34)
    logged = [*week(rng, 1), *week(rng, 2)]
    logs = Logs(tmp_path / "logs")
    logs.write("sessions.csv", logged)
    config = configure(tmp_path, logs.folder, f"sqlite:///{tmp_path / 'warehouse.db'}")
    night(config)
    with opened(config) as run:
        state_before = run.warehouse.connector_state("d1", "sessions")

    by_date = sorted(logged, key=lambda item: item["session_date"])
    kept = [by_date[0], by_date[-1]]
    logs.write("sessions.csv", kept)  # the same first and last dates, 22 sessions fewer
    with pytest.raises(DeletionGuardError, match="tutoring sessions"):
        night(config)
    with opened(config) as run:
        assert run.warehouse.connector_state("d1", "sessions") == state_before
    night(config, allow_deletions=True)
    with opened(config) as run:
        stored = run.warehouse.read("tutoring_session", "d1")["source_id"].to_pylist()
    assert sorted(stored) == sorted(item["session_id"] for item in kept)
