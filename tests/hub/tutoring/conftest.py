"""Builders for the tutoring tests' rows and tables, in the shared model's schema (school year 2025-26).

Each builder fills the columns a test does not care about; every test still states the rows it checks.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from hub.model import arrow_schema
from hub.tutoring import TutoringPolicy

DEFAULT_POLICY = TutoringPolicy()
SCHOOL_YEAR = 2026


def table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=arrow_schema(name))


def roster(*students: tuple[str, str, str]) -> pa.Table:
    """The person columns tiering reads, from (source_id, grade, primary school) per student."""
    source_ids, grades, schools = (list(column) for column in zip(*students, strict=True))
    return pa.table({"source_id": source_ids, "grade": grades, "primary_school_source_id": schools})


def result_row(person: str | None, **fields: Any) -> dict[str, Any]:
    """An i-Ready test of record in math, fall, matched when it has a person, unless ``fields`` say otherwise.

    ``fields`` name at least ``source_id`` and ``test_date``: each test file keys its results its own way.
    """
    return {
        "vendor": "iready",
        "vendor_student_id": f"v-{person}",
        "person_source_id": person,
        "match_status": "matched" if person else "unmatched",
        "subject": "math",
        "school_year": SCHOOL_YEAR,
        "window": "fall",
        "rushed": False,
        "is_test_of_record": True,
        **fields,
    }


def _in_window(person: str, subject: str, window: str) -> dict[str, Any]:
    return {"person_source_id": person, "subject": subject, "school_year": SCHOOL_YEAR, "window": window}


def tier_row(person: str, *, subject: str = "math", window: str = "fall", **columns: Any) -> dict[str, Any]:
    """A tier_assignment row; ``columns`` give the tier, school, grade, result and basis."""
    source_id = f"{person}:{subject}:{SCHOOL_YEAR}:{window}"
    return {"source_id": source_id, **_in_window(person, subject, window), **columns}


def gap_row(
    person: str, domain: str, *, subject: str = "math", window: str = "fall", **columns: Any
) -> dict[str, Any]:
    """A skill_gap row in ``domain``; ``columns`` give the severity and the evidence."""
    source_id = f"{person}:{subject}:{domain}:{SCHOOL_YEAR}:{window}"
    return {
        "source_id": source_id,
        "canonical_domain": domain,
        **_in_window(person, subject, window),
        **columns,
    }


def tutor_row(
    source_id: str, max_groups: int, subjects: str = "math", schools: str | None = "sch-a"
) -> dict[str, Any]:
    return {
        "source_id": source_id,
        "subjects": subjects,
        "max_groups": max_groups,
        "school_source_ids": schools,
    }
