"""Who tutors: the roster's people with a tutoring role, with what tutors.csv adds about each."""

from __future__ import annotations

import pyarrow as pa

from hub.tutoring import TutoringPolicy
from hub.tutoring.tutor_pool import roster_tutors
from tests.hub.tutoring.conftest import DEFAULT_POLICY, table, tutor_row

SCHOOLS = pa.table({"source_id": ["sch-a", "sch-b"]})


def people(*rows: tuple[str, str, str | None]) -> pa.Table:
    ids, roles, schools = (list(column) for column in zip(*rows, strict=True))
    return pa.table(
        {"source_id": ids, "role": roles, "primary_school_source_id": pa.array(schools, pa.string())}
    )


def person_roles(*rows: tuple[str, str, str]) -> pa.Table:
    ids, orgs, roles = (list(column) for column in zip(*rows, strict=True)) if rows else ([], [], [])
    return pa.table(
        {
            "person_source_id": pa.array(ids, pa.string()),
            "org_source_id": pa.array(orgs, pa.string()),
            "role": pa.array(roles, pa.string()),
        }
    )


def by_id(tutors: pa.Table) -> dict[str, dict]:
    return {row["source_id"]: row for row in tutors.to_pylist()}


def test_roster_tutors_and_aides_tutor_with_the_defaults_at_their_schools() -> None:
    roster = people(
        ("t1", "tutor", "sch-a"),
        ("a1", "aide", "sch-b"),
        ("x", "teacher", "sch-a"),
        ("s", "student", "sch-a"),
    )
    tutors = by_id(roster_tutors(roster, person_roles(), SCHOOLS, table("tutor_profile", []), DEFAULT_POLICY))
    assert sorted(tutors) == ["a1", "t1"]
    assert (
        tutors["t1"]["subjects"] == "ela,math"
        and tutors["t1"]["max_groups"] == DEFAULT_POLICY.tutor_max_groups
    )
    assert tutors["t1"]["school_source_ids"] == "sch-a" and tutors["a1"]["school_source_ids"] == "sch-b"


def test_a_secondary_tutoring_role_counts_and_places_the_tutor_at_each_school() -> None:
    roster = people(("x", "teacher", "sch-a"), ("y", "teacher", None))
    roles = person_roles(("x", "sch-b", "tutor"), ("y", "dist-1", "tutor"))
    tutors = by_id(roster_tutors(roster, roles, SCHOOLS, table("tutor_profile", []), DEFAULT_POLICY))
    assert tutors["x"]["school_source_ids"] == "sch-b"
    # a role at the district office, and no school of their own: any school
    assert tutors["y"]["school_source_ids"] is None


def test_tutors_csv_sets_subjects_schools_and_capacity_and_adds_its_own_tutors() -> None:
    roster = people(("t1", "tutor", "sch-a"))
    profiles = table(
        "tutor_profile",
        [tutor_row("t1", 2, subjects="ela", schools="sch-b"), tutor_row("vendor-7", 6, schools=None)],
    )
    tutors = by_id(roster_tutors(roster, person_roles(), SCHOOLS, profiles, DEFAULT_POLICY))
    assert (tutors["t1"]["subjects"], tutors["t1"]["max_groups"], tutors["t1"]["school_source_ids"]) == (
        "ela",
        2,
        "sch-b",
    )
    assert tutors["vendor-7"]["max_groups"] == 6 and tutors["vendor-7"]["school_source_ids"] is None


def test_roles_named_by_the_district_are_tutoring_roles() -> None:
    roster = people(("i1", "ext:interventionist", "sch-a"), ("t1", "tutor", "sch-a"))
    policy = TutoringPolicy(tutor_roles=("ext:Interventionist",), tutor_max_groups=3)
    tutors = by_id(roster_tutors(roster, person_roles(), SCHOOLS, table("tutor_profile", []), policy))
    assert list(tutors) == ["i1"] and tutors["i1"]["max_groups"] == 3
