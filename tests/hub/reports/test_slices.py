"""Impact per school gives each school exactly the figures the district-wide run gives it."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from hub.reports import ReportInputs, impact_by_school
from hub.tutoring.impact import ImpactPeriod, measure_impact


def test_each_schools_slice_matches_the_district_run(large: ReportInputs) -> None:
    person = large.person
    moved = pc.if_else(
        pc.and_(pc.equal(person["role"], "student"), pc.greater_equal(person["source_id"], "stu-21")),
        "sch-2",
        person["primary_school_source_id"],
    )
    person = person.set_column(
        person.schema.get_field_index("primary_school_source_id"), "primary_school_source_id", moved
    )
    args = (
        large.assessment_result,
        person,
        large.demographics,
        large.dosage.student_weeks,  # type: ignore[union-attr]
        large.group_membership,
        [ImpactPeriod.for_school_year(2026)],
    )
    district = measure_impact(*args)
    schools = impact_by_school(*args)
    assert sorted(schools) == ["sch-1", "sch-2"]
    for school, impact in schools.items():
        expected = district.schools.filter(pc.equal(district.schools["school_source_id"], school))
        assert impact.schools.to_pylist() == expected.to_pylist()
        students = set(impact.students["person_source_id"].to_pylist())
        assert students and all((p >= "stu-21") == (school == "sch-2") for p in students)


def test_a_person_without_a_school_is_in_no_slice(large: ReportInputs) -> None:
    person = large.person
    blank = pc.if_else(
        pc.equal(person["source_id"], "stu-01"),
        pa.scalar(None, pa.string()),
        person["primary_school_source_id"],
    )
    person = person.set_column(
        person.schema.get_field_index("primary_school_source_id"), "primary_school_source_id", blank
    )
    [impact] = impact_by_school(
        large.assessment_result, person, large.demographics, large.dosage.student_weeks,  # type: ignore[union-attr]
        large.group_membership, [ImpactPeriod.for_school_year(2026)],
    ).values()  # fmt: skip
    assert "stu-01" not in impact.students["person_source_id"].to_pylist()
