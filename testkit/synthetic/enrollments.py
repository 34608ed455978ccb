"""Enrollments, streamed: a 350,000-student district has about two million of them.

Only integer arrays are held (sections per student); each chunk's ids and strings are made when asked for.
Ids are stable whatever the chunk size: a student's enrollment in slot s is ``enr-<8 * student + s>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pyarrow as pa

from testkit.synthetic.schedule import SLOTS, Schedule
from testkit.synthetic.spec import numbered

SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("section_source_id", pa.string()),
        ("school_source_id", pa.string()),
        ("person_source_id", pa.string()),
        ("role", pa.string()),
        ("primary", pa.bool_()),
        ("begin_date", pa.date32()),
        ("end_date", pa.date32()),
    ]
)


def iter_enrollments(
    schedule: Schedule,
    section_ids: pa.Array,
    school_ids: pa.Array,
    person_ids: dict[str, pa.Array],
    span: tuple[date, date],
    chunk_rows: int,
) -> Iterator[pa.Table]:
    """Teachers first (leads, then co-teachers), then students, ``chunk_rows`` rows at most per table."""
    if chunk_rows < SLOTS:
        raise ValueError(f"chunk_rows must be at least {SLOTS}, not {chunk_rows}")
    sections = np.arange(len(schedule.school))
    teaching = (
        (sections, schedule.teacher, True, "enr-t"),
        (schedule.co_section, schedule.co_teacher, False, "enr-c"),
    )
    for section, teacher, primary, prefix in teaching:
        for start in range(0, len(section), chunk_rows):
            part = slice(start, start + chunk_rows)
            yield _table(
                numbered(prefix, section[part] + 1, 6),
                section_ids.take(pa.array(section[part])),
                school_ids.take(pa.array(schedule.school[section[part]])),
                person_ids["teacher"].take(pa.array(teacher[part])),
                "teacher",
                primary,
                span,
            )
    students_per_chunk = chunk_rows // SLOTS
    matrix = schedule.student_sections
    for start in range(0, len(matrix), students_per_chunk):
        rows, slots = np.nonzero(matrix[start : start + students_per_chunk] >= 0)
        student = start + rows
        section = matrix[student, slots]
        yield _table(
            numbered("enr-", student * 8 + slots + 1, 8),
            section_ids.take(pa.array(section)),
            school_ids.take(pa.array(schedule.school[section])),
            person_ids["student"].take(pa.array(student)),
            "student",
            False,
            span,
        )


def _table(
    source_id: pa.Array,
    section: pa.Array,
    school: pa.Array,
    person: pa.Array,
    role: str,
    primary: bool,
    span: tuple[date, date],
) -> pa.Table:
    n = len(source_id)
    return pa.Table.from_arrays(
        [
            source_id,
            section,
            school,
            person,
            pa.repeat(pa.scalar(role), n),
            pa.repeat(pa.scalar(primary), n),
            pa.repeat(pa.scalar(span[0], pa.date32()), n),
            pa.repeat(pa.scalar(span[1], pa.date32()), n),
        ],
        schema=SCHEMA,
    )
