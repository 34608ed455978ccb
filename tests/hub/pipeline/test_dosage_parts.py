"""Dosage measured in student parts is the district's dosage measured as one part, and that is the
in-memory measure of the whole log: table by table, row order included, on SQLite and PostgreSQL, with
ids whose byte order and PostgreSQL's collation disagree and groups whose students fall in many parts."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from sqlalchemy import create_engine, make_url, text

from hub.connector import NormalizedBatch, SyncMode
from hub.model import conform, sql_table
from hub.pipeline.context import DistrictRun
from hub.pipeline.dosage_parts import dosage_in_parts
from hub.pipeline.evidence import DOSAGE_TABLES
from hub.pipeline.parts import student_parts
from hub.plugins import installed
from hub.settings import load_hub_config
from hub.tutoring.dosage import measure_dosage
from hub.tutoring.sessions import ATTENDANCE_COLUMNS, SESSION_COLUMNS
from tests.conftest import PG_ADMIN_URL, require_postgres

DISTRICT = "d1"
# mixed case, digits, dashes and accents: byte order and a linguistic collation disagree on these
STUDENTS = ["a-10", "A-2", "b", "B", "stu_001", "Stu_002", "stu-003", "Émile", "zz", "0", "9z", "_x"]
STUDENTS += [f"{prefix}{n}" for prefix in ("p-", "P_", "é") for n in range(6)]
GONE = ["~left", "Zeta-left"]  # attendance of students the roster no longer holds
STATUSES = ("present", "present", "tardy", "absent", "excused", "cancelled")


def _apply(run: DistrictRun, rows: dict[str, list[dict]]) -> None:
    tables = {name: conform(name, pa.Table.from_pylist(values)) for name, values in rows.items()}
    run.warehouse.apply(DISTRICT, "test", NormalizedBatch(tables, dict.fromkeys(tables, SyncMode.BULK)))


def _district(run: DistrictRun) -> None:
    """Six groups of up to five students drawn across the id range, four weeks of sessions by three tutors
    (a session or two without a group, attendance of a session the log lacks)."""
    rng = np.random.default_rng(13)
    pupils = [*STUDENTS, *GONE]
    groups = [
        {
            "source_id": f"g-{number}",
            "school_source_id": f"sch-{number % 2}",
            "subject": ("ela", "math")[number % 2],
            "canonical_domain": ("phonics", "fractions")[number % 2],
            "grades": "03",
            "cycle_source_id": "c-1",
            "formed_on": date(2025, 9, 1),
        }
        for number in range(6)
    ]
    members = {group["source_id"]: list(rng.choice(pupils, size=5, replace=False)) for group in groups}
    sessions, attendance = [], []
    for number in range(120):
        group = f"g-{number % 6}" if number % 17 else None
        session = f"s-{number:03d}"
        sessions.append(
            {
                "source_id": session,
                "session_date": date(2025, 9, 1) + timedelta(days=int(rng.integers(0, 28))),
                "minutes": int(rng.choice([20, 30, 45])),
                "tutor_person_source_id": f"t-{rng.integers(0, 3)}",
                "group_source_id": group,
                "skills_covered": "fractions",
            }
        )
        logged = members[group] if group else list(rng.choice(pupils, size=3, replace=False))
        for person in logged[: int(rng.integers(1, len(logged) + 1))]:
            status = str(rng.choice(STATUSES))
            attendance.append(
                {
                    "source_id": f"{session}:{person}",
                    "session_source_id": session if number % 41 else "not-in-the-log",
                    "person_source_id": person,
                    "attendance": status,
                    "minutes_present": int(rng.integers(0, 46)) if status in ("present", "tardy") else 0,
                }
            )
    people = [{"source_id": s, "role": "student"} for s in STUDENTS]
    _apply(run, {"person": people, "tutoring_group": groups})
    _apply(run, {"tutoring_session": sessions, "session_attendance": attendance})


def _measured(run: DistrictRun, size: int, folder: Path) -> dict[str, pa.Table]:
    parted = DistrictRun(run.hub, run.district.model_copy(update={"part_students": size}), installed())
    try:
        made = dosage_in_parts(parted, folder)
    finally:
        parted.close()
    return {name: pq.read_table(table) if isinstance(table, Path) else table for name, table in made.items()}


@pytest.fixture
def collated_run(tmp_path: Path) -> Iterator[DistrictRun]:
    """District ``d1`` on a PostgreSQL database whose ids sort by ICU's English collation, not by bytes."""
    require_postgres()
    name = f"tutorhub_test_icu_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(
                f'CREATE DATABASE "{name}" TEMPLATE template0 '
                "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
            )
        )
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    district = {"id": DISTRICT, "name": "D1", "warehouse_url": url, "connectors": []}
    config = tmp_path / "hub.yaml"
    config.write_text(yaml.safe_dump({"data_dir": "data", "districts": [district]}))
    hub = load_hub_config(config)
    district_run = DistrictRun(hub, hub.district(DISTRICT), installed())
    try:
        yield district_run
    finally:
        district_run.close()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_parts_measure_what_the_whole_district_does(run: DistrictRun, tmp_path: Path) -> None:
    _district(run)
    _assert_parts_measure_the_whole(run, tmp_path)


