"""The district's course catalog: what each grade takes, slot by slot.

Elementary grades have three slots taught in the homeroom (homeroom, ELA, math). Secondary grades have
seven periods' worth of slots; where a slot lists alternatives (electives, arts, Algebra I in grade 8),
its sections alternate between them, so every secondary student takes exactly one ELA and one math course.
"""

from __future__ import annotations

from typing import NamedTuple

import pyarrow as pa

from testkit.synthetic.schools import CEDS_GRADES

SUBJECT_NAMES = {
    "homeroom": "Homeroom",
    "ela": "English Language Arts",
    "math": "Mathematics",
    "science": "Science",
    "social_studies": "Social Studies",
    "physical_education": "Physical Education",
    "arts": "Fine and Performing Arts",
    "world_languages": "World Languages",
    "technology": "Computer Science",
}
"""Subject keys used in the tables, and the subject as a roster names it."""

SECONDARY_SLOTS = 7


class Course(NamedTuple):
    title: str
    code: str
    subject: str


def _elementary(grade: int) -> list[tuple[Course, ...]]:
    label = "Kindergarten" if grade == 0 else f"Grade {grade}"
    code = CEDS_GRADES[grade]
    return [
        (Course(f"Homeroom {label}", f"HR-{code}", "homeroom"),),
        (Course(f"English Language Arts {label}", f"ELA-{code}", "ela"),),
        (Course(f"Mathematics {label}", f"MATH-{code}", "math"),),
    ]


_MIDDLE = {
    "math": {6: ["Math 6"], 7: ["Math 7"], 8: ["Math 8", "Algebra I"]},
    "science": {6: ["Earth Science"], 7: ["Life Science"], 8: ["Physical Science"]},
    "social_studies": {6: ["World Geography"], 7: ["World History"], 8: ["U.S. History"]},
}
_HIGH = {
    "math": {9: ["Algebra I"], 10: ["Geometry"], 11: ["Algebra II"], 12: ["Precalculus", "Statistics"]},
    "science": {9: ["Biology"], 10: ["Chemistry"], 11: ["Physics"], 12: ["Environmental Science", "Anatomy"]},
    "social_studies": {
        9: ["World Geography"],
        10: ["World History"],
        11: ["U.S. History"],
        12: ["Government"],
    },
}
_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4"}


def _short_code(title: str) -> str:
    """``Algebra II`` -> ``ALGE2``, ``English Language Arts 6`` -> ``ELA``: the code a SIS would show."""
    words = [word for word in title.replace(".", "").split() if not word.isdigit() and word != "and"]
    level = "".join(_ROMAN[word] for word in words if word in _ROMAN)
    words = [word for word in words if word not in _ROMAN]
    stem = words[0][:4] if len(words) == 1 else "".join(word[0] for word in words)
    return stem.upper() + level


def _secondary(grade: int) -> list[tuple[Course, ...]]:
    code = CEDS_GRADES[grade]
    middle = grade <= 8
    core = _MIDDLE if middle else _HIGH

    def course(title: str, subject: str) -> Course:
        return Course(title, f"{_short_code(title)}-{code}", subject)

    english = f"English Language Arts {grade}" if middle else f"English {grade}"
    level = ("I", "II", "III", "IV")[grade - 9] if not middle else "1"
    slots = [
        (course(english, "ela"),),
        tuple(course(title, "math") for title in core["math"][grade]),
        tuple(course(title, "science") for title in core["science"][grade]),
        tuple(course(title, "social_studies") for title in core["social_studies"][grade]),
        (course("Health and PE" if grade == 9 else f"Physical Education {grade}", "physical_education"),),
        (course(f"Spanish {level}", "world_languages"), course(f"French {level}", "world_languages"))
        if not middle
        else (
            course(f"Art {grade}", "arts"),
            course(f"Band {grade}", "arts"),
            course(f"Choir {grade}", "arts"),
        ),
        (course(f"Studio Art {grade}", "arts"), course(f"Computer Science {grade}", "technology"))
        if not middle
        else (
            course(f"Computer Science {grade}", "technology"),
            course(f"Spanish {grade}", "world_languages"),
        ),
    ]
    assert len(slots) == SECONDARY_SLOTS
    return slots


def slots(grade: int) -> list[tuple[Course, ...]]:
    return _elementary(grade) if grade <= 5 else _secondary(grade)


def courses_table(
    district_org_id: str, year_session_id: str
) -> tuple[pa.Table, dict[tuple[int, int, int], int]]:
    """All courses, district-wide; and the row of each (grade, slot, alternative)."""
    rows: list[tuple[Course, int]] = []
    index: dict[tuple[int, int, int], int] = {}
    for grade in range(len(CEDS_GRADES)):
        for slot, alternatives in enumerate(slots(grade)):
            for alternative, course in enumerate(alternatives):
                index[grade, slot, alternative] = len(rows)
                rows.append((course, grade))
    codes = [course.code for course, _ in rows]
    table = pa.table(
        {
            "source_id": ["crs-" + code.lower() for code in codes],
            "title": [course.title for course, _ in rows],
            "course_code": codes,
            "grades": [CEDS_GRADES[grade] for _, grade in rows],
            "org_source_id": [district_org_id] * len(rows),
            "school_year_source_id": [year_session_id] * len(rows),
            "subject": [course.subject for course, _ in rows],
        }
    )
    return table, index
