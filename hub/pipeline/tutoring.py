"""The tutoring stage: tiers, the cycle plan, and groups decided at each cycle boundary.

Boundaries are replayed in order from the last one decided up to the district's as-of date, each seeing
only the tests taken before it; so a night after a long pause (or the demo's whole season) makes the same
decisions a programme running every night would have made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import func, select

from hub.connector import NormalizedBatch, SyncMode
from hub.model import arrow_schema, conform, sql_table
from hub.pipeline.context import DistrictRun
from hub.pipeline.derived import unchanged
from hub.pipeline.domain_reads import StoredDomains
from hub.pipeline.review_reads import StoredAttendance
from hub.tutoring import (
    Grouping,
    TutoringPolicy,
    assign_tiers,
    plan_cycles,
    run_cycle_boundary,
    tier_distribution,
)
from hub.tutoring.attendance import AttendanceLog
from hub.tutoring.domain_evidence import DomainResults
from hub.tutoring.reads import READS
from hub.tutoring.seen import gaps_seen, of_people, weighed_people, weighed_results
from hub.tutoring.tiers import COUNTED, DISTRIBUTION_KEYS
from hub.tutoring.tutor_pool import roster_tutors

TIERS_STEP, GROUPS_STEP = "tiers", "tutoring_groups"  # the night's steps whose decisions these are
STUDENT_COLUMNS = ["source_id", "primary_school_source_id", "grade"]
"""What tiers (school, and grade where a test has none) and the roster check read of a student."""


def _apply_derived(
    run: DistrictRun,
    step: str,
    tables: dict[str, pa.Table],
    summary: dict | None = None,
    policy_key: str | None = None,
) -> None:
    """Write the hub's own decisions: rebuilt whole each time, so removals are expected, not guarded."""
    batch = NormalizedBatch(tables, {table: SyncMode.BULK for table in tables})
    run.warehouse.apply_step(run.district_id, step, batch, policy_key=policy_key, summary=summary)


def read_narrowed(run: DistrictRun, table: str) -> pa.Table:
    """The district's ``table``, only the columns the tutoring steps read (``hub.tutoring.reads``)."""
    return run.warehouse.read(table, run.district_id, columns=READS[table])


def _students(run: DistrictRun) -> pa.Table:
    """The roster's students, only the columns tiers and boundaries read of them (id, school, grade)."""
    person = sql_table("person")
    return run.warehouse.read(
        "person", run.district_id, columns=STUDENT_COLUMNS, where=person.c.role == "student"
    )


@dataclass(frozen=True, slots=True)
class Tiers:
    distribution: pa.Table
    """the pyramid per school, grade, subject and window, beside the healthy ranges"""


def decide_tiers(run: DistrictRun) -> Tiers:
    """Tier per student, subject and window from every test of record; and the pyramid per school.

    Kept from the last night that decided them while no test, student or tier cut point changed since.
    """
    policy = run.district.tutoring
    settings = policy.model_dump_json()
    last = run.warehouse.step_record(run.district_id, TIERS_STEP)
    if unchanged(run, last, ["assessment_result", "person"], settings):
        return Tiers(tier_distribution(counted_tiers(run), policy))
    tiers = assign_tiers(read_narrowed(run, "assessment_result"), _students(run), policy)
    _apply_derived(run, TIERS_STEP, {"tier_assignment": tiers}, policy_key=settings)
    return Tiers(tier_distribution(tiers, policy))


def counted_tiers(run: DistrictRun) -> pa.Table:
    """The stored assignments counted per pyramid cell and tier in SQL: a kept night (and the reports and
    the review packets, which show only the distribution) reads a few thousand counts, not a row per
    student, subject and window."""
    stored = sql_table("tier_assignment")
    cells = [stored.c[key] for key in [*DISTRIBUTION_KEYS, "tier"]]
    return run.warehouse.query(
        select(*cells, func.count().label(COUNTED))
        .where(stored.c.district_id == run.district_id, stored.c.status == "active")
        .group_by(*cells)
    )