def test_parts_in_a_collation_order_are_written_in_byte_order(
    collated_run: DistrictRun, tmp_path: Path
) -> None:
    _district(collated_run)
    warehouse = collated_run.warehouse
    person = sql_table("session_attendance").c.person_source_id
    in_part_order = [
        pupil
        for part in student_parts(warehouse, DISTRICT, 3)
        for pupil in sorted(
            set(
                warehouse.read(
                    "session_attendance", DISTRICT, columns=["person_source_id"], where=part.holds(person)
                )["person_source_id"].to_pylist()
            )
        )
    ]
    assert in_part_order != sorted(in_part_order)  # the parts, one after another, are not in byte order
    _assert_parts_measure_the_whole(collated_run, tmp_path)


def _assert_parts_measure_the_whole(run: DistrictRun, tmp_path: Path) -> None:
    warehouse = run.warehouse
    parts = student_parts(warehouse, DISTRICT, 3)
    attendance = warehouse.read("session_attendance", DISTRICT, columns=ATTENDANCE_COLUMNS)
    person = sql_table("session_attendance").c.person_source_id
    part_of = {
        row["person_source_id"]: number
        for number, part in enumerate(parts)
        for row in warehouse.read(
            "session_attendance", DISTRICT, columns=["person_source_id"], where=part.holds(person)
        ).to_pylist()
    }
    spread: dict[str, set[int]] = {}  # per session, the parts its students are in
    for session, pupil in zip(
        attendance["session_source_id"].to_pylist(), attendance["person_source_id"].to_pylist(), strict=True
    ):
        spread.setdefault(session, set()).add(part_of[pupil])
    assert len(parts) >= 8 and max(len(numbers) for numbers in spread.values()) >= 3  # groups span parts

    reference = measure_dosage(
        warehouse.read("tutoring_session", DISTRICT, columns=SESSION_COLUMNS),
        attendance,
        warehouse.read("tutoring_group", DISTRICT),
        run.district.dosage,
    )
    whole = _measured(run, 10_000, tmp_path / "whole")
    parted = _measured(run, 3, tmp_path / "parted")
    for name in DOSAGE_TABLES:
        expected = getattr(reference, name)
        assert whole[name].schema == expected.schema and whole[name].equals(expected), name
        assert parted[name].schema == expected.schema and parted[name].equals(expected), name
    weeks = parted["student_weeks"]
    assert set(weeks["person_source_id"].to_pylist()) == set(part_of)  # the roster's and the gone
    assert weeks["oversized_group"].to_pylist().count(True) > 0 and parted["group_weeks"].num_rows > 0


def test_a_district_without_sessions_gets_the_empty_tables_typed(run: DistrictRun, tmp_path: Path) -> None:
    _apply(run, {"person": [{"source_id": s, "role": "student"} for s in STUDENTS]})
    empty = pa.Table.from_pylist([])
    reference = measure_dosage(
        conform("tutoring_session", empty),
        conform("session_attendance", empty),
        conform("tutoring_group", empty),
    )
    parted = _measured(run, 3, tmp_path)
    for name in DOSAGE_TABLES:
        assert parted[name].num_rows == 0 and parted[name].schema == getattr(reference, name).schema, name
