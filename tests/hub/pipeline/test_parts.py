"""A district in student parts: every student id, and every other person id a row may carry, falls in
exactly one part, parts hold at most the size asked for, on SQLite's and PostgreSQL's orders alike; a
district in school parts: whole schools in id order, every school's rows (and the rows of none) in one."""

from __future__ import annotations

import pyarrow as pa
import pytest
from sqlalchemy import select

from hub.connector import NormalizedBatch, SyncMode
from hub.model import conform, sql_table
from hub.pipeline.parts import school_parts, student_parts
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


def _schools(warehouse: Warehouse) -> None:
    """Three schools of 1, 3 and 2 students, a student with no school, a section of a school the roster
    does not list, and a school with no student."""
    people = [
        {"source_id": f"s{n}", "role": "student", "primary_school_source_id": school}
        for n, school in enumerate(["sch-b", "sch-b", "sch-b", "sch-a", "sch-c", "sch-c", None])
    ]
    people.append({"source_id": "t1", "role": "teacher", "primary_school_source_id": "sch-a"})
    names = ("sch-a", "sch-b", "sch-c", "sch-d")
    schools = [{"source_id": s, "name": s, "org_type": "school"} for s in names]
    sections = [
        {"source_id": "c1", "title": "c1", "school_source_id": "sch-a"},
        {"source_id": "c2", "title": "c2", "school_source_id": "sch-a"},
        {"source_id": "c3", "title": "c3", "school_source_id": "sch-x"},
    ]
    tables = {"school": schools, "person": people, "section": sections}
    batch = NormalizedBatch(
        {name: conform(name, pa.Table.from_pylist(rows)) for name, rows in tables.items()},
        dict.fromkeys(tables, SyncMode.BULK),
    )
    warehouse.apply(DISTRICT, "sis", batch)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (1, [(("sch-a",), 1), (("sch-b",), 3), (("sch-c",), 2), (("sch-d", "sch-x", None), 1)]),
        (3, [(("sch-a",), 1), (("sch-b",), 3), (("sch-c", "sch-d", "sch-x", None), 3)]),
        (4, [(("sch-a", "sch-b"), 4), (("sch-c", "sch-d", "sch-x", None), 3)]),
        (100, [(("sch-a", "sch-b", "sch-c", "sch-d", "sch-x", None), 7)]),
    ],
)
def test_schools_are_packed_whole_in_id_order(warehouse: Warehouse, size: int, expected: list) -> None:
    _schools(warehouse)
    parts = school_parts(warehouse, DISTRICT, size)

    assert [(part.schools, part.students) for part in parts] == expected  # teachers not counted
    assert all(part.students <= size or len(part.schools) == 1 for part in parts)


def test_a_school_part_holds_its_schools_rows(warehouse: Warehouse) -> None:
    """Sections by their school, students by their primary school (no school: the last part's)."""
    _schools(warehouse)
    section, person = sql_table("section"), sql_table("person")
    taken = []
    for part in school_parts(warehouse, DISTRICT, 1):
        sections = select(section.c.source_id).where(
            section.c.district_id == DISTRICT, part.holds(section.c.school_source_id)
        )
        students = select(person.c.source_id).where(
            person.c.district_id == DISTRICT, part.holds(person.c.primary_school_source_id)
        )
        with warehouse.engine.connect() as connection:
            taken.append([sorted(connection.execute(query).scalars()) for query in (sections, students)])

    assert taken == [
        [["c1", "c2"], ["s3", "t1"]],
        [[], ["s0", "s1", "s2"]],
        [[], ["s4", "s5"]],
        [["c3"], ["s6"]],
    ]
