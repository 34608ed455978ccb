"""A whole synthetic district: its tables, its enrollments (streamed) and its students' trajectories."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa

from hub.skills import DOMAINS
from testkit.synthetic import achievement, calendar, enrollments
from testkit.synthetic.catalog import courses_table
from testkit.synthetic.schedule import Schedule, build_schedule
from testkit.synthetic.schools import plan_schools
from testkit.synthetic.sections import build_sections
from testkit.synthetic.spec import DistrictSpec
from testkit.synthetic.staff import build_teachers, build_tutors
from testkit.synthetic.students import build_students


@dataclass(eq=False)
class SyntheticDistrict:
    """Tables in the shape of testkit/synthetic's interface; every draw fixed by ``spec``."""

    spec: DistrictSpec
    district_org_id: str
    district_name: str
    district_identifier: str
    schools: pa.Table
    sessions: pa.Table
    courses: pa.Table
    sections: pa.Table
    teachers: pa.Table
    tutors: pa.Table
    students: pa.Table
    _schedule: Schedule = field(repr=False)
    _offsets: dict[str, dict[str, np.ndarray]] = field(default_factory=dict, repr=False)
    tutoring_effect: Callable[[str, str], pa.Array] = field(init=False, repr=False)
    """(subject, window) -> grade levels each student gained from tutoring by then; ``level_at`` adds it.

    The seam for a dosage response: zero (``no_tutoring``) until a simulation of tutoring assigns its own.
    """

    def __post_init__(self) -> None:
        self.tutoring_effect = self.no_tutoring

    def iter_enrollments(self, chunk_rows: int = 100_000) -> Iterator[pa.Table]:
        """Every enrollment, teachers' then students', in tables of at most ``chunk_rows`` rows."""
        return enrollments.iter_enrollments(
            self._schedule,
            self.sections.column("source_id").combine_chunks(),
            self.schools.column("source_id").combine_chunks(),
            {
                "teacher": self.teachers.column("source_id").combine_chunks(),
                "student": self.students.column("source_id").combine_chunks(),
            },
            (calendar.year_start(self.spec.school_year), calendar.year_end(self.spec.school_year)),
            chunk_rows,
        )

    def window_dates(self, window: str) -> tuple[date, date]:
        return calendar.window_dates(window, self.spec.school_year)

    def no_tutoring(self, subject: str, window: str) -> pa.Array:
        """The default ``tutoring_effect``: nobody has been tutored yet."""
        _check_subject(subject)
        calendar.window_dates(window, self.spec.school_year)
        return pa.array(np.zeros(self.students.num_rows))

    def level_at(self, subject: str, window: str) -> pa.Array:
        """Each student's measured level at ``window``: fall level, growth so far, tutoring, test noise."""
        _check_subject(subject)
        elapsed = calendar.elapsed_fraction(window, self.spec.school_year)
        fall = self.students.column(f"{subject}_level_fall").to_numpy()
        growth = self.students.column(f"{subject}_growth").to_numpy()
        tutoring = self.tutoring_effect(subject, window).to_numpy(zero_copy_only=False)
        noise = achievement.measurement_noise(
            self.spec, f"{subject}.{window}", len(fall), achievement.TEST_NOISE
        )
        return pa.array(fall + growth * elapsed + tutoring + noise)

    def domain_offsets(self, subject: str) -> dict[str, pa.Array]:
        """Per canonical domain, each student's deviation from their subject level (mean 0 per student)."""
        return {domain: pa.array(values) for domain, values in self._domain_offsets(subject).items()}

    def domain_level_at(self, subject: str, domain: str, window: str) -> pa.Array:
        offsets = self._domain_offsets(subject)
        if domain not in offsets:
            raise ValueError(f"unknown {subject} domain {domain!r}; expected one of {', '.join(offsets)}")
        level = self.level_at(subject, window).to_numpy()
        noise = achievement.measurement_noise(
            self.spec, f"{subject}.{domain}.{window}", len(level), achievement.DOMAIN_NOISE
        )
        return pa.array(level + offsets[domain] + noise)

    def _domain_offsets(self, subject: str) -> dict[str, np.ndarray]:
        _check_subject(subject)
        if subject not in self._offsets:
            english_learner = self.students.column("english_learner").to_numpy()
            self._offsets[subject] = achievement.domain_offsets(self.spec, subject, english_learner)
        return self._offsets[subject]


def _check_subject(subject: str) -> None:
    if subject not in DOMAINS:
        raise ValueError(f"unknown subject {subject!r}; expected one of {', '.join(DOMAINS)}")


def build_district(spec: DistrictSpec) -> SyntheticDistrict:
    """Build the district ``spec`` describes; the same (students, seed) always gives the same district."""
    rng = spec.rng("district")
    lea_id = f"{rng.integers(1, 57):02d}{rng.integers(0, 100_000):05d}"
    org_id = f"dist-{spec.district_id}"
    plan = plan_schools(spec, lea_id)
    session_ids = calendar.session_ids(spec.school_year)
    courses, _ = courses_table(org_id, session_ids["year"])
    schedule = build_schedule(spec, plan, courses.column("subject").to_pylist())
    school_ids = plan.schools.column("source_id")
    students_per_school = np.bincount(plan.school, minlength=len(plan.kind))
    teachers = build_teachers(spec, school_ids, schedule.teacher_school)
    terms = f"{session_ids['fall']},{session_ids['spring']}"
    return SyntheticDistrict(
        spec=spec,
        district_org_id=org_id,
        district_name=f"{re.sub('[_-]', ' ', spec.district_id).title()} Unified School District",
        district_identifier=lea_id,
        schools=plan.schools,
        sessions=calendar.sessions_table(spec.school_year),
        courses=courses,
        sections=build_sections(schedule, plan.schools, courses, teachers, terms),
        teachers=teachers,
        tutors=build_tutors(spec, school_ids, students_per_school),
        students=build_students(spec, plan),
        _schedule=schedule,
    )
