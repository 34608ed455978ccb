"""Names and titles for the ids in tutoring tables, looked up once per district.

Tutoring tables name people, sections and groups by source_id only; a report turns them into what a
reader recognises. The lookups are plain dicts, built once in bulk and shared by every report of the night.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from hub.reports.inputs import ReportInputs
from hub.skills import label
from hub.tutoring.pulse import section_subjects

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class ClassInfo:
    """What a section is covering, as the roster says it: the course and the section's subjects."""

    section_source_id: str
    school_source_id: str | None
    title: str
    course_title: str | None
    subjects: str | None
    teachers: str

    def text(self) -> str:
        parts = [self.course_title or self.title]
        if self.subjects and self.subjects not in parts[0]:
            parts.append(self.subjects)
        return " / ".join(parts)


@dataclass(frozen=True, slots=True)
class Directory:
    people: dict[str, str]
    grades: dict[str, str]
    schools: dict[str, str]
    classes: dict[str, ClassInfo]
    class_subject: dict[str, str]
    """section -> ela | math, for sections whose roster text names one (hub.tutoring.pulse)."""
    classes_of_student: dict[tuple[str, str], list[ClassInfo]]
    """(student, subject) -> the student's sections in that subject."""
    groups: dict[str, str]
    logged_not_placed_since: dict[tuple[str, str], date]
    """(student, group) -> first session logged while the hub had not placed them (logged_not_placed)."""

    def person(self, source_id: str | None) -> str:
        return self.people.get(source_id or "", "(not on the roster)")

    def tutor(self, source_id: str | None) -> str:
        return self.person(source_id) if source_id else "no tutor assigned"

    def group(self, source_id: str | None) -> str:
        return self.groups.get(source_id or "", "(unknown group)")


def _text(table: pa.Table, name: str) -> pa.ChunkedArray | pa.Array:
    if name in table.column_names:
        return pc.fill_null(table[name], "")
    return pa.array([""] * table.num_rows, pa.string())


def _names(person: pa.Table) -> dict[str, str]:
    given = pc.if_else(
        pc.equal(_text(person, "preferred_given_name"), ""),
        _text(person, "given_name"),
        _text(person, "preferred_given_name"),
    )
    full = pc.utf8_trim_whitespace(pc.binary_join_element_wise(given, _text(person, "family_name"), " "))
    return dict(zip(person["source_id"].to_pylist(), full.to_pylist(), strict=True))


def _teachers(enrollment: pa.Table, people: dict[str, str]) -> dict[str, str]:
    rows = enrollment.filter(pc.equal(enrollment["role"], "teacher")).sort_by(
        [("section_source_id", "ascending"), ("person_source_id", "ascending")]
    )
    teachers: dict[str, list[str]] = defaultdict(list)
    for section, person in zip(
        rows["section_source_id"].to_pylist(), rows["person_source_id"].to_pylist(), strict=True
    ):
        teachers[section].append(people.get(person, "(not on the roster)"))
    return {section: ", ".join(names) for section, names in teachers.items()}


def _classes(inputs: ReportInputs, people: dict[str, str]) -> dict[str, ClassInfo]:
    section = inputs.section
    courses: dict[str, str] = {}
    if inputs.course is not None:
        courses = dict(
            zip(inputs.course["source_id"].to_pylist(), inputs.course["title"].to_pylist(), strict=True)
        )
    teachers = _teachers(inputs.enrollment, people)
    columns = [
        _text(section, name).to_pylist() for name in ("school_source_id", "course_source_id", "subjects")
    ]
    return {
        source_id: ClassInfo(
            source_id,
            school or None,
            title,
            courses.get(course) or None,
            subjects or None,
            teachers.get(source_id, ""),
        )
        for source_id, title, school, course, subjects in zip(
            section["source_id"].to_pylist(), section["title"].to_pylist(), *columns, strict=True
        )
    }


def _classes_of_students(
    enrollment: pa.Table, class_subject: dict[str, str], classes: dict[str, ClassInfo]
) -> dict[tuple[str, str], list[ClassInfo]]:
    learners = enrollment.filter(pc.equal(enrollment["role"], "student")).sort_by(
        [("person_source_id", "ascending"), ("section_source_id", "ascending")]
    )
    found: dict[tuple[str, str], list[ClassInfo]] = defaultdict(list)
    for person, section in zip(
        learners["person_source_id"].to_pylist(), learners["section_source_id"].to_pylist(), strict=True
    ):
        subject = class_subject.get(section)
        if subject and section in classes:
            found[(person, subject)].append(classes[section])
    return dict(found)


def _group_labels(groups: pa.Table | None) -> dict[str, str]:
    """ "Phonics 2": the skill and a number among the school's groups of that skill, by group id."""
    if groups is None:
        return {}
    ordered = groups.sort_by([("source_id", "ascending")]).to_pylist()
    seen: dict[tuple[str | None, str], int] = defaultdict(int)
    labels = {}
    for group in ordered:
        key = (group["school_source_id"], group["canonical_domain"])
        seen[key] += 1
        labels[group["source_id"]] = f"{label(group['canonical_domain'])} group {seen[key]}"
    return labels


def directory(inputs: ReportInputs, logged_not_placed_since: dict[tuple[str, str], date]) -> Directory:
    people = _names(inputs.person)
    classes = _classes(inputs, people)
    subjects = section_subjects(inputs.section)
    class_subject = dict(
        zip(subjects["section_source_id"].to_pylist(), subjects["section_subject"].to_pylist(), strict=True)
    )
    return Directory(
        people=people,
        grades=dict(
            zip(
                inputs.person["source_id"].to_pylist(), _text(inputs.person, "grade").to_pylist(), strict=True
            )
        ),
        schools=dict(
            zip(inputs.school["source_id"].to_pylist(), inputs.school["name"].to_pylist(), strict=True)
        ),
        classes=classes,
        class_subject=class_subject,
        classes_of_student=_classes_of_students(inputs.enrollment, class_subject, classes),
        groups=_group_labels(inputs.tutoring_group),
        logged_not_placed_since=logged_not_placed_since,
    )


def weekdays(*date_lists: str | None) -> str:
    """ "Mon/Wed/Fri" from comma-joined ISO dates (the days a student was scheduled)."""
    days = {date.fromisoformat(text).weekday() for dates in date_lists if dates for text in dates.split(",")}
    return "/".join(WEEKDAYS[day] for day in sorted(days))


def skills_text(skills: str | None) -> str:
    """Comma-joined canonical domains as their names."""
    return ", ".join(label(skill) for skill in (skills or "").split(",") if skill)
