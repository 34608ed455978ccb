"""A district in parts of students, so that a step's memory follows the part's size, not the district's.

Two kinds: ``student_parts``, ranges of student ids, for steps whose rows are each a student's; and
``school_parts``, sets of whole schools, for steps whose unit is a school's (its sections, its dashboard).

A part is a half-open range of student ids, ``first <= id < after``, with the first part open below and
the last open above: every row keyed by a person id falls in exactly one part, a row whose person is not
(or no longer) in the roster included. The bounds come from the warehouse in its own order of ids
(SQLite's bytes, PostgreSQL's collation), so the same SQL comparison that reads a part agrees with them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true, union

from hub.model import sql_table
from hub.warehouse import Warehouse


@dataclass(frozen=True, slots=True)
class StudentPart:
    """Student ids from ``first`` (inclusive; None: from the lowest) up to ``after`` (exclusive; None: to
    the highest)."""

    first: str | None = None
    after: str | None = None

    def holds(self, column: ColumnElement[str]) -> ColumnElement[bool]:
        """The SQL condition that ``column`` (a person id) is in this part."""
        bounds = [
            *(() if self.first is None else (column >= self.first,)),
            *(() if self.after is None else (column < self.after,)),
        ]
        return and_(*bounds) if bounds else true()


WHOLE = StudentPart()
"""The one part of a district that fits in one."""


def student_parts(warehouse: Warehouse, district: str, size: int) -> list[StudentPart]:
    """The district's students in parts of at most ``size`` (the last may hold fewer), in id order; one part
    when they fit in one. Reads every ``size``-th student id only, by its place in the ordered ids."""
    person = sql_table("person")
    ordered = (
        select(person.c.source_id, func.row_number().over(order_by=person.c.source_id).label("place"))
        .where(person.c.district_id == district, person.c.role == "student", person.c.status == "active")
        .subquery()
    )
    starts = select(ordered.c.source_id).where((ordered.c.place - 1) % size == 0).order_by(ordered.c.place)
    with warehouse.engine.connect() as connection:
        firsts = list(connection.execute(starts).scalars())
    return list(_parts(firsts[1:]))


def _parts(bounds: list[str]) -> Iterator[StudentPart]:
    """Parts split at ``bounds`` (ids in the warehouse's order), the first and last open."""
    edges: list[str | None] = [None, *bounds, None]
    for first, after in itertools.pairwise(edges):
        yield StudentPart(first, after)


@dataclass(frozen=True, slots=True)
class SchoolPart:
    """Whole schools of a district, by id; None stands for the rows that name no school."""

    schools: tuple[str | None, ...]
    students: int
    """The active students whose primary school is among ``schools``."""

    def holds(self, column: ColumnElement[str]) -> ColumnElement[bool]:
        """The SQL condition that ``column`` (a school id) is one of this part's schools."""
        named = [school for school in self.schools if school is not None]
        conditions = [
            *((column.in_(named),) if named else ()),
            *((column.is_(None),) if None in self.schools else ()),
        ]
        return or_(*conditions) if conditions else false()


def school_parts(warehouse: Warehouse, district: str, size: int) -> list[SchoolPart]:
    """Every school a student, a section or a group names (and each of the roster's schools), packed
    greedily in id order (Python's, the order reports take) into parts of at most ``size`` active students
    by primary school; a school larger than ``size`` is a part of its own. Students and sections that name
    no school are the last part's. Reads one count per school."""
    counts = _students_by_school(warehouse, district)
    parts: list[SchoolPart] = []
    schools: list[str | None] = []
    students = 0
    for school in sorted(counts, key=lambda school: (school is None, school or "")):
        if schools and students + counts[school] > size:
            parts.append(SchoolPart(tuple(schools), students))
            schools, students = [], 0
        schools.append(school)
        students += counts[school]
    return [*parts, SchoolPart(tuple(schools), students)]


def _students_by_school(warehouse: Warehouse, district: str) -> dict[str | None, int]:
    """Active students per primary school, with a zero for each school only a section, a group or the
    roster names (a group keeps the school it was formed at), and for None (no school) always."""
    person, section, school = sql_table("person"), sql_table("section"), sql_table("school")
    group = sql_table("tutoring_group")
    counted = (
        select(person.c.primary_school_source_id, func.count())
        .where(person.c.district_id == district, person.c.role == "student", person.c.status == "active")
        .group_by(person.c.primary_school_source_id)
    )
    named = union(
        select(section.c.school_source_id).where(section.c.district_id == district),
        select(school.c.source_id).where(school.c.district_id == district),
        select(group.c.school_source_id).where(group.c.district_id == district),
    )
    with warehouse.engine.connect() as connection:
        counts: dict[str | None, int] = dict(connection.execute(counted).all())  # type: ignore[arg-type]
        others = connection.execute(named).scalars().all()
    return {None: 0, **dict.fromkeys(others, 0), **counts}
