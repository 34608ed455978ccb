"""Impact: did tutored students grow more than students like them who were not tutored?

Growth is measured on the test of record per vendor (``growth``); each student's row carries their
cohort, dosage band, comparison peers and subgroups (``impact_rows``); the aggregates count them per
period, district-wide and per school (``impact_tables``). Every figure carries its n; ``suppress``
(``suppression``) blanks cells whose n is below a minimum wherever aggregates leave the hub (reports,
dashboards, metadata). This module is the surface: the rest are its parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring._arrow import require
from hub.tutoring.errors import TutoringError
from hub.tutoring.growth import (
    BASELINE,
    DAY_SPAN,
    LATEST,
    ROW_BITS,
    STUDENT,
    TEST_COLUMNS,
    YearTests,
    first_rows,
    growth_between,
    key_codes,
)
from hub.tutoring.impact_policy import NO_SESSIONS, ImpactPeriod, ImpactPolicy
from hub.tutoring.impact_rows import CELL, RACE_FLAGS, SUBGROUP_FLAGS, UNKNOWN, student_rows, tutored_between
from hub.tutoring.impact_tables import SCHOOL_TABLES, SUBGROUPS, SUMMARY_FIGURES, aggregates, exits_by_school
from hub.tutoring.suppression import suppress

# The names callers have always imported from here stay importable from here.
__all__ = [
    "AGGREGATES",
    "BASELINE",
    "CELL",
    "DAY_SPAN",
    "LATEST",
    "NO_SESSIONS",
    "RACE_FLAGS",
    "ROW_BITS",
    "SCHOOL_TABLES",
    "STUDENT",
    "SUBGROUPS",
    "SUBGROUP_FLAGS",
    "SUMMARY_FIGURES",
    "TEST_COLUMNS",
    "UNKNOWN",
    "WEEK_COLUMNS",
    "Impact",
    "ImpactPeriod",
    "ImpactPolicy",
    "TutoringError",
    "first_rows",
    "growth_between",
    "key_codes",
    "measure_impact",
    "require",
    "suppress",
]

AGGREGATES = (
    "comparison",
    "schools",
    "transitions",
    "subgroups",
    "dosage",
    "exits",
    "school_transitions",
    "school_subgroups",
    "school_dosage",
    "school_exits",
)
WEEK_COLUMNS = [*STUDENT, "week_start", "sessions_scheduled", "sessions_attended"]
"""What impact reads of ``Dosage.student_weeks``: who was tutored in a subject, when, and how much."""


@dataclass(frozen=True, slots=True)
class Impact:
    """Aggregates, each figure with its n (``suppressed()`` before they leave the hub), and ``students``:
    one row per tutored student and subject with their growth, peers and dosage (never leaves the hub).

    ``comparison``, ``transitions``, ``subgroups``, ``dosage`` and ``exits`` are district-wide;
    ``schools``, ``school_transitions``, ``school_subgroups``, ``school_dosage`` and ``school_exits`` are
    the same with ``school_source_id`` among the keys (``SCHOOL_TABLES`` pairs them).
    """

    students: pa.Table
    comparison: pa.Table
    schools: pa.Table
    transitions: pa.Table
    subgroups: pa.Table
    dosage: pa.Table
    exits: pa.Table
    school_transitions: pa.Table
    school_subgroups: pa.Table
    school_dosage: pa.Table
    school_exits: pa.Table
    min_n: int = 10

    def suppressed(self) -> dict[str, pa.Table]:
        """Every aggregate with cells under the policy's ``min_n`` blanked: what may leave the hub."""
        return {name: suppress(getattr(self, name), self.min_n) for name in AGGREGATES}


def measure_impact(
    results: pa.Table,
    students: pa.Table,
    demographics: pa.Table,
    student_weeks: pa.Table,
    memberships: pa.Table,
    periods: Sequence[ImpactPeriod],
    policy: ImpactPolicy | None = None,
) -> Impact:
    """Impact over each period, stacked under a ``period`` key (the period's label) and ``school_year``.

    ``students``: person rows (source_id, primary_school_source_id, grade); ``demographics``: one row per
    person; ``student_weeks``: ``Dosage.student_weeks``; ``memberships``: group_membership rows (a member
    counts as tutored even in weeks no session was logged for them).
    """
    policy = policy or ImpactPolicy()
    if not periods:
        raise TutoringError("impact needs at least one period (a school year or a cycle)")
    require(students, ["source_id", "primary_school_source_id", "grade"], "students (person)")
    require(demographics, ["source_id", *SUBGROUP_FLAGS, "sex", *RACE_FLAGS], "demographics")
    require(student_weeks, WEEK_COLUMNS, "student weeks")
    require(memberships, [*STUDENT, "entry_date", "exit_date", "exit_reason"], "group_membership")

    @cache  # a school year's tutored students serve its own period and each of its cycles
    def tutored_in(start: date, end: date) -> pa.Table:
        return tutored_between(student_weeks, memberships, start, end)

    @cache  # a school year's tests serve its own period and each of its cycles
    def tests_of(school_year: int) -> YearTests:
        return YearTests.of(results, school_year)

    exits = exits_by_school(memberships, students)
    reported = _of_tutored(demographics, student_weeks, memberships)
    parts = []
    for period in periods:
        grown = tests_of(period.school_year).grown(period.start, period.end)
        rows = student_rows(grown, students, tutored_in, period, policy)
        parts.append(aggregates(rows, reported, exits, period, policy))
    return Impact(**{name: _stack([part[name] for part in parts]) for name in parts[0]}, min_n=policy.min_n)


def _of_tutored(demographics: pa.Table, student_weeks: pa.Table, memberships: pa.Table) -> pa.Table:
    """The demographics of whoever any period can count as tutored: the only subgroups reported."""
    tutored = pa.chunked_array(
        [student_weeks["person_source_id"].unique(), memberships["person_source_id"].unique()], pa.string()
    )
    return demographics.filter(pc.is_in(demographics["source_id"], value_set=tutored))


def _stack(tables: list[pa.Table]) -> pa.Table:
    return pa.concat_tables(tables).replace_schema_metadata(tables[0].schema.metadata)