def school_year_of(sessions: pa.Table, as_of: date) -> tuple[date, date]:
    """The schoolYear session among ``sessions`` holding ``as_of`` (else the latest); else August to June."""
    years = sessions.filter(pc.equal(sessions.column("session_type"), "schoolYear"))
    years = years.filter(
        pc.and_(pc.is_valid(years.column("start_date")), pc.is_valid(years.column("end_date")))
    )
    if years.num_rows:
        holding = years.filter(
            pc.and_(
                pc.less_equal(years.column("start_date"), as_of),
                pc.greater_equal(years.column("end_date"), as_of),
            )
        )
        chosen = (holding if holding.num_rows else years).sort_by([("start_date", "descending")]).slice(0, 1)
        return chosen.column("start_date")[0].as_py(), chosen.column("end_date")[0].as_py()
    start_year = as_of.year if as_of.month >= 8 else as_of.year - 1
    return date(start_year, 8, 1), date(start_year + 1, 6, 30)


def school_year_bounds(run: DistrictRun, as_of: date) -> tuple[date, date]:
    """The district's school year holding ``as_of``, from its roster's sessions (see ``school_year_of``)."""
    return school_year_of(run.warehouse.read("academic_session", run.district_id), as_of)


def as_of_date(run: DistrictRun) -> date:
    return run.district.as_of or date.today()


def plan_year(run: DistrictRun) -> pa.Table:
    """The school year's cycles, written only when the plan differs from the stored one: a night that
    plans the same year records no sync run of its own."""
    start, end = school_year_bounds(run, as_of_date(run))
    cycles = plan_cycles(start, end, run.district.tutoring.cycle_weeks)
    stored = conform("cycle", run.warehouse.read("cycle", run.district_id)).select(cycles.column_names)
    if not stored.sort_by("source_id").equals(cycles.sort_by("source_id")):
        _apply_derived(run, GROUPS_STEP, {"cycle": cycles})
    return cycles


@dataclass(frozen=True, slots=True)
class GroupDecision:
    boundaries: list[date]
    grouping: Grouping


def replay_boundaries(
    results: pa.Table,
    domains: DomainResults,
    students: pa.Table,
    tutors: pa.Table,
    cycles: pa.Table,
    boundaries: Sequence[date],
    tutoring_policy: TutoringPolicy,
    gaps: pa.Table,
    grouping: Grouping | None = None,
    attendance: AttendanceLog | None = None,
) -> Grouping:
    """Decide ``boundaries`` in order after ``grouping`` (the history so far; None before the first).

    Each boundary sees only the tests taken before it. Pure, so that the night (tables from the warehouse)
    and anything that must foresee the night's groups (the demo, from the tables its connectors read)
    decide alike. ``results`` carry the test of record already marked; ``students`` are the roster's
    student person rows now; ``tutors`` are tutor_profile rows and ``cycles`` the plan. ``gaps`` are the
    skill gaps of every test of record (the diagnostics stage stores them): a boundary uses those whose
    evidence it can see, which are exactly the gaps its own tests would give. ``domains``
    (``hub.tutoring.domain_evidence``) is asked for the domain results of the tests exits weigh, each
    member's latest. ``attendance``
    (``hub.tutoring.attendance``: the session logs) is what reviews count. The result's ``reviews`` and
    ``unplaced`` are those of ``grouping`` followed by the boundaries decided here.
    """
    if grouping is None:
        grouping = Grouping(_empty("tutoring_group"), _empty("group_membership"))
    active = students.column("source_id").combine_chunks()
    for boundary in boundaries:
        weighed = weighed_results(results, boundary, grouping.memberships, tutoring_policy)
        tiers = assign_tiers(weighed, students, tutoring_policy)
        decided = run_cycle_boundary(
            grouping.memberships if grouping.memberships.num_rows else None,
            tiers,
            gaps_seen(gaps, tiers, weighed, tutoring_policy),
            weighed,
            grouping.groups if grouping.groups.num_rows else None,
            tutoring_policy,
            boundary,
            domain_results=domains,
            tutors=tutors,
            cycles=cycles,
            active_students=active,
            attendance=attendance,
            past_reviews=grouping.reviews,
        )
        grouping = Grouping(
            decided.groups,
            decided.memberships,
            reviews=pa.concat_tables([grouping.reviews, decided.reviews]),
            unplaced=pa.concat_tables([grouping.unplaced, decided.unplaced]),
        )
    return grouping


