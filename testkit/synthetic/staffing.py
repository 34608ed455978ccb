"""Who teaches which section: homeroom teachers, department teachers, and specialists who co-teach."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from testkit.synthetic import catalog
from testkit.synthetic.spec import DistrictSpec, rank_within

SECTIONS_PER_TEACHER = 5
STUDENTS_PER_TEACHER = 16  # all teachers, specialists included
CO_TEACHING_PER_SPECIALIST = 3
PERIODS = catalog.SECONDARY_SLOTS + 1  # 0 (none) .. 7


@dataclass(frozen=True, slots=True)
class Staff:
    teacher: np.ndarray  # per section: lead teacher
    teacher_school: np.ndarray  # per teacher
    co_section: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    co_teacher: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def assign_teachers(
    spec: DistrictSpec,
    school: np.ndarray,
    period: np.ndarray,
    homeroom: np.ndarray,
    subject: np.ndarray,
    schools: int,
) -> Staff:
    """Homeroom teachers for elementary sections; for secondary ones, each (school, department) gets
    enough teachers for about five sections each and never two sections of one teacher in one period."""
    elementary = homeroom >= 0
    homerooms = np.unique(homeroom[elementary], return_inverse=True)[1]
    teacher = np.full(len(school), -1, dtype=np.int64)
    teacher[elementary] = homerooms
    homeroom_teachers = int(homerooms.max()) + 1 if len(homerooms) else 0
    homeroom_school = np.zeros(homeroom_teachers, dtype=np.int64)
    homeroom_school[homerooms] = school[elementary]

    departments = len(catalog.SUBJECT_NAMES)
    secondary = np.flatnonzero(~elementary)
    team = school[secondary] * departments + subject[secondary]
    # Sorted by period within a team, section k goes to teacher k mod T: one period's sections (at most T)
    # land on distinct teachers.
    order = np.lexsort((spec.rng("teachers").random(len(secondary)), period[secondary], team))
    sizes = np.bincount(team, minlength=schools * departments)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    busiest = np.bincount(team * PERIODS + period[secondary], minlength=len(sizes) * PERIODS)
    per_team = np.maximum(-(-sizes // SECTIONS_PER_TEACHER), busiest.reshape(-1, PERIODS).max(axis=1))
    team_offsets = homeroom_teachers + np.concatenate(([0], np.cumsum(per_team)[:-1]))
    sorted_team = team[order]
    local = (np.arange(len(order)) - starts[sorted_team]) % np.maximum(per_team[sorted_team], 1)
    teacher[secondary[order]] = team_offsets[sorted_team] + local
    team_school = np.repeat(np.arange(len(per_team)) // departments, per_team)
    return Staff(teacher, np.concatenate((homeroom_school, team_school)))


def add_specialists(
    spec: DistrictSpec, staff: Staff, students_per_school: np.ndarray, school: np.ndarray, core: np.ndarray
) -> Staff:
    """Top each school up to one teacher per 16 students (special education, English learner and
    intervention teachers); each co-teaches a few of the ``core`` (ELA and math) sections, as inclusion
    models do. Teachers are then numbered school by school, leads before specialists."""
    leads = np.bincount(staff.teacher_school, minlength=len(students_per_school))
    extra = np.maximum(np.rint(students_per_school / STUDENTS_PER_TEACHER).astype(np.int64) - leads, 0)
    teacher_school = np.concatenate((staff.teacher_school, np.repeat(np.arange(len(extra)), extra)))
    order = np.lexsort((np.arange(len(teacher_school)), teacher_school))
    number = np.empty_like(order)
    number[order] = np.arange(len(order))
    teacher_school = teacher_school[order]
    per_school = np.bincount(teacher_school, minlength=len(extra))
    first_specialist = np.concatenate(([0], np.cumsum(per_school)[:-1])) + leads

    rank, _ = rank_within(school[core], spec.rng("co_teaching"))
    chosen = rank < CO_TEACHING_PER_SPECIALIST * extra[school[core]]
    co_section = core[chosen]
    co_school = school[co_section]
    co_teacher = first_specialist[co_school] + rank[chosen] % np.maximum(extra[co_school], 1)
    return Staff(number[staff.teacher], teacher_school, co_section, co_teacher)
