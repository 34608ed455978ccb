"""Impact per school gives each school exactly the figures the district-wide run gives it."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from hub.reports import ReportInputs, impact_by_school
from hub.reports.slices import split_by_school
from hub.tutoring.exits import LEFT_ROSTER_REASON, MAX_CYCLES_REASON
from hub.tutoring.impact import Impact, ImpactPeriod, measure_impact

PERIODS = [
    ImpactPeriod.for_school_year(2026),
    ImpactPeriod("cycle 3", 2026, date(2026, 1, 5), date(2026, 2, 13)),
]
EXITS = {
    "stu-05": MAX_CYCLES_REASON,
    "stu-09": "on grade level in Phonics (i-Ready 2025-26 winter: Grade 3)",
    "stu-12": "on grade level in Vocabulary (i-Ready 2025-26 winter: Grade 3)",
    "stu-21": "typical growth met: 104 % of the annual typical growth (i-Ready 2025-26 winter)",
    "stu-25": LEFT_ROSTER_REASON,
    "stu-30": "moved to the reading clinic",
}
"""Who left tutoring on Jan 30 and why: exits in both schools, of every kind of reason."""


def with_second_school(large: ReportInputs) -> tuple[pa.Table, ...]:
    """The 40-student district with students 21-40 moved to sch-2 and a few exits; impact's arguments."""
    person = large.person
    moved = pc.if_else(
        pc.and_(pc.equal(person["role"], "student"), pc.greater_equal(person["source_id"], "stu-21")),
        "sch-2",
        person["primary_school_source_id"],
    )
    person = person.set_column(
        person.schema.get_field_index("primary_school_source_id"), "primary_school_source_id", moved
    )
    members = large.group_membership
    reason = pc.take(
        pa.array(list(EXITS.values())), pc.index_in(members["person_source_id"], pa.array(list(EXITS)))
    )
    exit_date = pc.if_else(pc.is_valid(reason), pa.scalar(date(2026, 1, 30)), members["exit_date"])
    members = members.set_column(members.schema.get_field_index("exit_date"), "exit_date", exit_date)
    members = members.set_column(members.schema.get_field_index("exit_reason"), "exit_reason", reason)
    return (
        large.assessment_result,
        person,
        large.demographics,
        large.dosage.student_weeks,  # type: ignore[union-attr]
        members,
    )


def measured_alone(args: tuple[pa.Table, ...], school: str) -> Impact:
    """What impact_by_school used to do: measure_impact on one school's students' rows only."""
    results, person, demographics, student_weeks, members = args
    ids = person.filter(pc.equal(person["primary_school_source_id"], school))["source_id"].combine_chunks()

    def mine(table: pa.Table, column: str) -> pa.Table:
        return table.filter(pc.is_in(table[column], value_set=ids))

    return measure_impact(
        mine(results, "person_source_id"),
        mine(person, "source_id"),
        mine(demographics, "source_id"),
        mine(student_weeks, "person_source_id"),
        mine(members, "person_source_id"),
        PERIODS,
    )


def test_each_schools_slice_equals_measuring_that_school_alone(large: ReportInputs) -> None:
    args = with_second_school(large)
    schools = impact_by_school(*args, PERIODS)
    assert sorted(schools) == ["sch-1", "sch-2"]
    for school, impact in schools.items():
        alone = measured_alone(args, school)
        for field in fields(Impact):
            if field.name == "min_n":
                continue
            sliced, expected = getattr(impact, field.name), getattr(alone, field.name)
            assert sliced.equals(expected, check_metadata=True), (school, field.name)
        assert impact.exits.num_rows and impact.transitions.num_rows and impact.dosage.num_rows
        students = set(impact.students["person_source_id"].to_pylist())
        assert students and all((p >= "stu-21") == (school == "sch-2") for p in students)
    exits = {(r["period"], r["reason_code"]): r["n"] for r in schools["sch-2"].exits.to_pylist()}
    assert exits == {
        ("2025-26", "left_roster"): 1,
        ("2025-26", "other"): 1,
        ("2025-26", "typical_growth_met"): 1,
        ("cycle 3", "left_roster"): 1,
        ("cycle 3", "other"): 1,
        ("cycle 3", "typical_growth_met"): 1,
    }


def test_the_schools_slices_add_up_to_the_district(large: ReportInputs) -> None:
    args = with_second_school(large)
    district = measure_impact(*args, PERIODS)
    schools = split_by_school(district, ["sch-2", "sch-1"])
    assert list(schools) == ["sch-1", "sch-2"]
    for name in ("transitions", "exits"):
        total = sum(pc.sum(getattr(impact, name)["n"]).as_py() for impact in schools.values())
        assert total == pc.sum(getattr(district, name)["n"]).as_py()
    expected = district.schools.filter(pc.equal(district.schools["school_source_id"], "sch-1"))
    assert schools["sch-1"].schools.to_pylist() == expected.to_pylist()
    assert schools["sch-1"].comparison.column_names == district.comparison.column_names


def test_a_school_without_results_gets_empty_tables(large: ReportInputs) -> None:
    district = measure_impact(*with_second_school(large), PERIODS)
    [empty] = split_by_school(district, ["sch-none"]).values()
    assert empty.students.num_rows == 0 and empty.comparison.num_rows == 0
    assert empty.dosage.schema.equals(district.dosage.schema, check_metadata=True)


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