def _empty(table: str) -> pa.Table:
    return arrow_schema(table).empty_table()


def boundary_inputs(
    read: Callable[[str], pa.Table], memberships: pa.Table, policy: TutoringPolicy
) -> tuple[pa.Table, pa.Table]:
    """Tests and skill gaps of the students a replay may weigh (``weighed_people``).

    Each table is narrowed as soon as ``read`` (model table name -> rows) hands it over, so that no whole
    table is held beside the work.
    """
    results = read("assessment_result")
    people = weighed_people(results, memberships, policy)
    return of_people(results, people), of_people(read("skill_gap"), people)


def decide_boundaries(
    read: Callable[[str], pa.Table],
    domains: DomainResults,
    students: pa.Table,
    tutors: pa.Table,
    cycles: pa.Table,
    boundaries: Sequence[date],
    tutoring_policy: TutoringPolicy,
    grouping: Grouping | None = None,
    attendance: AttendanceLog | None = None,
) -> Grouping:
    """``replay_boundaries`` over the tables ``read`` hands over, narrowed by ``boundary_inputs``, and the
    domain results ``domains`` hands over."""
    history = grouping.memberships if grouping is not None else _empty("group_membership")
    results, gaps = boundary_inputs(read, history, tutoring_policy)
    return replay_boundaries(
        results, domains, students, tutors, cycles, boundaries, tutoring_policy, gaps, grouping, attendance
    )


def district_tutors(run: DistrictRun) -> pa.Table:
    """Every tutor of the district: the roster's people with a tutoring role, and tutors.csv's own."""
    warehouse, district = run.warehouse, run.district_id
    return roster_tutors(
        warehouse.read("person", district, columns=["source_id", "role", "primary_school_source_id"]),
        warehouse.read("person_role", district, columns=["person_source_id", "org_source_id", "role"]),
        warehouse.read("school", district, columns=["source_id"]),
        warehouse.read("tutor_profile", district),
        run.district.tutoring,
    )


def decide_groups(run: DistrictRun, cycles: pa.Table) -> GroupDecision:
    """Run every cycle boundary not yet decided, up to the as-of date; write groups and memberships."""
    last = last_boundary(run)
    today = as_of_date(run)
    boundaries = [
        start
        for start in sorted(cycles.column("start_date").to_pylist())
        if start <= today and (last is None or start > last)
    ]
    warehouse, district = run.warehouse, run.district_id
    if not boundaries:  # nothing to decide: of the stored grouping, the columns its asset counts
        groups = warehouse.read("tutoring_group", district, columns=["source_id", "tutor_person_source_id"])
        counted = ["group_source_id", "exit_date", "exit_reason"]
        memberships = warehouse.read("group_membership", district, columns=counted)
        return GroupDecision([], Grouping(groups, memberships))
    grouping = Grouping(
        warehouse.read("tutoring_group", district),
        warehouse.read("group_membership", district),
        reviews=conform("tutoring_review", warehouse.read("tutoring_review", district)),
        unplaced=conform("unplaced_entrant", warehouse.read("unplaced_entrant", district)),
    )
    grouping = decide_boundaries(
        partial(read_narrowed, run),
        StoredDomains(warehouse, district),
        _students(run),
        district_tutors(run),
        cycles,
        boundaries,
        run.district.tutoring,
        grouping,
        StoredAttendance(warehouse, district),
    )
    _apply_derived(
        run,
        GROUPS_STEP,
        {
            "tutoring_group": grouping.groups,
            "group_membership": grouping.memberships,
            "tutoring_review": grouping.reviews,
            "unplaced_entrant": grouping.unplaced,
        },
        summary={"last_boundary": boundaries[-1].isoformat()},
    )
    return GroupDecision(boundaries, grouping)


