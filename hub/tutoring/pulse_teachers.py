"""The pulse for classroom teachers: each tutored student's rows once per teacher of their class in the
group's subject, found through the roster's sections and enrollments."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring._arrow import optional_text, require

SUBJECT_PATTERNS = {
    "math": r"math|algebra|geometry|calculus|statistic|arithmetic|numera",
    "ela": r"\bela\b|english|reading|language arts|literacy|literature|writing|phonics",
}
"""Words that mark a section's subject in roster text (subjects, else title), tried in this order."""
SECTION_COLUMNS = ["source_id", "title", "subjects"]
ENROLLMENT_COLUMNS = ["section_source_id", "person_source_id", "role", "begin_date", "end_date"]
"""What the teachers' pulse reads of the roster's two largest tables."""


def section_subjects(sections: pa.Table) -> pa.Table:
    """Each section's subject (``ela`` / ``math``) read from its roster subjects, else its title."""
    require(sections, ["source_id", "title"], "section")
    text = pc.utf8_lower(pc.coalesce(optional_text(sections, "subjects"), sections["title"]))
    subject = pa.nulls(sections.num_rows, pa.string())
    for name, pattern in reversed(SUBJECT_PATTERNS.items()):
        subject = pc.if_else(pc.fill_null(pc.match_substring_regex(text, pattern), False), name, subject)
    table = pa.table({"section_source_id": sections["source_id"], "section_subject": subject})
    return table.filter(pc.is_valid(table["section_subject"]))


def teacher_rows(
    rows: pa.Table, enrollments: pa.Table, sections: pa.Table, week_start: date, week_end: date
) -> pa.Table:
    """Each pulse row once per teacher of a section the student is enrolled in, in the group's subject."""
    require(enrollments, ENROLLMENT_COLUMNS, "enrollment")
    active = enrollments.filter(
        pc.and_(
            pc.fill_null(pc.less_equal(enrollments["begin_date"], week_end), True),
            pc.fill_null(pc.greater_equal(enrollments["end_date"], week_start), True),
        )
    )
    learners = active.filter(pc.equal(active["role"], "student")).select(
        ["section_source_id", "person_source_id"]
    )
    learners = learners.join(section_subjects(sections), "section_source_id", join_type="inner")
    teachers = active.filter(pc.equal(active["role"], "teacher")).select(
        ["section_source_id", "person_source_id"]
    )
    teachers = teachers.rename_columns(["section_source_id", "teacher_person_source_id"])
    links = learners.join(teachers, "section_source_id", join_type="inner").rename_columns(
        {"section_subject": "subject"}
    )
    joined = rows.join(links, ["person_source_id", "subject"], join_type="inner")
    front = ["teacher_person_source_id", "section_source_id"]
    joined = joined.select([*front, *[name for name in joined.column_names if name not in front]])
    return joined.sort_by(
        [
            (name, "ascending")
            for name in ["teacher_person_source_id", "section_source_id", "person_source_id"]
        ]
    )
