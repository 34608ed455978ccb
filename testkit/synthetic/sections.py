"""The sections table: the schedule's integer arrays turned into ids, titles and codes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from testkit.synthetic.schedule import Schedule, SectionColumns
from testkit.synthetic.schools import CEDS_GRADES
from testkit.synthetic.spec import numbered


def build_sections(
    schedule: Schedule, schools: pa.Table, courses: pa.Table, teachers: pa.Table, term_ids: str
) -> pa.Table:
    columns = schedule.sections
    n = len(columns.school)
    course = pa.array(columns.course)
    course_title = courses.column("title").take(course)
    teacher_name = teachers.column("family_name").take(pa.array(schedule.teacher))
    period = pa.array(columns.period, pa.int8(), mask=columns.period == 0)
    period_text = pc.binary_join_element_wise("P", period.cast(pa.string()), "")
    title = pc.binary_join_element_wise(
        pc.coalesce(pc.binary_join_element_wise(course_title, period_text, " "), course_title),
        teacher_name,
        " - ",
    )
    homeroom = (columns.slot == 0) & (columns.homeroom >= 0)
    return pa.table(
        {
            "source_id": numbered("cls-", np.arange(1, n + 1), 6),
            "title": title,
            "class_code": pc.binary_join_element_wise(
                courses.column("course_code").take(course), _number_in_course(columns), "-"
            ),
            "course_source_id": courses.column("source_id").take(course),
            "school_source_id": schools.column("source_id").take(pa.array(columns.school)),
            "term_source_ids": pa.repeat(pa.scalar(term_ids), n),
            "grades": pa.array(CEDS_GRADES).take(pa.array(columns.grade)),
            "subject": courses.column("subject").take(course),
            "class_type": pa.array(np.where(homeroom, "homeroom", "scheduled")),
            "teacher_source_id": teachers.column("source_id").take(pa.array(schedule.teacher)),
            "period": period,
        }
    )


def _number_in_course(columns: SectionColumns) -> pa.Array:
    """01, 02, ... for the sections of one course at one school (sections are sorted that way)."""
    key = columns.school * (columns.course.max(initial=0) + 1) + columns.course
    index = np.arange(len(key))
    starts = np.maximum.accumulate(np.where(np.diff(key, prepend=-1) != 0, index, 0))
    return pc.utf8_lpad(pa.array(index - starts + 1).cast(pa.string()), 2, "0")
