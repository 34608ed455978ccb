"""A small, consistent district built by hand, so report figures can be checked against known answers.

One school, an ELA and a math section that every student takes, tiers per subject, groups of at most four
(tutored = Tier 2 or 3), a fall and a winter test of record per student and subject, and one week of
Monday/Wednesday/Friday sessions with the absences given. The tutoring tables (dosage, pulse, impact, tier
distribution) come from the real hub.tutoring functions, so the reports read what a night would give them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pytest

from hub.model import arrow_schema, conform
from hub.progress import ProgressPolicy, monitor
from hub.reports import AlignmentReport, ReportInputs, build_reports, impact_by_school
from hub.tutoring import TutoringPolicy, tier_distribution
from hub.tutoring.dosage import measure_dosage
from hub.tutoring.impact import ImpactPeriod, measure_impact
from hub.tutoring.pulse import weekly_pulse

DISTRICT = "d-1"
SCHOOL = "sch-1"
SECTIONS = {"ela": "sec-ela", "math": "sec-math"}
TEACHERS = {"ela": "t-ela", "math": "t-math"}
TUTORS = {"ela": "tut-1", "math": "tut-2"}
DOMAINS = {"ela": ("phonics", "vocabulary"), "math": ("number_and_operations", "geometry")}
WEEK = date(2026, 1, 12)  # a Monday
SESSION_DAYS = (date(2026, 1, 12), date(2026, 1, 14), date(2026, 1, 16))
ENTRY = date(2026, 1, 5)
CYCLE_END = date(2026, 2, 15)
GENERATED_AT = datetime(2026, 1, 17, 6, 0, tzinfo=UTC)
GIVEN = ("Ana", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea")


@dataclass(frozen=True)
class Student:
    ela_tier: int
    math_tier: int
    english_learner: bool = False
    sex: str = "female"
    absent: dict[str, str] = field(default_factory=dict)
    """ISO date -> attendance status other than present (absent, excused, tardy)."""


SMALL = (
    Student(3, 1, english_learner=True, absent={"2026-01-14": "absent"}),
    Student(3, 1, english_learner=True, sex="male"),
    Student(2, 1, english_learner=True),
    Student(2, 1, sex="male"),
    Student(2, 1, absent={"2026-01-16": "excused"}),
    Student(2, 1, sex="male"),
    Student(1, 3, english_learner=True),
    Student(1, 2, sex="male", absent={"2026-01-12": "tardy"}),
    Student(1, 2),
    Student(1, 2, sex="male", absent={"2026-01-12": "absent", "2026-01-16": "absent"}),
    Student(1, 1),
    Student(1, 1, sex="male"),
)
"""12 students: 6 tutored in ELA (a phonics group of 4, a vocabulary group of 2), 4 in math (one group)."""


def wide() -> tuple[Student, ...]:
    """40 students: 17 tutored in ELA, of them 10 English learners and 7 not; 14 tutored in math."""
    return tuple(
        Student(
            ela_tier=3 if i < 4 else 2 if i < 17 else 1,
            math_tier=3 if 17 <= i < 19 else 2 if 19 <= i < 31 else 1,
            english_learner=i < 10,
            sex="female" if i % 2 else "male",
            absent={"2026-01-14": "absent"} if i % 6 == 0 else {},
        )
        for i in range(40)
    )


def person_id(index: int) -> str:
    return f"stu-{index + 1:02d}"


def name_of(index: int) -> str:
    return GIVEN[index % len(GIVEN)] + (f"{index // len(GIVEN)}" if index >= len(GIVEN) else "")


def tutored(students: Sequence[Student], subject: str) -> list[int]:
    return [i for i, student in enumerate(students) if getattr(student, f"{subject}_tier") >= 2]


def groups_of(students: Sequence[Student], subject: str) -> list[tuple[str, str, list[int]]]:
    """(group id, domain, member indexes): tutored students in order, four to a group."""
    members = tutored(students, subject)
    chunks = [members[i : i + 4] for i in range(0, len(members), 4)]
    domains = DOMAINS[subject]
    return [(f"grp-{subject}-{n + 1}", domains[n % len(domains)], chunk) for n, chunk in enumerate(chunks)]


def _table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    return conform(name, pa.Table.from_pylist(rows))


def roster(students: Sequence[Student]) -> dict[str, pa.Table]:
    people = [
        {
            "source_id": person_id(i),
            "role": "student",
            "given_name": name_of(i),
            "family_name": "Test",
            "grade": "03",
            "primary_school_source_id": SCHOOL,
        }
        for i in range(len(students))
    ]
    staff = {
        **{TEACHERS[s]: f"Teacher {s.upper()}" for s in SECTIONS},
        **{TUTORS[s]: f"Tutor {s}" for s in TUTORS},
    }
    for source_id, full in staff.items():
        given, family = full.split(" ")
        role = "teacher" if source_id.startswith("t-") else "tutor"
        people.append(
            {
                "source_id": source_id,
                "role": role,
                "given_name": given,
                "family_name": family,
                "primary_school_source_id": SCHOOL,
            }
        )
    sections = [
        {
            "source_id": SECTIONS["ela"],
            "title": "Grade 3 ELA",
            "school_source_id": SCHOOL,
            "course_source_id": "crs-ela",
            "subjects": "English Language Arts",
        },
        {
            "source_id": SECTIONS["math"],
            "title": "Grade 3 Math",
            "school_source_id": SCHOOL,
            "course_source_id": "crs-math",
            "subjects": "Mathematics",
        },
    ]
    courses = [
        {
            "source_id": "crs-ela",
            "title": "English Language Arts Grade 3",
            "subjects": "English Language Arts",
        },
        {"source_id": "crs-math", "title": "Mathematics Grade 3", "subjects": "Mathematics"},
    ]
    enrollments = []
    for subject, section in SECTIONS.items():
        enrollments.append(
            {
                "source_id": f"{section}:{TEACHERS[subject]}",
                "section_source_id": section,
                "school_source_id": SCHOOL,
                "person_source_id": TEACHERS[subject],
                "role": "teacher",
            }
        )
        enrollments += [
            {
                "source_id": f"{section}:{person_id(i)}",
                "section_source_id": section,
                "school_source_id": SCHOOL,
                "person_source_id": person_id(i),
                "role": "student",
            }
            for i in range(len(students))
        ]
    demographics = [
        {
            "source_id": person_id(i),
            "sex": s.sex,
            "english_learner": s.english_learner,
            "disability": False,
            "economically_disadvantaged": i % 2 == 0,
            "white": i % 3 == 0,
            "hispanic_or_latino": i % 3 == 1,
            "asian": i % 3 == 2,
        }
        for i, s in enumerate(students)
    ]
    return {
        "person": _table("person", people),
        "section": _table("section", sections),
        "course": _table("course", courses),
        "enrollment": _table("enrollment", enrollments),
        "school": _table("school", [{"source_id": SCHOOL, "name": "Maple Elementary", "org_type": "school"}]),
        "demographics": _table("demographics", demographics),
    }


def band(tier: int, index: int, window: str) -> int:
    """Tier 3 starts in band 1, Tier 2 in band 2 (beside every other Tier 1 student); Tier 2 moves up."""
    start = {3: 1, 2: 2}.get(tier, 2 if index % 2 else 3)
    return start + (1 if window == "winter" and tier == 2 else 0)


def assessments(students: Sequence[Student]) -> pa.Table:
    """Fall and winter i-Ready tests of record; tutored students grow 20 points, the others 10."""
    rows = []
    for i, student in enumerate(students):
        for subject in SECTIONS:
            tier = getattr(student, f"{subject}_tier")
            base = 500 - 30 * tier + i
            growth = 20 if tier >= 2 else 10
            for window, day, score in (
                ("fall", date(2025, 9, 15), base),
                ("winter", date(2026, 1, 8), base + growth),
            ):
                rows.append(
                    {
                        "source_id": f"ir-{subject}-{window}-{i}",
                        "vendor": "iready",
                        "vendor_student_id": f"v{i}",
                        "person_source_id": person_id(i),
                        "match_status": "matched",
                        "subject": subject,
                        "school_year": 2026,
                        "window": window,
                        "test_date": day,
                        "student_grade": "03",
                        "scale_score": float(score),
                        "grade_levels_below": tier - 1,
                        "proficiency_band": band(tier, i, window),
                        "percent_progress_typical": 60.0 if window == "winter" else None,
                        "placement": "Grade 3" if tier == 1 else f"{tier - 1} Grade Level Below",
                        "is_test_of_record": True,
                        "rushed": False,
                    }
                )
    return _table("assessment_result", rows)


def tiers(students: Sequence[Student]) -> pa.Table:
    rows = [
        {
            "source_id": f"{person_id(i)}:{subject}:2026:winter",
            "person_source_id": person_id(i),
            "school_source_id": SCHOOL,
            "grade": "03",
            "subject": subject,
            "school_year": 2026,
            "window": "winter",
            "tier": getattr(student, f"{subject}_tier"),
            "result_source_id": f"ir-{subject}-winter-{i}",
            "basis": "hand-built",
        }
        for i, student in enumerate(students)
        for subject in SECTIONS
    ]
    return _table("tier_assignment", rows)


def session_days(earlier_weeks: int) -> list[date]:
    """Monday, Wednesday and Friday of the reported week and of ``earlier_weeks`` weeks before it."""
    return [
        day - timedelta(weeks=back) for back in range(earlier_weeks, 0, -1) for day in SESSION_DAYS
    ] + list(SESSION_DAYS)


def status_of(student: Student, index: int, day: date) -> str:
    """The reported week's absences as given; earlier weeks miss one Wednesday in five."""
    if day >= WEEK:
        return student.absent.get(day.isoformat(), "present")
    return "absent" if day.weekday() == 2 and (index + day.day) % 5 == 0 else "present"


