"""The district's reports built a part at a time, each part from its own rows, so that the reports step's
memory follows ``part_students``, not the district.

Teacher reports come a set of schools at a time (``school_parts``: a section's page reads its school's
sections, their enrollments and people, and those students' memberships and progress); tutor reports a
set of tutors at a time (a tutor's groups may span schools: the part reads its tutors' students, their
gaps, classes with those classes' teachers, and progress); the school dashboards and the district report
last, from the night's stored analytics, SQL counts and the tables they show only as counts. What every
part names (tutors, schools, courses, group labels, who was logged without a placement) is read once.

The reports come in the order, and with the content, one ``hub.reports.report_stream`` over the whole
district gives: teacher reports go by section id, so parts of schools whose sections' ids interleave are
taken together (``in_section_order``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from sqlalchemy import ColumnElement, Select, false, or_, select

from hub.model import sql_table
from hub.pipeline.context import DistrictRun
from hub.pipeline.derived import load_tables
from hub.pipeline.evidence import DOSAGE_TABLES, analytics_dir, school_year_period, stored_impact
from hub.pipeline.parts import SchoolPart, school_parts
from hub.pipeline.point_reads import checks_of, tutored_points
from hub.pipeline.report_reads import COLUMNS, listed, logs_not_placed, report_inputs
from hub.pipeline.tutoring import as_of_date, counted_tiers
from hub.pipeline.week_reads import pulse_week
from hub.reports import AlignmentReport, ReportError, ReportInputs, report_stream
from hub.reports.dashboards import build_district_report, build_school_reports
from hub.reports.directory import directory
from hub.reports.logged_not_placed import logged_since, not_placed_pairs
from hub.reports.progress_view import progress_book
from hub.reports.slices import split_by_school
from hub.reports.teacher import teacher_reports
from hub.reports.tutor import tutor_reports
from hub.tutoring.dosage import Dosage
from hub.tutoring.pulse import Pulse
from hub.tutoring.tiers import tier_distribution

NAMED = ["source_id", "given_name", "preferred_given_name", "family_name", "grade"]
"""What a part reads of a person: the name and grade its reports show (hub.reports.directory)."""
SHARED = ("school", "course", "tutoring_group", "tutor_profile", "cycle")
"""Read once for every part: a few rows per school, course, group or tutor."""
SCHOOL = "school_source_id"
COUNTED = ("group_membership", "tutoring_review", "unplaced_entrant")
"""What the dashboards count at the latest boundary (hub.reports.decisions_view)."""


def report_stream_in_parts(run: DistrictRun, generated_at: datetime) -> Iterator[AlignmentReport]:
    """``hub.reports.report_stream`` over the district, built a part of ``part_students`` at a time."""
    if generated_at.tzinfo is None:
        raise ReportError("generated_at must carry a time zone (e.g. datetime.now(timezone.utc))")
    size = run.district.part_students
    parts = school_parts(run.warehouse, run.district_id, size)
    if len(parts) == 1:  # the district fits in one part (``hub.pipeline.report_reads``)
        yield from report_stream(report_inputs(run), generated_at)
        return
    shared = shared_inputs(run)
    since = logged_since(logs_inputs(run, shared), not_placed_pairs(shared.pulse))
    for part in in_section_order(parts, section_schools(run)):
        inputs = teacher_inputs(run, shared, part)
        book = progress_book(inputs.progress_goal, inputs.progress_point)
        yield from teacher_reports(inputs, directory(inputs, since), book, generated_at)
    for tutors in tutor_parts(shared, size):
        inputs = tutor_inputs(run, shared, tutors)
        book = progress_book(inputs.progress_goal, inputs.progress_point)
        yield from tutor_reports(inputs, directory(inputs, since), book, generated_at)
    inputs = dashboard_inputs(run, shared)
    names = directory(inputs, since)
    yield from build_school_reports(inputs, names, generated_at)
    yield build_district_report(inputs, names, generated_at)


def shared_inputs(run: DistrictRun) -> ReportInputs:
    """What every part reads, once: the pulse, schools, courses, groups, tutors' profiles and names, and
    cycles; no student's row of the roster, gaps or progress."""
    warehouse, district = run.warehouse, run.district_id
    return ReportInputs(
        district_id=district,
        week_start=pulse_week(warehouse, district, as_of_date(run)),
        person=_read(run, "person", tutors(district)),
        section=_read(run, "section", false()),
        enrollment=_read(run, "enrollment", false()),
        **{name: warehouse.read(name, district) for name in SHARED},
        pulse=Pulse(**load_tables(analytics_dir(run, "pulse"))),
        district_name=run.district.name,
        policy=run.district.tutoring,
        plan=run.district.dosage,
        impact_policy=run.district.impact,
        data_as_of=as_of_date(run),
    )


