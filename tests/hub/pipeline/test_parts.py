"""A district in student parts: every student id, and every other person id a row may carry, falls in
exactly one part, parts hold at most the size asked for, on SQLite's and PostgreSQL's orders alike."""

from __future__ import annotations

import pyarrow as pa
import pytest
from sqlalchemy import select

from hub.connector import NormalizedBatch, SyncMode
from hub.model import conform, sql_table
from hub.pipeline.parts import student_parts
from hub.warehouse import Warehouse

DISTRICT = "test_district"
# mixed case, digits, dashes and accents: byte order and a linguistic collation disagree on these
STUDENTS = ["a-10", "A-2", "b", "B", "stu_001", "Stu_002", "stu-003", "Émile", "zz", "0", "9z", "_x"]
OTHERS = ["", "~", "aa", "Zeta", "é"]  # ids a row may carry that are no student's (left roster, a typo)


def _roster(warehouse: Warehouse) -> None:
    people = [{"source_id": s, "role": "student"} for s in STUDENTS]
    people += [{"source_id": "teacher-1", "role": "teacher"}]
    batch = NormalizedBatch(
        {"person": conform("person", pa.Table.from_pylist(people))}, {"person": SyncMode.BULK}
    )
    warehouse.apply(DISTRICT, "sis", batch)


def _in_part(warehouse: Warehouse, part, ids: list[str]) -> set[str]:
    """Which of ``ids`` the part's SQL condition takes, asked of the warehouse itself."""
    person = sql_table("person")
    probe = select(person.c.source_id).where(person.c.district_id == DISTRICT, part.holds(person.c.source_id))
    with warehouse.engine.connect() as connection:
        stored = set(connection.execute(probe).scalars())
    return stored & set(ids)


@pytest.mark.parametrize("size", [1, 3, 5, 12, 50])
def test_every_student_falls_in_one_part(warehouse: Warehouse, size: int) -> None:
    _roster(warehouse)
    parts = student_parts(warehouse, DISTRICT, size)

    assert len(parts) == -(-len(STUDENTS) // size)
    taken = [_in_part(warehouse, part, STUDENTS) for part in parts]
    assert sorted(s for part in taken for s in part) == sorted(STUDENTS)  # each once
    assert all(0 < len(part) <= size for part in taken)
    assert parts[0].first is None and parts[-1].after is None


def test_ids_beyond_the_roster_fall_in_one_part(warehouse: Warehouse) -> None:
    _roster(warehouse)
    parts = student_parts(warehouse, DISTRICT, 4)
    extra = [{"source_id": s, "role": "guardian"} for s in OTHERS]
    batch = NormalizedBatch(
        {"person": conform("person", pa.Table.from_pylist(extra))}, {"person": SyncMode.DELTA}
    )
    warehouse.apply(DISTRICT, "other", batch)

    counted = sorted(s for part in parts for s in _in_part(warehouse, part, [*OTHERS, "teacher-1"]))
    assert counted == sorted([*OTHERS, "teacher-1"])


def test_a_district_without_students_is_one_open_part(warehouse: Warehouse) -> None:
    parts = student_parts(warehouse, DISTRICT, 10)
    assert len(parts) == 1 and parts[0].first is None and parts[0].after is None
