"""A district in parts of students, so that a step's memory follows the part's size, not the district's.

A part is a half-open range of student ids, ``first <= id < after``, with the first part open below and
the last open above: every row keyed by a person id falls in exactly one part, a row whose person is not
(or no longer) in the roster included. The bounds come from the warehouse in its own order of ids
(SQLite's bytes, PostgreSQL's collation), so the same SQL comparison that reads a part agrees with them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select, true

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