def tutors(district: str) -> ColumnElement[bool]:
    """The SQL condition that a person tutors: a group's tutor, or a tutor profile's. A few rows a school."""
    group, profile = sql_table("tutoring_group"), sql_table("tutor_profile")
    return or_(
        _person().in_(select(group.c.tutor_person_source_id).where(group.c.district_id == district)),
        _person().in_(select(profile.c.source_id).where(profile.c.district_id == district)),
    )


def logs_inputs(run: DistrictRun, shared: ReportInputs) -> ReportInputs:
    """What ``logged_since`` reads, once for every part: the session log and the memberships of the
    students logged without a placement (hub.reports.logged_not_placed)."""
    people = not_placed_pairs(shared.pulse)["person_source_id"].unique().to_pylist()
    membership = sql_table("group_membership")
    return dataclasses.replace(
        shared,
        **logs_not_placed(run, people),
        group_membership=_read(run, "group_membership", membership.c.person_source_id.in_(listed(people))),
    )


def section_schools(run: DistrictRun) -> dict[str, str | None]:
    """Each section's school."""
    sections = run.warehouse.read("section", run.district_id, columns=["source_id", "school_source_id"])
    return dict(zip(*(sections[name].to_pylist() for name in sections.column_names), strict=True))


def in_section_order(parts: Sequence[SchoolPart], schools: dict[str, str | None]) -> list[SchoolPart]:
    """The parts with a section, in the order of their sections' ids (Python's: a teacher report's), parts
    whose sections' ids interleave taken as one, so that each part's reports, in id order, follow the
    last part's."""
    part_of = {school: index for index, part in enumerate(parts) for school in part.schools}
    spans: dict[int, tuple[str, str]] = {}
    for section, school in schools.items():
        index = part_of[school]
        first, last = spans.get(index, (section, section))
        spans[index] = (min(first, section), max(last, section))
    merged: list[tuple[SchoolPart, str]] = []
    for index, (first, last) in sorted(spans.items(), key=lambda span: span[1]):
        if merged and first <= merged[-1][1]:
            held, end = merged.pop()
            both = SchoolPart((*held.schools, *parts[index].schools), held.students + parts[index].students)
            merged.append((both, max(end, last)))
        else:
            merged.append((parts[index], last))
    return [part for part, _ in merged]


def teacher_inputs(run: DistrictRun, shared: ReportInputs, part: SchoolPart) -> ReportInputs:
    """The teacher reports' inputs of ``part``'s schools: their sections, the sections' enrollments and
    people, and those people's memberships and progress."""
    district = run.district_id
    section, enrollment = sql_table("section"), sql_table("enrollment")
    sections = select(section.c.source_id).where(
        section.c.district_id == district, part.holds(section.c.school_source_id)
    )
    enrolled = select(enrollment.c.person_source_id).where(
        enrollment.c.district_id == district, enrollment.c.section_source_id.in_(sections)
    )
    return _part(
        run,
        shared,
        section=section.c.source_id.in_(sections),
        enrollment=enrollment.c.section_source_id.in_(sections),
        people=_person().in_(enrolled),
        students=enrolled,
    )


def tutor_parts(shared: ReportInputs, size: int) -> list[list[str]]:
    """The tutors with a report (a pulse row or a profile), in id order, packed greedily into parts of at
    most ``size`` pulse rows (a student in one of their groups); a tutor with more is a part alone."""
    rows: dict[str, int] = {}
    if shared.pulse is not None and shared.pulse.groups.num_rows:
        counts = shared.pulse.groups["tutor_person_source_id"].drop_null().value_counts()
        rows = dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True))
    profiles = [] if shared.tutor_profile is None else shared.tutor_profile["source_id"].to_pylist()
    parts: list[list[str]] = []
    held = 0
    for tutor in sorted({*rows, *profiles}):
        if not parts or held + rows.get(tutor, 0) > size:
            parts.append([])
            held = 0
        parts[-1].append(tutor)
        held += rows.get(tutor, 0)
    return parts


