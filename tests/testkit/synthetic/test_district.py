"""The synthetic district's shape: sizes and ratios like a real district's, deterministic by seed."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from testkit.synthetic import DistrictSpec, SyntheticDistrict, build_district

# fmt: off
STUDENT_COLUMNS = [
    "source_id", "sis_id", "state_id", "username", "given_name", "family_name", "email", "grade", "grade_num",
    "school_source_id", "birth_date", "sex", "american_indian_or_alaska_native", "asian",
    "black_or_african_american", "native_hawaiian_or_other_pacific_islander", "white", "two_or_more_races",
    "hispanic_or_latino", "english_learner", "disability", "economically_disadvantaged", "ela_level_fall",
    "math_level_fall", "ela_growth", "math_growth",
]
# fmt: on


@pytest.fixture(scope="module")
def district() -> SyntheticDistrict:
    return build_district(DistrictSpec(students=2000, seed=11))


def _enrollments(district: SyntheticDistrict) -> pa.Table:
    return pa.concat_tables(district.iter_enrollments())


def test_interface_columns(district: SyntheticDistrict) -> None:
    assert district.students.column_names == STUDENT_COLUMNS
    assert set(district.schools.column_names) >= {"source_id", "name", "kind", "identifier"}
    assert set(district.sections.column_names) >= {
        "source_id", "title", "course_source_id", "school_source_id", "term_source_ids", "grades", "subject",
        "class_type", "teacher_source_id", "period",
    }  # fmt: skip
    assert set(district.tutors.column_names) >= {
        "source_id",
        "sis_id",
        "school_source_id",
        "subjects",
        "max_groups",
    }
    assert district.sessions["type"].to_pylist() == ["schoolYear", "term", "term"]


@pytest.mark.parametrize("students", [1, 5, 300, 2000])
def test_student_count_is_exact(students: int) -> None:
    district = build_district(DistrictSpec(students=students, seed=3))
    assert district.students.num_rows == students
    assert pc.count_distinct(district.students["source_id"]).as_py() == students
    assert pc.count_distinct(district.students["username"]).as_py() == students


def test_one_school_of_each_kind_and_sizes_like_real_schools() -> None:
    district = build_district(DistrictSpec(students=12_000, seed=2))
    kinds = district.schools["kind"].to_pylist()
    assert {"elementary", "middle", "high"} <= set(kinds)
    per_school = {
        row["values"]: row["counts"]
        for row in pc.value_counts(district.students["school_source_id"]).to_pylist()
    }
    for kind, (low, high) in {"elementary": (250, 750), "middle": (450, 1300), "high": (900, 2400)}.items():
        sizes = [
            per_school[s]
            for s, k in zip(district.schools["source_id"].to_pylist(), kinds, strict=True)
            if k == kind
        ]
        assert low <= np.mean(sizes) <= high, (kind, sizes)


def test_grades_are_roughly_even(district: SyntheticDistrict) -> None:
    counts = np.bincount(district.students["grade_num"].to_numpy(), minlength=13)
    assert counts.min() > 0.85 * counts.mean() and counts.max() < 1.15 * counts.mean()
    assert set(district.students["grade"].to_pylist()) == {"KG", *(f"{g:02d}" for g in range(1, 13))}


def test_elementary_students_have_homeroom_ela_math_with_one_teacher(district: SyntheticDistrict) -> None:
    enrollments = _enrollments(district)
    students = enrollments.filter(pc.equal(enrollments["role"], "student"))
    sections = district.sections.select(["source_id", "subject", "class_type", "teacher_source_id", "grades"])
    joined = students.join(sections, "section_source_id", "source_id")
    elementary = joined.filter(pc.is_in(joined["grades"], pa.array(["KG", "01", "02", "03", "04", "05"])))
    by_student = elementary.group_by("person_source_id").aggregate(
        [("subject", "list"), ("teacher_source_id", "count_distinct"), ("class_type", "list")]
    )
    assert by_student.num_rows > 0
    for subjects, teachers, types in zip(
        by_student["subject_list"].to_pylist(),
        by_student["teacher_source_id_count_distinct"].to_pylist(),
        by_student["class_type_list"].to_pylist(),
        strict=True,
    ):
        assert sorted(subjects) == ["ela", "homeroom", "math"]
        assert teachers == 1
        assert types.count("homeroom") == 1


def test_secondary_students_take_seven_sections_one_ela_one_math(district: SyntheticDistrict) -> None:
    enrollments = _enrollments(district)
    students = enrollments.filter(pc.equal(enrollments["role"], "student"))
    joined = students.join(
        district.sections.select(["source_id", "subject", "period", "grades"]),
        "section_source_id",
        "source_id",
    )
    secondary = joined.filter(
        pc.invert(pc.is_in(joined["grades"], pa.array(["KG", "01", "02", "03", "04", "05"])))
    )
    by_student = secondary.group_by("person_source_id").aggregate(
        [("subject", "list"), ("period", "count_distinct"), ("section_source_id", "count")]
    )
    assert by_student.num_rows > 0
    assert set(by_student["section_source_id_count"].to_pylist()) == {7}
    assert set(by_student["period_count_distinct"].to_pylist()) == {7}  # no two classes in one period
    for subjects in by_student["subject_list"].to_pylist():
        assert subjects.count("ela") == 1 and subjects.count("math") == 1


def test_class_sizes_and_staff_ratios(district: SyntheticDistrict) -> None:
    enrollments = _enrollments(district)
    students = enrollments.filter(pc.equal(enrollments["role"], "student"))
    sizes = students.group_by("section_source_id").aggregate([("person_source_id", "count")])
    sizes = sizes["person_source_id_count"].to_numpy()
    assert sizes.max() <= 30
    assert 22 <= np.median(sizes) <= 30
    assert 14 <= district.students.num_rows / district.teachers.num_rows <= 18
    assert 8 <= district.students.num_rows / district.tutors.num_rows <= 12  # a funded high-dosage programme
    assert set(district.tutors["max_groups"].to_pylist()) <= {3, 4}


def test_no_teacher_teaches_two_sections_in_one_period(district: SyntheticDistrict) -> None:
    scheduled = district.sections.filter(pc.is_valid(district.sections["period"]))
    pairs = scheduled.group_by(["teacher_source_id", "period"]).aggregate([("source_id", "count")])
    assert pc.max(pairs["source_id_count"]).as_py() == 1


def test_subgroup_rates_near_us_averages() -> None:
    students = build_district(DistrictSpec(students=40_000, seed=5)).students

    def rate(column: str) -> float:
        return pc.mean(students[column].cast(pa.float64())).as_py()

    assert 0.08 <= rate("english_learner") <= 0.13
    assert 0.12 <= rate("disability") <= 0.18
    assert 0.38 <= rate("economically_disadvantaged") <= 0.52
    assert 0.24 <= rate("hispanic_or_latino") <= 0.32
    assert 0.12 <= rate("black_or_african_american") <= 0.20
    assert 0.04 <= rate("asian") <= 0.09


def test_same_seed_same_district_other_seed_differs() -> None:
    first = build_district(DistrictSpec(students=800, seed=4))
    again = build_district(DistrictSpec(students=800, seed=4))
    other = build_district(DistrictSpec(students=800, seed=5))
    for name in ("schools", "courses", "sections", "teachers", "tutors", "students"):
        assert getattr(first, name).equals(getattr(again, name)), name
    assert pa.concat_tables(first.iter_enrollments()).equals(pa.concat_tables(again.iter_enrollments()))
    assert not first.students.equals(other.students)
    assert not first.sections.equals(other.sections)


def test_district_id_and_year_rename_but_do_not_redraw() -> None:
    first = build_district(DistrictSpec(students=500, seed=4))
    renamed = build_district(DistrictSpec(students=500, seed=4, district_id="north_lake", school_year=2027))
    assert renamed.district_org_id == "dist-north_lake"
    assert renamed.students["given_name"].equals(first.students["given_name"])
    assert renamed.students["ela_level_fall"].equals(first.students["ela_level_fall"])
    assert "north-lake" in renamed.students["email"][0].as_py()
    assert renamed.sessions["start_date"][0].as_py().year == 2026


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"students": 0}, "at least 1 student"),
        ({"students": 10, "seed": -1}, "non-negative"),
        ({"students": 10, "district_id": "a b"}, "district_id"),
    ],
)
def test_bad_specs_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DistrictSpec(**kwargs)
