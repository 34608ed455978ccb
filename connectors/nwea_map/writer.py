"""The synthetic district as a MAP Comprehensive Data File: ``AssessmentResults.csv``,
``StudentsBySchool.csv`` and ``ClassAssignments.csv`` in their current layouts, quoted as NWEA quotes
(header bare, every field in double quotes, blanks as ``""``).

``StudentID`` is the student's SIS id and ``Student_StateID`` the state id, as districts usually
configure MAP, so results match the roster by SIS id. Files go straight into ``out_dir``, which is then
the export folder a ``nwea_map`` connector reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from connectors.nwea_map.layouts import ASSESSMENT_RESULTS_2020, CLASS_ASSIGNMENTS, STUDENTS_BY_SCHOOL_2020
from connectors.nwea_map.writer_results import Columns, subject_tests, term_name
from testkit.synthetic import WINDOWS, SyntheticDistrict

_DECIMALS = {"TestStandardError": 2, "RapidGuessingPercentage": 4}
_DECIMALS_BY_SUFFIX = {"ObservedGrowthSE": 1, "StdErr": 1, "ConditionalGrowthIndex": 2}
_ETHNIC = (  # first match wins: Hispanic or Latino whatever the race, as NWEA's standard groups count
    ("hispanic_or_latino", "Hispanic or Latino"),
    ("two_or_more_races", "Multi-ethnic"),
    ("black_or_african_american", "Black or African American"),
    ("asian", "Asian"),
    ("american_indian_or_alaska_native", "American Indian or Alaska Native"),
    ("native_hawaiian_or_other_pacific_islander", "Native Hawaiian or Other Pacific Islander"),
    ("white", "White"),
)


def write_map(district: SyntheticDistrict, out_dir: Path) -> list[Path]:
    """Write the three files; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    people = _student_columns(district)
    results = out_dir / "AssessmentResults.csv"
    tables = (
        _table(ASSESSMENT_RESULTS_2020, rows, people, who)
        for subject in ("ela", "math")
        for who, rows in subject_tests(district, subject)
    )
    _write(results, ASSESSMENT_RESULTS_2020, tables)
    students = out_dir / "StudentsBySchool.csv"
    _write(
        students,
        STUDENTS_BY_SCHOOL_2020,
        (_students_by_school(district, people, window) for window in WINDOWS),
    )
    classes = out_dir / "ClassAssignments.csv"
    _write(classes, CLASS_ASSIGNMENTS, _class_assignments(district, people))
    return [results, students, classes]


def _student_columns(district: SyntheticDistrict) -> dict[str, pa.Array]:
    students, schools = district.students, district.schools
    school = pc.index_in(students.column("school_source_id"), schools.column("source_id"))
    n = students.num_rows
    return {
        "DistrictName": pa.repeat(pa.scalar(district.district_name), n),
        "District_StateID": pa.repeat(pa.scalar(district.district_identifier), n),
        "SchoolName": schools.column("name").take(school),
        "School_StateID": schools.column("identifier").take(school),
        "StudentID": students.column("sis_id"),
        "Student_StateID": students.column("state_id"),
    }


def _table(header: list[str], rows: Columns, people: dict[str, pa.Array], who: np.ndarray) -> pa.Table:
    size = len(who)
    index = pa.array(who)
    columns = []
    for name in header:
        if name in rows:
            columns.append(_text(name, rows[name], size))
        elif name in people:
            columns.append(people[name].take(index))
        else:
            columns.append(pa.repeat(pa.scalar(""), size))
    return pa.table(columns, names=header)


