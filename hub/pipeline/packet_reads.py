"""What the review packets are built from: the district's tables at once, or a part of schools at a time.

A district that fits in one part (``part_students``) is read whole, one scan of each table; a larger one is
read a part of schools at a time (``school_parts``), so that the step's memory follows the part: a part's
packets read the students of its schools' groups, with every membership of theirs (a decision looks up the
group a student moved to, wherever it is), their reviews, goals, tests and logged sessions, and the
entrants its schools did not place; its packets are the same as the whole district's. What every part names
(schools, groups, cycles: a few rows each) and the tier counts are read once.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pyarrow as pa
from sqlalchemy import ColumnElement, false, or_, select

from hub.model import sql_table
from hub.pipeline.context import DistrictRun
from hub.pipeline.parts import SchoolPart
from hub.pipeline.report_parts import NAMED, tutors
from hub.pipeline.report_reads import logged_sessions
from hub.pipeline.tutoring import as_of_date, counted_tiers
from hub.reports import ReportInputs
from hub.tutoring.exits import LATEST_COLUMNS
from hub.tutoring.tiers import tier_distribution

TABLES = (  # what a packet depends on (``derived_files``)
    "section", "enrollment", "school", "course", "tutoring_group", "group_membership", "cycle",
    "tutoring_review", "unplaced_entrant", "progress_goal",
)  # fmt: skip
COUNTED = ("tier_assignment",)
"""Read as counts per pyramid cell (``counted_tiers``), not row by row."""
NARROW = {
    "person": NAMED,
    "tutoring_session": [
        "source_id", "session_date", "minutes", "tutor_person_source_id", "group_source_id", "skills_covered",
    ],
    "session_attendance": ["session_source_id", "person_source_id", "attendance", "minutes_present"],
    "assessment_result": [*LATEST_COLUMNS, "measure", "is_test_of_record"],
}  # fmt: skip
"""Only the columns the packet reads of the district's largest tables."""
SHARED = ("school", "tutoring_group", "cycle")
"""Read once for every part."""
BY_STUDENT = ("group_membership", "tutoring_review", "progress_goal", "assessment_result")
"""A part's rows of these are its students'."""
UNSHOWN = ("section", "enrollment")
"""Left empty in a part: a packet names no class (hub.reports.directory's classes go unused)."""


def shared_inputs(run: DistrictRun, boundary: date) -> ReportInputs:
    """What every part reads, once: schools, groups, cycles and the tier counts; no student's row."""
    warehouse, district = run.warehouse, run.district_id
    return ReportInputs(
        district_id=district,
        week_start=boundary - timedelta(days=boundary.weekday()),
        person=_read(run, "person", false()),
        **{name: _read(run, name, false()) for name in UNSHOWN},
        **{name: warehouse.read(name, district) for name in SHARED},
        tier_distribution=tier_distribution(counted_tiers(run), run.district.tutoring),
        district_name=run.district.name,
        policy=run.district.tutoring,
        plan=run.district.dosage,
        impact_policy=run.district.impact,
        data_as_of=as_of_date(run),
    )


def whole_inputs(run: DistrictRun, shared: ReportInputs) -> ReportInputs:
    """``shared`` with the rest of the district's tables, whole."""
    warehouse, district = run.warehouse, run.district_id
    tables = {name: warehouse.read(name, district) for name in TABLES if name not in SHARED}
    tables |= {name: warehouse.read(name, district, columns=columns) for name, columns in NARROW.items()}
    return dataclasses.replace(shared, **tables)


def part_inputs(run: DistrictRun, shared: ReportInputs, part: SchoolPart) -> ReportInputs:
    """``shared`` with ``part``'s rows: its groups' students' memberships, reviews, goals, tests and logged
    sessions, its schools' entrants not placed, and the names of those students, entrants and tutors."""
    district = run.district_id
    group, membership = sql_table("tutoring_group"), sql_table("group_membership")
    unplaced, person = sql_table("unplaced_entrant"), sql_table("person")
    groups = select(group.c.source_id).where(
        group.c.district_id == district, part.holds(group.c.school_source_id)
    )
    students = select(membership.c.person_source_id).where(
        membership.c.district_id == district, membership.c.group_source_id.in_(groups)
    )
    waiting = part.holds(unplaced.c.school_source_id)
    entrants = select(unplaced.c.person_source_id).where(unplaced.c.district_id == district, waiting)
    named = or_(person.c.source_id.in_(students), person.c.source_id.in_(entrants), tutors(district))
    return dataclasses.replace(
        shared,
        person=_read(run, "person", named),
        **{name: _read(run, name, sql_table(name).c.person_source_id.in_(students)) for name in BY_STUDENT},
        **logged_sessions(run, students, NARROW),
        unplaced_entrant=_read(run, "unplaced_entrant", waiting),
    )


def _read(run: DistrictRun, table: str, where: ColumnElement[bool]) -> pa.Table:
    return run.warehouse.read(table, run.district_id, columns=NARROW.get(table), where=where)
