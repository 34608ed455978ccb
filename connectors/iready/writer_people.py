"""The student columns of the synthetic i-Ready exports: who, where, which class, which subgroups."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from testkit.simulate.iready import GRADE_LABELS
from testkit.synthetic import SyntheticDistrict

_RACES = (  # i-Ready's single Race value; Hispanic or Latino is its own column
    ("two_or_more_races", "Two or More Races"),
    ("american_indian_or_alaska_native", "American Indian or Alaska Native"),
    ("asian", "Asian"),
    ("black_or_african_american", "Black or African American"),
    ("native_hawaiian_or_other_pacific_islander", "Native Hawaiian or Other Pacific Islander"),
    ("white", "White"),
)


def _yes_no(flags: pa.ChunkedArray) -> pa.Array:
    return pa.array(np.where(flags.to_numpy(), "Y", "N"))


def student_columns(district: SyntheticDistrict) -> dict[str, pa.Array]:
    """One value per student (in the students table's order) for each student column of the layout."""
    students = district.students
    count = students.num_rows
    school = pc.index_in(students.column("school_source_id"), value_set=district.schools.column("source_id"))
    year = district.spec.school_year
    race = np.select(
        [students.column(flag).to_numpy() for flag, _ in _RACES], [name for _, name in _RACES], ""
    )
    sex = students.column("sex")
    return {
        "Last Name": students.column("family_name"),
        "First Name": students.column("given_name"),
        "Student ID": students.column("sis_id"),
        "Student Grade": pa.array(GRADE_LABELS[students.column("grade_num").to_numpy()]),
        "Academic Year": pa.repeat(pa.scalar(f"{year - 1}-{year}"), count),
        "School": pc.take(district.schools.column("name"), school),
        "Enrolled": pa.repeat(pa.scalar("Enrolled"), count),
        "District State ID": pa.repeat(pa.scalar(district.district_identifier), count),
        "School State ID": pc.take(district.schools.column("identifier"), school),
        "Student State ID": students.column("state_id"),
        "User Name": students.column("username"),
        "Sex": pc.if_else(pc.is_in(sex, value_set=pa.array(["female", "male"])), sex, ""),
        "Hispanic or Latino": _yes_no(students.column("hispanic_or_latino")),
        "Race": pa.array(race),
        "English Language Learner": _yes_no(students.column("english_learner")),
        "Special Education": _yes_no(students.column("disability")),
        "Economically Disadvantaged": _yes_no(students.column("economically_disadvantaged")),
    }


def class_columns(district: SyntheticDistrict) -> dict[str, dict[str, pa.Array]]:
    """Per subject, each student's class in it and that class's teacher (blank where none)."""
    sections = district.sections.select(["source_id", "title", "teacher_source_id", "subject"])
    teachers = district.teachers
    teacher_names = pc.binary_join_element_wise(
        teachers.column("given_name"), teachers.column("family_name"), " "
    )
    sections = sections.append_column(
        "teacher",
        pc.take(
            teacher_names,
            pc.index_in(sections.column("teacher_source_id"), value_set=teachers.column("source_id")),
        ),
    )
    wanted = sections.filter(pc.is_in(sections.column("subject"), value_set=pa.array(["ela", "math"])))
    picked = []
    for chunk in district.iter_enrollments():
        students = chunk.filter(pc.equal(chunk.column("role"), "student"))
        joined = students.select(["person_source_id", "section_source_id"]).join(
            wanted, keys="section_source_id", right_keys="source_id", join_type="inner"
        )
        picked.append(joined.select(["person_source_id", "subject", "title", "teacher"]))
    enrolled = pa.concat_tables(picked)
    columns = {}
    for subject in ("ela", "math"):
        mine = enrolled.filter(pc.equal(enrolled.column("subject"), subject))
        first = mine.group_by("person_source_id", use_threads=False).aggregate(
            [("title", "first"), ("teacher", "first")]
        )
        where = pc.index_in(district.students.column("source_id"), value_set=first.column("person_source_id"))
        columns[subject] = {
            "Class(es)": pc.take(first.column("title_first"), where),
            "Class Teacher(s)": pc.take(first.column("teacher_first"), where),
        }
    return columns