def plan_and_decide(run: DistrictRun) -> GroupDecision:
    """The groups step: plan the school year's cycles, then decide every boundary due."""
    return decide_groups(run, plan_year(run))


def last_boundary(run: DistrictRun) -> date | None:
    """The latest cycle boundary the groups step decided (None before the first)."""
    last = run.warehouse.step_record(run.district_id, GROUPS_STEP).summary.get("last_boundary")
    return date.fromisoformat(last) if last else None


@dataclass(frozen=True, slots=True)
class TutoringSummary:
    """What the district's tutoring looks like after a night, in the words ``sync`` prints."""

    students: int
    """students in a group now (open memberships; a student in two subjects counts twice)"""
    groups: int
    """groups with a student now"""
    untutored: int
    """of those, groups without a tutor"""
    boundary: date | None
    """the latest boundary decided"""
    unplaced: dict[str, int]
    """entrants not placed at that boundary, by reason code"""
    reviews: dict[str, int]
    """reviews at that boundary, by recommended action"""

    def lines(self) -> list[str]:
        lines = [f"tutoring: {self.students} student(s) in {self.groups} group(s)"]
        if self.untutored:
            lines.append(
                f"  {self.untutored} group(s) without a tutor: they do not meet until one is assigned"
            )
        if self.boundary is not None and self.unplaced:
            reasons = ", ".join(
                f"{count} {code.replace('_', ' ')}" for code, count in sorted(self.unplaced.items())
            )
            lines.append(f"  not placed at the boundary of {self.boundary}: {reasons}")
        if self.boundary is not None and self.reviews:
            actions = ", ".join(
                f"{count} {action.replace('_', ' ')}" for action, count in sorted(self.reviews.items())
            )
            lines.append(f"  reviewed at the boundary of {self.boundary}: {actions}")
        return lines


def _at(table: pa.Table, column: str, day: date | None, key: str) -> dict[str, int]:
    if day is None or not table.num_rows:
        return {}
    rows = table.filter(pc.equal(table.column(column), pa.scalar(day, pa.date32())))
    return {row["values"]: row["counts"] for row in pc.value_counts(rows.column(key)).to_pylist()}


def tutoring_summary(run: DistrictRun) -> TutoringSummary:
    """Counts from the warehouse: groups and students now, the latest boundary's unplaced and reviews."""
    warehouse, district = run.warehouse, run.district_id
    memberships = warehouse.read("group_membership", district, columns=["group_source_id", "exit_date"])
    groups = warehouse.read("tutoring_group", district, columns=["source_id", "tutor_person_source_id"])
    current = memberships.filter(pc.is_null(memberships.column("exit_date")))
    meeting = groups.filter(pc.is_in(groups.column("source_id"), value_set=current.column("group_source_id")))
    unplaced = warehouse.read("unplaced_entrant", district, columns=["boundary_date", "reason_code"])
    reviews = warehouse.read("tutoring_review", district, columns=["review_date", "action"])
    boundary = last_boundary(run)
    return TutoringSummary(
        students=current.num_rows,
        groups=meeting.num_rows,
        untutored=pc.sum(pc.is_null(meeting.column("tutor_person_source_id"))).as_py() or 0,
        boundary=boundary,
        unplaced=_at(unplaced, "boundary_date", boundary, "reason_code"),
        reviews=_at(reviews, "review_date", boundary, "action"),
    )
