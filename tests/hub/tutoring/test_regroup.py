"""Groups evolve: a group left below the minimum moves into a compatible one, keeping its tutor if it can."""

from __future__ import annotations

from datetime import date

import pyarrow.compute as pc

from hub.tutoring import Grouping, TutoringPolicy, open_memberships
from hub.tutoring.regroup import merge_remnants
from tests.hub.tutoring.conftest import DEFAULT_POLICY, table

FORMED, ON = date(2025, 9, 29), date(2026, 2, 2)


def group(
    group_id: str,
    tutor: str | None = "t1",
    *,
    grades: str = "04",
    domain: str = "geometry",
    school: str = "sch-a",
) -> dict:
    return {
        "source_id": group_id,
        "school_source_id": school,
        "subject": "math",
        "canonical_domain": domain,
        "grades": grades,
        "tutor_person_source_id": tutor,
        "cycle_source_id": "2026-c2",
        "formed_on": FORMED,
    }


def members(group_id: str, *people: str) -> list[dict]:
    return [
        {
            "source_id": f"{group_id}:{person}:{FORMED}",
            "group_source_id": group_id,
            "person_source_id": person,
            "subject": "math",
            "entry_date": FORMED,
            "tutored_since": FORMED,
            "entry_result_source_id": f"{person}-fall",
            "entry_evidence": f"evidence of {person}",
        }
        for person in people
    ]


def regroup(groups: list[dict], memberships: list[dict], policy: TutoringPolicy = DEFAULT_POLICY) -> Grouping:
    return merge_remnants(
        Grouping(table("tutoring_group", groups), table("group_membership", memberships)), policy, ON
    )


def where(grouping: Grouping) -> dict[str, str]:
    current = open_memberships(grouping.memberships)
    return dict(
        zip(current["person_source_id"].to_pylist(), current["group_source_id"].to_pylist(), strict=True)
    )


def test_a_lone_student_moves_into_the_larger_group_and_keeps_the_story() -> None:
    grouping = regroup([group("g1"), group("g2")], members("g1", "a") + members("g2", "b", "c"))
    assert where(grouping) == {"a": "g2", "b": "g2", "c": "g2"}
    moved = grouping.memberships.filter(pc.equal(grouping.memberships["person_source_id"], "a")).sort_by(
        "entry_date"
    )
    closed, opened = moved.to_pylist()
    assert (closed["exit_date"], closed["exit_reason"]) == (ON, "moved to group g2 (its group fell below 2)")
    assert (opened["entry_date"], opened["tutored_since"], opened["entry_evidence"]) == (
        ON,
        FORMED,
        "evidence of a",
    )


def test_a_group_with_the_same_tutor_comes_first() -> None:
    groups = [group("g1", "t2"), group("g2", "t1"), group("g3", "t2")]
    grouping = regroup(groups, members("g1", "a") + members("g2", "b", "c") + members("g3", "d"))
    # g1 and g3 are both alone with tutor t2: they join each other rather than t1's larger group
    assert where(grouping)["a"] == where(grouping)["d"] != "g2"


def test_no_merge_across_domain_school_grade_span_or_without_seats() -> None:
    groups = [
        group("g1"),
        group("other-domain", domain="measurement_and_data"),
        group("other-school", school="sch-b"),
        group("two-grades-up", grades="06"),
        group("full"),
    ]
    memberships = (
        members("g1", "a")
        + members("other-domain", "b", "c")
        + members("other-school", "d", "e")
        + members("two-grades-up", "f", "g")
        + members("full", "h", "i", "j", "k")
    )
    grouping = regroup(groups, memberships)
    assert where(grouping)["a"] == "g1"
    assert grouping.memberships.num_rows == len(memberships)


def test_an_adjacent_grade_joins_and_the_group_says_so() -> None:
    grouping = regroup([group("g1", grades="03"), group("g2")], members("g1", "a") + members("g2", "b", "c"))
    assert where(grouping)["a"] == "g2"
    grades = dict(
        zip(grouping.groups["source_id"].to_pylist(), grouping.groups["grades"].to_pylist(), strict=True)
    )
    assert grades["g2"] == "03,04"
    wider = regroup(
        [group("g1", grades="02"), group("g2")],
        members("g1", "a") + members("g2", "b", "c"),
        TutoringPolicy(max_grade_span=2),
    )
    assert where(wider)["a"] == "g2"


def test_a_student_placed_at_this_boundary_is_placed_in_the_other_group_outright() -> None:
    fresh = dict(group("new", grades="05"), formed_on=ON, cycle_source_id="2026-c5")
    today = [
        dict(row, entry_date=ON, tutored_since=ON, source_id=f"new:z:{ON}") for row in members("new", "z")
    ]
    grouping = regroup([group("g2"), fresh], members("g2", "b", "c") + today)
    rows = grouping.memberships.filter(pc.equal(grouping.memberships["person_source_id"], "z")).to_pylist()
    assert [(row["group_source_id"], row["entry_date"], row["exit_date"]) for row in rows] == [
        ("g2", ON, None)
    ]
    # the group formed for z alone never met, so it is not kept
    assert grouping.groups["source_id"].to_pylist() == ["g2"]
