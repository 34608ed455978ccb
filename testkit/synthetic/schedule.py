"""Sections and who sits in them, built as integer arrays; ids and titles come later.

Elementary: each (school, grade) is split into homerooms of at most 30; a homeroom is three sections
(homeroom, ELA, math) taught by its homeroom teacher. Secondary: each (school, grade) is split into up to
seven rotations; a student of rotation r in grade g meets slot s in period (s + r + g) mod 7, so nobody has
two classes in one period, and each (slot, rotation) is split at random into sections of at most 30, so
classmates differ from period to period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from testkit.synthetic import catalog, staffing
from testkit.synthetic.schools import GRADES, SchoolPlan, kind_of_grade
from testkit.synthetic.spec import DistrictSpec, rank_within

MAX_CLASS = 30
MIN_CLASS = 22  # smallest average class size worth another rotation
SLOTS = catalog.SECONDARY_SLOTS
SUBJECTS = list(catalog.SUBJECT_NAMES)


class SectionColumns(NamedTuple):
    """Per section: school, grade, slot, course row, period (0: none) and homeroom (-1: none)."""

    school: np.ndarray
    grade: np.ndarray
    slot: np.ndarray
    course: np.ndarray
    period: np.ndarray
    homeroom: np.ndarray


@dataclass(frozen=True, slots=True)
class Schedule:
    """Sections with their lead teacher; per student the sections taken (``student_sections``, -1
    padded); per teacher the school; and co-teaching (section, teacher) pairs."""

    sections: SectionColumns
    teacher: np.ndarray
    student_sections: np.ndarray
    teacher_school: np.ndarray
    co_section: np.ndarray
    co_teacher: np.ndarray

    @property
    def school(self) -> np.ndarray:
        return self.sections.school


def build_schedule(spec: DistrictSpec, plan: SchoolPlan, course_subjects: list[str]) -> Schedule:
    """``course_subjects``: the subject key of each course row."""
    courses = _course_lookup()
    group = plan.school * GRADES + plan.grade_num
    groups = GRADES * len(plan.kind)
    elementary = kind_of_grade(plan.grade_num) == 0
    matrix = np.full((spec.students, SLOTS), -1, dtype=np.int32)
    lower = _elementary(spec, group, groups, np.flatnonzero(elementary), courses, matrix)
    upper = _secondary(spec, group, groups, np.flatnonzero(~elementary), courses, matrix, len(lower.school))
    merged = SectionColumns(*(np.concatenate(pair) for pair in zip(lower, upper, strict=True)))
    # Number sections school by school, then grade, slot, course and period, as a SIS export reads.
    order = np.lexsort((merged.period, merged.course, merged.slot, merged.grade, merged.school))
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    taken = matrix >= 0
    matrix[taken] = position[matrix[taken]]
    sections = SectionColumns(*(column[order] for column in merged))
    subject_of_course = np.array([SUBJECTS.index(subject) for subject in course_subjects])
    subject = subject_of_course[sections.course]
    staff = staffing.assign_teachers(
        spec, sections.school, sections.period, sections.homeroom, subject, len(plan.kind)
    )
    students_per_school = np.bincount(plan.school, minlength=len(plan.kind))
    core = np.flatnonzero(np.isin(subject, [SUBJECTS.index("ela"), SUBJECTS.index("math")]))
    staff = staffing.add_specialists(spec, staff, students_per_school, sections.school, core)
    return Schedule(sections, staff.teacher, matrix, staff.teacher_school, staff.co_section, staff.co_teacher)


def _course_lookup() -> np.ndarray:
    """[grade, slot, alternative] -> course row, -1 where the slot has fewer alternatives."""
    _, index = catalog.courses_table("", "")
    lookup = np.full((GRADES, SLOTS, max(a for _, _, a in index) + 1), -1, dtype=np.int64)
    for (grade, slot, alternative), row in index.items():
        lookup[grade, slot, alternative] = row
    return lookup


def _elementary(
    spec: DistrictSpec,
    group: np.ndarray,
    groups: int,
    students: np.ndarray,
    courses: np.ndarray,
    matrix: np.ndarray,
) -> SectionColumns:
    labels = group[students]
    rank, size = rank_within(labels, spec.rng("homerooms"))
    per_group = -(-np.bincount(labels, minlength=groups) // MAX_CLASS)
    offsets = np.concatenate(([0], np.cumsum(per_group)[:-1]))
    homeroom = offsets[labels] + rank * per_group[labels] // size
    for slot in range(3):
        matrix[students, slot] = 3 * homeroom + slot
    homeroom_group = np.repeat(np.arange(groups), per_group)
    section_group = np.repeat(homeroom_group, 3)
    grade = section_group % GRADES
    slot = np.tile(np.arange(3), len(homeroom_group))
    return SectionColumns(
        section_group // GRADES,
        grade,
        slot,
        courses[grade, slot, 0],
        np.zeros(len(section_group), dtype=np.int64),
        np.repeat(np.arange(len(homeroom_group)), 3),
    )


def _rotations(sizes: np.ndarray) -> np.ndarray:
    """Per (school, grade): how many rotations keep classes near 22-30 (more rotations, more mixing)."""
    candidates = np.arange(1, SLOTS + 1)
    per_rotation = sizes[:, None] / candidates[None, :]
    average = per_rotation / np.maximum(np.ceil(per_rotation / MAX_CLASS), 1)
    good = average >= MIN_CLASS
    most_good = SLOTS - np.argmax(good[:, ::-1], axis=1)
    return np.where(good.any(axis=1), most_good, 1 + np.argmax(average, axis=1))


def _secondary(
    spec: DistrictSpec,
    group: np.ndarray,
    groups: int,
    students: np.ndarray,
    courses: np.ndarray,
    matrix: np.ndarray,
    first_section: int,
) -> SectionColumns:
    labels = group[students]
    rank, _ = rank_within(labels, spec.rng("rotations"))
    rotations = _rotations(np.bincount(labels, minlength=groups).astype(np.float64))
    key = labels * SLOTS + rank % rotations[labels]
    alternatives = np.maximum((courses >= 0).sum(axis=2), 1)
    parts = []
    for slot in range(SLOTS):
        rank, size = rank_within(key, spec.rng(f"sections.{slot}"))
        per_key = -(-np.bincount(key, minlength=groups * SLOTS) // MAX_CLASS)
        offsets = np.concatenate(([0], np.cumsum(per_key)[:-1]))
        matrix[students, slot] = first_section + offsets[key] + rank * per_key[key] // size
        section_key = np.repeat(np.arange(len(per_key)), per_key)
        within = np.arange(len(section_key)) - offsets[section_key]
        section_group, rotation = section_key // SLOTS, section_key % SLOTS
        grade = section_group % GRADES
        parts.append(
            SectionColumns(
                section_group // GRADES,
                grade,
                np.full(len(section_key), slot),
                courses[grade, slot, (rotation + within) % alternatives[grade, slot]],
                (slot + rotation + grade) % SLOTS + 1,
                np.full(len(section_key), -1),
            )
        )
        first_section += len(section_key)
    return SectionColumns(*(np.concatenate(column) for column in zip(*parts, strict=True)))
