"""What the district's reports are built from, read for the whole district at once: the reports step's
tables and the night's stored analytics.

A district that fits in one part (``part_students``) is read so, one scan of each table being cheaper
than a part's index reads taken once for the teacher reports and again for the tutors'; a larger one is
read a part at a time (``hub.pipeline.report_parts``), to the same reports. bench/reports.py times these
reads apart from the rendering.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import ColumnElement, Select, bindparam, select

from hub.model import sql_table, students_of
from hub.pipeline.context import DistrictRun
from hub.pipeline.derived import load_tables
from hub.pipeline.evidence import analytics_dir, school_year_period, stored_dosage, stored_impact
from hub.pipeline.point_reads import tutored_points
from hub.pipeline.tutoring import as_of_date, counted_tiers
from hub.pipeline.week_reads import pulse_week
from hub.reports import ReportInputs
from hub.reports.logged_not_placed import not_placed_pairs
from hub.reports.slices import split_by_school
from hub.tutoring.pulse import Pulse
from hub.tutoring.tiers import tier_distribution

TABLES = (
    "person", "section", "enrollment", "school", "course", "demographics", "assessment_result",
    "skill_gap", "tier_assignment", "tutoring_group", "group_membership",
    "tutoring_session", "session_attendance", "tutor_profile", "cycle", "tutoring_review", "unplaced_entrant",
    "progress_goal", "progress_point",
)  # fmt: skip
"""What the reports depend on (domain results are not among them: no report shows a domain score)."""
LOG = ("tutoring_session", "session_attendance")
"""Read only for the students logged without a placement (``logs_not_placed``)."""
POINTS = "progress_point"
"""Read for the students with a goal, from the tables the view shows (hub.pipeline.point_reads): through the
view SQL builds every mastery check's id for the whole district (4.7 s at 20,000 students, where the table
before the view took 2.9 s)."""
TIERS = "tier_assignment"
"""Read as counts per pyramid cell and tier (``counted_tiers``): the reports show only the distribution."""
SHOWN_THROUGH_ANALYTICS = ("demographics", "assessment_result")
"""Not read at all: the reports show them only through the stored analytics (growth, subgroups, the pulse's
tests), which the impact and pulse steps made from them; a change to them still renders the reports again.
Reading them cost a tenth of the step at 5,000 students (60,782 results of 36 columns)."""

COLUMNS = {
    "session_attendance": ["session_source_id", "person_source_id"],
    "tutoring_session": ["source_id", "session_date", "group_source_id"],
    "progress_point": ["person_source_id", "measure", "observed_on", "score", "canonical_domain"],
    "skill_gap": ["person_source_id", "subject", "school_year", "window", "severity", "canonical_domain"],
}
"""Of the largest tables, only the columns a report reads: who was logged in which session of which group
on which day (hub.reports.logged_not_placed), each point's student, measure, day, score and skill
(hub.reports.progress_view), and each gap's student, subject, window, severity and skill (the tutor's
target skills)."""


def report_inputs(run: DistrictRun) -> ReportInputs:
    """What the district's reports are built from, the whole district at once: the warehouse's tables and
    the night's stored analytics."""
    warehouse, district = run.warehouse, run.district_id
    pulse = Pulse(**load_tables(analytics_dir(run, "pulse")))
    tables = {
        name: warehouse.read(name, district, columns=COLUMNS.get(name))
        for name in TABLES
        if name not in (*LOG, *SHOWN_THROUGH_ANALYTICS, POINTS, TIERS)
    }
    with_goals = pc.unique(tables["progress_goal"]["person_source_id"])
    tables[POINTS] = tutored_points(warehouse, district, with_goals, columns=COLUMNS[POINTS])
    tables |= logs_not_placed(run, not_placed_pairs(pulse)["person_source_id"].unique().to_pylist())
    students = students_of(tables["person"])
    as_of = as_of_date(run)
    week = pulse_week(warehouse, district, as_of)
    dosage = stored_dosage(run)
    impact = stored_impact(run, school_year_period(tables["cycle"], as_of))  # the impact step's, not redone
    schools = students.column("primary_school_source_id").drop_null().unique().to_pylist()
    return ReportInputs(
        district_id=district,
        week_start=week,
        **tables,
        dosage=dosage,
        pulse=pulse,
        impact=impact,
        impact_by_school=split_by_school(impact, schools),
        tier_distribution=tier_distribution(counted_tiers(run), run.district.tutoring),
        district_name=run.district.name,
        policy=run.district.tutoring,
        plan=run.district.dosage,
        impact_policy=run.district.impact,
        data_as_of=as_of,
    )


def logs_not_placed(run: DistrictRun, people: list[str]) -> dict[str, pa.Table]:
    """The session log as far as a report reads it: the sessions logged for ``people`` (the students logged
    without a placement, whose first logged day hub.reports.logged_not_placed finds), not a year's log."""
    return logged_sessions(run, listed(people), COLUMNS)


def logged_sessions(
    run: DistrictRun, students: Select | ColumnElement, columns: Mapping[str, list[str]]
) -> dict[str, pa.Table]:
    """The attendance logged for ``students`` (ids, as a query or a list) and the sessions it was logged
    in, only ``columns`` of each: a part's log, not the district's year of it."""
    district = run.district_id
    attendance, session = sql_table("session_attendance"), sql_table("tutoring_session")
    theirs = attendance.c.person_source_id.in_(students)
    held = select(attendance.c.session_source_id).where(
        attendance.c.district_id == district, attendance.c.status == "active", theirs
    )
    return {
        name: run.warehouse.read(name, district, columns=columns[name], where=where)
        for name, where in [
            ("session_attendance", theirs),
            ("tutoring_session", session.c.source_id.in_(held)),
        ]
    }


def listed(ids: list[str]) -> ColumnElement:
    """``ids`` written into the statement, not bound one parameter each: a part's students (or a district's
    logged without a placement) can be more than SQLite's 32,766 parameters allow."""
    return bindparam("ids", ids, expanding=True, literal_execute=True, unique=True)