def tutoring(students: Sequence[Student], earlier_weeks: int = 0) -> dict[str, pa.Table]:
    groups, members, gaps, sessions, attendance = [], [], [], [], []
    for subject in SECTIONS:
        for group_id, domain, indexes in groups_of(students, subject):
            groups.append(
                {
                    "source_id": group_id,
                    "school_source_id": SCHOOL,
                    "subject": subject,
                    "canonical_domain": domain,
                    "grades": "03",
                    "tutor_person_source_id": TUTORS[subject],
                    "cycle_source_id": "2026-c3",
                    "formed_on": ENTRY,
                }
            )
            for i in indexes:
                members.append(
                    {
                        "source_id": f"{group_id}:{person_id(i)}",
                        "group_source_id": group_id,
                        "person_source_id": person_id(i),
                        "subject": subject,
                        "entry_date": ENTRY,
                        "entry_evidence": f"i-Ready {domain}",
                    }
                )
                gaps.append(
                    {
                        "source_id": f"gap-{subject}-{i}",
                        "person_source_id": person_id(i),
                        "subject": subject,
                        "canonical_domain": domain,
                        "school_year": 2026,
                        "window": "winter",
                        "severity": 2,
                        "evidence_result_source_id": "x",
                        "evidence": "x",
                    }
                )
            for day in session_days(earlier_weeks):
                session_id = f"{group_id}:{day.isoformat()}"
                sessions.append(
                    {
                        "source_id": session_id,
                        "session_date": day,
                        "start_time": "09:00",
                        "minutes": 30,
                        "tutor_person_source_id": TUTORS[subject],
                        "group_source_id": group_id,
                        "skills_covered": domain,
                        "notes": f"Worked on {domain} <with> care",
                        "next_steps": f"More {domain} practice",
                    }
                )
                for i in indexes:
                    status = status_of(students[i], i, day)
                    attendance.append(
                        {
                            "source_id": f"{session_id}:{person_id(i)}",
                            "session_source_id": session_id,
                            "person_source_id": person_id(i),
                            "attendance": status,
                            "minutes_present": 0 if status in ("absent", "excused") else 30,
                        }
                    )
    tutors = [{"source_id": TUTORS[s], "subjects": s, "max_groups": 4} for s in TUTORS]
    return {
        "tutoring_group": _table("tutoring_group", groups),
        "group_membership": _table("group_membership", members),
        "skill_gap": _table("skill_gap", gaps),
        "tutoring_session": _table("tutoring_session", sessions),
        "session_attendance": _table("session_attendance", attendance),
        "tutor_profile": _table("tutor_profile", tutors),
    }