def tutor_inputs(run: DistrictRun, shared: ReportInputs, tutors: list[str]) -> ReportInputs:
    """The tutor reports' inputs of ``tutors``: their pulse rows and profiles, and their students' gaps,
    classes (with those classes' teachers) and progress."""
    assert shared.pulse is not None and shared.tutor_profile is not None  # shared_inputs reads both
    named = pa.array(tutors, pa.string())
    groups = shared.pulse.groups
    groups = groups.filter(pc.is_in(groups["tutor_person_source_id"], value_set=named))
    profiles = shared.tutor_profile.filter(pc.is_in(shared.tutor_profile["source_id"], value_set=named))
    students = pc.unique(groups["person_source_id"]).drop_null().to_pylist()
    district = run.district_id
    enrollment, section = sql_table("enrollment"), sql_table("section")
    theirs = enrollment.c.person_source_id.in_(listed(students))
    classes = select(enrollment.c.section_source_id).where(enrollment.c.district_id == district, theirs)
    teaching = (enrollment.c.role == "teacher") & enrollment.c.section_source_id.in_(classes)
    teachers = select(enrollment.c.person_source_id).where(enrollment.c.district_id == district, teaching)
    part = _part(
        run,
        shared,
        section=section.c.source_id.in_(classes),
        enrollment=or_(theirs, teaching),
        people=or_(_person().in_(listed(students)), _person().in_(teachers)),
        students=listed(students),
    )
    gap = sql_table("skill_gap")
    return dataclasses.replace(
        part,
        pulse=Pulse(groups, shared.pulse.teachers),
        tutor_profile=profiles,
        skill_gap=_read(run, "skill_gap", gap.c.person_source_id.in_(listed(students))),
    )


def dashboard_inputs(run: DistrictRun, shared: ReportInputs) -> ReportInputs:
    """The school dashboards' and the district report's inputs: stored dosage and impact, tier counts,
    and the memberships and boundary decisions they count; never a student's roster row."""
    warehouse, district = run.warehouse, run.district_id
    person = sql_table("person")
    schools = (
        select(person.c.primary_school_source_id)
        .distinct()
        .where(
            person.c.district_id == district,
            person.c.role == "student",
            person.c.status == "active",
            person.c.primary_school_source_id.is_not(None),
        )
    )
    with warehouse.engine.connect() as connection:
        with_students = list(connection.execute(schools).scalars())
    assert shared.cycle is not None  # shared_inputs reads it
    impact = stored_impact(run, school_year_period(shared.cycle, shared.as_of))
    return dataclasses.replace(
        shared,
        **{name: warehouse.read(name, district) for name in COUNTED},
        dosage=trend_dosage(run, shared),
        impact=impact,
        impact_by_school=split_by_school(impact, with_students),
        tier_distribution=tier_distribution(counted_tiers(run), run.district.tutoring),
    )


def trend_dosage(run: DistrictRun, shared: ReportInputs) -> Dosage:
    """The stored dosage as far as the dashboards read it: the student weeks of the trend they show, and
    for each school with none in it one other row (its dashboard says "no sessions in these weeks", not
    "no data yet"); the other tables empty. A year of student weeks is most of the stored dosage."""
    folder = analytics_dir(run, "dosage")
    dataset = ds.dataset(folder / "student_weeks.parquet")
    first = shared.week_start - timedelta(weeks=shared.trend_weeks - 1)
    trend = (ds.field("week_start") >= first) & (ds.field("week_start") <= shared.week_start)
    weeks = dataset.to_table(filter=trend)
    school = dataset.to_table(columns=[SCHOOL])[SCHOOL]
    schools = pc.unique(school)
    absent = schools.filter(pc.invert(pc.is_in(schools, value_set=weeks[SCHOOL], skip_nulls=False)))
    others = dataset.take(pc.index_in(absent, value_set=school, skip_nulls=False))
    empty = {name: pq.read_schema(folder / f"{name}.parquet").empty_table() for name in DOSAGE_TABLES}
    return Dosage(**empty | {"student_weeks": pa.concat_tables([weeks, others])})


def _part(
    run: DistrictRun,
    shared: ReportInputs,
    *,
    section: ColumnElement[bool],
    enrollment: ColumnElement[bool],
    people: ColumnElement[bool],
    students: Select | ColumnElement,
) -> ReportInputs:
    """``shared`` with a part's sections, enrollments and people (besides the tutors), and the
    memberships, goals and points of its ``students`` (ids, as a query or a list)."""
    membership, goal = sql_table("group_membership"), sql_table("progress_goal")
    goals = _read(run, "progress_goal", goal.c.person_source_id.in_(students))
    with_goals = pc.unique(goals["person_source_id"])
    checks = checks_of(run.warehouse, run.district_id, with_goals, ids=False)
    return dataclasses.replace(
        shared,
        section=_read(run, "section", section),
        enrollment=_read(run, "enrollment", enrollment),
        person=pa.concat_tables([_read(run, "person", people), shared.person]),
        group_membership=_read(run, "group_membership", membership.c.person_source_id.in_(students)),
        progress_goal=goals,
        progress_point=tutored_points(
            run.warehouse, run.district_id, with_goals, checks, COLUMNS["progress_point"], among=students
        ),
    )


def _read(run: DistrictRun, table: str, where: ColumnElement[bool]) -> pa.Table:
    columns = NAMED if table == "person" else COLUMNS.get(table)
    return run.warehouse.read(table, run.district_id, columns=columns, where=where)


def _person() -> ColumnElement[str]:
    return sql_table("person").c.source_id
