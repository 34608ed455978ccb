"""Personalized Instruction by Lesson -> lessons passed and not passed per student, subject, year and domain.

What a student practised in i-Ready's own lessons is evidence for skill groups (a student who keeps not
passing Phonics lessons needs a person, not more screen time). The shared model has no table for it yet;
the summary has the columns proposed for one (``lesson_evidence``), so ``IReadySource.normalize`` hands it
over as soon as the model defines that table. Until then callers use ``summarise_lessons`` directly.

``source_id`` is ``iready:<Student ID>:<subject>:<school year>:<Domain>``; a row is rejected without a
student, a domain, a readable Completion Date, a known subject, or ``Passed`` / ``Not Passed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import pyarrow as pa
import pyarrow.compute as pc

from connectors.iready.arrowtools import (
    column_or_null,
    only,
    recode,
    repeat,
    school_year_of,
    to_date,
    to_number,
    unreadable,
)
from connectors.iready.checks import RowChecks
from connectors.iready.layouts import LESSONS
from connectors.iready.reading import SUBJECT
from connectors.iready.results import VENDOR
from connectors.iready.vocabulary import canonical_domain, end_year, fold, lesson_subject
from hub.connector import Extract, Issue

LESSON_EVIDENCE = pa.schema(
    [
        ("source_id", pa.string()),
        ("vendor", pa.string()),
        ("vendor_student_id", pa.string()),
        ("person_source_id", pa.string()),
        ("match_status", pa.string()),
        ("subject", pa.string()),
        ("school_year", pa.int64()),
        ("vendor_domain", pa.string()),
        ("canonical_domain", pa.string()),
        ("lessons_passed", pa.int64()),
        ("lessons_not_passed", pa.int64()),
        ("minutes", pa.float64()),
        ("first_lesson_date", pa.date32()),
        ("last_lesson_date", pa.date32()),
    ]
)
"""The proposed ``lesson_evidence`` model table, minus ``district_id`` (as every normalized table)."""


@dataclass(slots=True)
class LessonSummary:
    table: pa.Table
    issues: list[Issue]


def _passed(text: str) -> bool | None:
    return {"passed": True, "not passed": False}.get(fold(text))


def _result_reason(value: str | None) -> str:
    return f"Passed or Not Passed is {value!r}, not 'Passed' or 'Not Passed'"


def _date_reason(value: str | None) -> str:
    if value is None:
        return "Completion Date is empty"
    return f"Completion Date {value!r} is not a date (expected M/D/YYYY)"


def summarise_lessons(extract: Extract) -> LessonSummary:
    """Lessons passed / not passed, minutes, first and last date per student, subject, year and domain."""
    rows = extract.streams.get(LESSONS)
    if rows is None or rows.num_rows == 0:
        return LessonSummary(LESSON_EVIDENCE.empty_table(), [])
    lessons, issues = _lessons(rows)
    return LessonSummary(_per_domain(lessons), issues)


def _lessons(rows: pa.Table) -> tuple[pa.Table, list[Issue]]:
    """One row per usable lesson, typed; the unusable ones as rejects."""
    checks = RowChecks(rows)
    column = partial(column_or_null, rows)
    student = pc.utf8_trim_whitespace(column("Student ID"))
    domain = pc.utf8_trim_whitespace(column("Domain"))
    completed = to_date(column("Completion Date"))
    passed = recode(column("Passed or Not Passed"), _passed, pa.bool_())
    subject = pc.coalesce(recode(column("Subject"), lesson_subject, pa.string()), rows.column(SUBJECT))
    for name, value in (("Student ID", student), ("Domain", domain)):
        empty = pc.equal(pc.fill_null(value, ""), "")
        checks.reject(empty, name, "missing_required", lambda _, name=name: f"{name} is empty")
    checks.reject(pc.is_null(completed), "Completion Date", "bad_date", _date_reason)
    checks.reject(pc.is_null(passed), "Passed or Not Passed", "lesson_result", _result_reason)
    checks.reject(
        pc.is_null(subject), "Subject", "subject", lambda value: f"Subject {value!r} is not Reading or Math"
    )
    minutes = to_number(column("Total Time on Lesson (min)"))
    checks.warn(
        unreadable(column("Total Time on Lesson (min)"), minutes),
        "Total Time on Lesson (min)",
        "not_a_number",
        "Total Time on Lesson (min) is not a number; counted as 0",
    )
    school_year = recode(column("Academic Year"), end_year, pa.int64())
    lessons = pa.table(
        {
            "vendor_student_id": student,
            "subject": subject,
            "school_year": pc.coalesce(school_year, school_year_of(completed)),
            "vendor_domain": domain,
            "passed": pc.cast(passed, pa.int64()),
            "not_passed": pc.cast(pc.invert(passed), pa.int64()),
            "minutes": pc.fill_null(minutes, 0.0),
            "date": completed,
        }
    )
    return only(lessons, checks.kept), checks.issues


def _per_domain(lessons: pa.Table) -> pa.Table:
    keys = ["vendor_student_id", "subject", "school_year", "vendor_domain"]
    summary = lessons.group_by(keys).aggregate(
        [("passed", "sum"), ("not_passed", "sum"), ("minutes", "sum"), ("date", "min"), ("date", "max")]
    )
    count = summary.num_rows
    table = pa.table(
        {
            "source_id": pc.binary_join_element_wise(
                VENDOR, *(pc.cast(summary.column(key), pa.string()) for key in keys), ":"
            ),
            "vendor": repeat(VENDOR, count, pa.string()),
            **{key: summary.column(key) for key in keys},
            "person_source_id": repeat(None, count, pa.string()),
            "match_status": repeat("unmatched", count, pa.string()),
            "canonical_domain": recode(summary.column("vendor_domain"), canonical_domain, pa.string()),
            "lessons_passed": summary.column("passed_sum"),
            "lessons_not_passed": summary.column("not_passed_sum"),
            "minutes": summary.column("minutes_sum"),
            "first_lesson_date": summary.column("date_min"),
            "last_lesson_date": summary.column("date_max"),
        }
    )
    return table.select(LESSON_EVIDENCE.names).cast(LESSON_EVIDENCE)