PROFILES = ("below", "on", "above")
"""Tutored students' mastery checks, by their index: flat at the baseline, on the aimline, above it."""


def progress(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Mastery checks of the students present (by ``PROFILES``), and the goals hub.progress sets on them."""
    sessions = {row["source_id"]: row for row in tables["tutoring_session"].to_pylist()}
    points = []
    for row in tables["session_attendance"].to_pylist():
        session = sessions[row["session_source_id"]]
        day = session["session_date"]
        if row["attendance"] in ("absent", "excused") or day < ENTRY:
            continue
        profile = PROFILES[int(row["person_source_id"].removeprefix("stu-")) % len(PROFILES)]
        climbed = 30 + 50 * (day - ENTRY).days / (CYCLE_END - ENTRY).days
        score = {"below": 25.0, "on": climbed, "above": min(climbed + 30, 100)}[profile]
        points.append(
            {
                "source_id": f"mastery_check:{row['source_id']}",
                "person_source_id": row["person_source_id"],
                "subject": "ela" if session["skills_covered"] in DOMAINS["ela"] else "math",
                "canonical_domain": session["skills_covered"],
                "measure": "mastery_check",
                "observed_on": day,
                "score": 30.0 if day == ENTRY else score,
                "source": "session_log",
            }
        )
    point_table = _table("progress_point", points)
    cycle = _table(
        "cycle",
        [
            {
                "source_id": "2026-c3",
                "school_year": 2026,
                "sequence": 3,
                "start_date": ENTRY,
                "end_date": CYCLE_END,
            }
        ],
    )
    goals = monitor(
        tables["group_membership"],
        tables["tutoring_group"],
        cycle,
        point_table,
        pa.table({"source_id": pa.array([], pa.string())}),
        arrow_schema("progress_goal").empty_table(),
        ProgressPolicy(),
        WEEK + timedelta(days=6),
    )
    return {"cycle": cycle, "progress_point": point_table, "progress_goal": goals}


def district(
    students: Sequence[Student] = SMALL, earlier_weeks: int = 0, monitored: bool = False, **changes: Any
) -> ReportInputs:
    """The report inputs of the district, with every tutoring output computed by hub.tutoring (and, when
    ``monitored``, the progress goals hub.progress sets on mastery checks)."""
    tables = {**roster(students), **tutoring(students, earlier_weeks)}
    if monitored:
        tables |= progress(tables)
    results = assessments(students)
    tier_rows = tiers(students)
    dosage = measure_dosage(
        tables["tutoring_session"], tables["session_attendance"], tables["tutoring_group"]
    )
    pulse = weekly_pulse(
        WEEK,
        tables["tutoring_session"],
        tables["session_attendance"],
        tables["tutoring_group"],
        tables["group_membership"],
        results,
        tables["enrollment"],
        tables["section"],
    )
    impact_args = (
        results,
        tables["person"],
        tables["demographics"],
        dosage.student_weeks,
        tables["group_membership"],
        [ImpactPeriod.for_school_year(2026)],
    )
    inputs = ReportInputs(
        district_id=DISTRICT,
        week_start=WEEK,
        district_name="Test District",
        assessment_result=results,
        tier_assignment=tier_rows,
        tier_distribution=tier_distribution(tier_rows, TutoringPolicy()),
        dosage=dosage,
        pulse=pulse,
        impact=measure_impact(*impact_args),
        impact_by_school=impact_by_school(*impact_args),
        **tables,
    )
    return replace(inputs, **changes)


@pytest.fixture(scope="session")
def small() -> ReportInputs:
    """The 12-student district (reports never change their inputs, so one build serves every test)."""
    return district()


@pytest.fixture(scope="session")
def large() -> ReportInputs:
    """The 40-student district, with three earlier weeks of sessions for the dosage trend and the
    progress goals set on their mastery checks."""
    return district(wide(), earlier_weeks=3, monitored=True)


@pytest.fixture
def build_district() -> Callable[..., ReportInputs]:
    return district


@pytest.fixture(scope="session")
def generated_at() -> datetime:
    return GENERATED_AT


@pytest.fixture(scope="session")
def small_reports(small: ReportInputs) -> list[AlignmentReport]:
    return build_reports(small, GENERATED_AT)


@pytest.fixture(scope="session")
def large_reports(large: ReportInputs) -> list[AlignmentReport]:
    return build_reports(large, GENERATED_AT)


@pytest.fixture
def make_student() -> type[Student]:
    return Student
