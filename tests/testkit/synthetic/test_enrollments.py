"""Enrollments are streamed in bounded chunks, with ids that do not depend on the chunk size."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from testkit.synthetic import DistrictSpec, SyntheticDistrict, build_district


@pytest.fixture(scope="module")
def district() -> SyntheticDistrict:
    return build_district(DistrictSpec(students=1500, seed=9))


def test_chunks_are_bounded_and_ids_stable(district: SyntheticDistrict) -> None:
    small = list(district.iter_enrollments(chunk_rows=1000))
    assert all(chunk.num_rows <= 1000 for chunk in small)
    assert len(small) > 5
    assert pa.concat_tables(small).equals(pa.concat_tables(district.iter_enrollments(chunk_rows=50_000)))


def test_every_enrollment_points_at_a_section_and_person(district: SyntheticDistrict) -> None:
    enrollments = pa.concat_tables(district.iter_enrollments())
    assert pc.count_distinct(enrollments["source_id"]).as_py() == enrollments.num_rows
    assert pc.all(pc.is_in(enrollments["section_source_id"], district.sections["source_id"])).as_py()
    people = pa.concat_arrays(
        [*district.students["source_id"].chunks, *district.teachers["source_id"].chunks]
    )
    assert pc.all(pc.is_in(enrollments["person_source_id"], people)).as_py()
    # The school of the enrollment is the school of its section.
    joined = enrollments.join(
        district.sections.select(["source_id", "school_source_id"]),
        "section_source_id",
        "source_id",
        right_suffix="_section",
    )
    assert pc.all(pc.equal(joined["school_source_id"], joined["school_source_id_section"])).as_py()


def test_each_section_has_exactly_one_primary_teacher(district: SyntheticDistrict) -> None:
    enrollments = pa.concat_tables(district.iter_enrollments())
    teachers = enrollments.filter(pc.equal(enrollments["role"], "teacher"))
    primary = (
        teachers.filter(teachers["primary"])
        .group_by("section_source_id")
        .aggregate([("person_source_id", "count")])
    )
    assert primary.num_rows == district.sections.num_rows
    assert set(primary["person_source_id_count"].to_pylist()) == {1}
    co_teachers = teachers.filter(pc.invert(teachers["primary"]))
    assert co_teachers.num_rows > 0  # specialists co-teach some ELA and math sections
    students = enrollments.filter(pc.equal(enrollments["role"], "student"))
    assert not pc.any(students["primary"]).as_py()


def test_chunk_rows_below_one_student_is_refused(district: SyntheticDistrict) -> None:
    with pytest.raises(ValueError, match="chunk_rows"):
        next(district.iter_enrollments(chunk_rows=3))