def _text(name: str, values: np.ndarray | str, size: int) -> pa.Array:
    """A column as NWEA writes it: integers bare, decimals to a fixed number of places, blanks empty."""
    if isinstance(values, str):
        return pa.repeat(pa.scalar(values), size)
    if values.dtype.kind == "M":
        return pc.strftime(pa.array(values.astype("datetime64[D]")), "%m/%d/%Y")
    if values.dtype.kind != "f":
        return pa.array(values.astype(str))
    places = _DECIMALS.get(name, next((p for s, p in _DECIMALS_BY_SUFFIX.items() if name.endswith(s)), 0))
    blank = np.isnan(values)
    scaled = np.abs(np.rint(np.where(blank, 0, values) * 10**places)).astype(np.int64)
    digits = pc.utf8_lpad(pa.array(scaled).cast(pa.string()), places + 1, "0")
    sign = pa.array(np.where((values < 0) & (scaled > 0), "-", ""))
    if places:
        whole, fraction = (
            pc.utf8_slice_codeunits(digits, 0, -places),
            pc.utf8_slice_codeunits(digits, -places),
        )
        digits = pc.binary_join_element_wise(whole, fraction, ".")
    return pc.if_else(pa.array(blank), "", pc.binary_join_element_wise(sign, digits, ""))


def _students_by_school(district: SyntheticDistrict, people: dict[str, pa.Array], window: str) -> pa.Table:
    students = district.students
    grade = pc.replace_substring_regex(pc.replace_substring(students.column("grade"), "KG", "K"), "^0", "")
    ethnic = np.select(
        [students.column(column).to_numpy(zero_copy_only=False) for column, _ in _ETHNIC],
        [label for _, label in _ETHNIC],
        "Not Specified or Other",
    )
    gender = pc.if_else(
        pc.equal(students.column("sex"), "female"),
        "F",
        pc.if_else(pc.equal(students.column("sex"), "male"), "M", ""),
    )
    rows = {
        **people,
        "TermName": pa.repeat(pa.scalar(term_name(district.spec.school_year, window)), students.num_rows),
        "StudentLastName": students.column("family_name"),
        "StudentFirstName": students.column("given_name"),
        "StudentMI": pa.repeat(pa.scalar(""), students.num_rows),
        "StudentDateOfBirth": pc.strftime(students.column("birth_date"), "%m/%d/%Y"),
        "StudentEthnicGroup": pa.array(ethnic, pa.string()),
        "NWEAStandard_EthnicGroup": pa.array(ethnic, pa.string()),
        "StudentGender": gender,
        "Grade": grade,
        "NWEAStandard_Grade": grade,
    }
    return pa.table({name: rows[name] for name in STUDENTS_BY_SCHOOL_2020})


def _class_assignments(district: SyntheticDistrict, people: dict[str, pa.Array]) -> Iterable[pa.Table]:
    """The ELA and math classes of every student (the classes MAP is rostered with), once per term."""
    sections = district.sections.filter(
        pc.is_in(district.sections.column("subject"), pa.array(["ela", "math"]))
    )
    teachers = district.teachers
    teacher = pc.index_in(sections.column("teacher_source_id"), teachers.column("source_id"))
    teacher_name = pc.binary_join_element_wise(
        teachers.column("given_name").take(teacher), teachers.column("family_name").take(teacher), " "
    )
    student_ids = district.students.column("source_id")
    for chunk in district.iter_enrollments():
        chunk = chunk.filter(pc.equal(chunk.column("role"), "student"))
        section = pc.index_in(chunk.column("section_source_id"), sections.column("source_id"))
        chunk, section = chunk.filter(pc.is_valid(section)), section.filter(pc.is_valid(section))
        student = pc.index_in(chunk.column("person_source_id"), student_ids)
        for window in WINDOWS:
            yield pa.table(
                {
                    "TermName": pa.repeat(
                        pa.scalar(term_name(district.spec.school_year, window)), chunk.num_rows
                    ),
                    "StudentID": people["StudentID"].take(student),
                    "SchoolName": people["SchoolName"].take(student),
                    "ClassName": sections.column("title").take(section),
                    "TeacherName": teacher_name.take(section),
                }
            )


def _write(path: Path, header: list[str], tables: Iterable[pa.Table]) -> None:
    options = pv.WriteOptions(include_header=False, quoting_style="all_valid")
    with path.open("wb") as sink:
        sink.write((",".join(header) + "\n").encode())
        for table in tables:
            pv.write_csv(table, sink, options)
