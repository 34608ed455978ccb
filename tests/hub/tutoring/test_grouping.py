"""Skill-targeted groups: entry, size cap, adjacent grades, one group per subject, tutors, determinism."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from hub.tutoring import Grouping, TutoringError, TutoringPolicy, form_groups, open_memberships
from tests.hub.tutoring.conftest import DEFAULT_POLICY, gap_row, table, tier_row, tutor_row

FORMED = date(2025, 9, 29)


@dataclass
class Student:
    person: str
    grade: str = "03"
    domain: str = "number_and_operations"
    tier: int = 2
    school: str = "sch-a"
    subject: str = "math"
    severity: int = 2
    window: str = "fall"

    @property
    def result_source_id(self) -> str:
        return f"res-{self.person}-{self.subject}-{self.window}"

    def tier_row(self) -> dict[str, Any]:
        return tier_row(
            self.person,
            tier=self.tier,
            school_source_id=self.school,
            grade=self.grade,
            result_source_id=self.result_source_id,
            basis=f"i-Ready Math 2025-26 {self.window}: 2 Grade Levels Below (scale 431) -> Tier {self.tier}",
            subject=self.subject,
            window=self.window,
        )

    def gap_row(self, domain: str | None = None, severity: int | None = None) -> dict[str, Any]:
        domain, severity = domain or self.domain, severity or self.severity
        return gap_row(
            self.person,
            domain,
            severity=severity,
            evidence_result_source_id=self.result_source_id,
            evidence=f"i-Ready {domain}: {severity} grade levels below (scale 412)",
            subject=self.subject,
            window=self.window,
        )


ROAMING = [tutor_row("roaming", 50, subjects="ela,math", schools=None)]
"""Enough tutors for any test that is not about tutors: a new group no tutor takes is not formed."""


def group(
    students: list[Student],
    tutors: list[dict] | None = None,
    policy: TutoringPolicy = DEFAULT_POLICY,
    gaps: list[dict] | None = None,
    **history: pa.Table,
) -> Grouping:
    """Group ``students`` (each with one gap in their own domain unless ``gaps`` says otherwise)."""
    return form_groups(
        table("tier_assignment", [s.tier_row() for s in students]),
        table("skill_gap", [s.gap_row() for s in students] if gaps is None else gaps),
        table("tutor_profile", ROAMING if tutors is None else tutors),
        cycle_source_id="2026-c1",
        formed_on=FORMED,
        policy=policy,
        **history,
    )


def members(grouping: Grouping) -> dict[str, list[str]]:
    """group source_id -> sorted students with an open membership."""
    placed: dict[str, list[str]] = {}
    for row in grouping.memberships.to_pylist():
        if row["exit_date"] is None:
            placed.setdefault(row["group_source_id"], []).append(row["person_source_id"])
    return {group_id: sorted(people) for group_id, people in sorted(placed.items())}


def tutor_of(grouping: Grouping, key: str = "source_id") -> dict[str, str | None]:
    """Each group's tutor, by group id (or another group column)."""
    keys = grouping.groups.column(key).to_pylist()
    return dict(zip(keys, grouping.groups.column("tutor_person_source_id").to_pylist(), strict=True))


def one_group_per_subject(grouping: Grouping) -> bool:
    pairs = grouping.memberships.select(["person_source_id", "subject"]).to_pylist()
    return max(Counter(tuple(pair.values()) for pair in pairs).values()) == 1


def test_entry_needs_tier_2_or_3_and_a_skill_gap() -> None:
    students = [Student("tier1", tier=1), Student("tier2"), Student("tier3", tier=3), Student("no-gap")]
    grouping = group(students, gaps=[s.gap_row() for s in students if s.person != "no-gap"])
    assert members(grouping) == {"2026-c1:sch-a:math:number_and_operations:03:1": ["tier2", "tier3"]}


def test_students_group_by_their_primary_gap_of_the_latest_window() -> None:
    fall = [Student("a", domain="geometry"), Student("b", domain="geometry")]
    winter = [Student("a", window="winter", tier=3), Student("b", window="winter", tier=3)]
    gaps = [s.gap_row() for s in fall] + [
        winter[0].gap_row("geometry", 1),
        winter[0].gap_row("measurement_and_data", 3),
        winter[1].gap_row("measurement_and_data", 2),
    ]
    grouping = group(fall + winter, gaps=gaps)
    assert members(grouping) == {"2026-c1:sch-a:math:measurement_and_data:03:1": ["a", "b"]}


def test_groups_never_exceed_the_cap_and_are_balanced() -> None:
    students = [Student(f"s{n}") for n in range(9)]
    assert sorted(len(p) for p in members(group(students)).values()) == [3, 3, 3]
    pairs = group(students, policy=TutoringPolicy(max_group_size=2, min_group_size=1))
    assert sorted(len(p) for p in members(pairs).values()) == [1, 2, 2, 2, 2]
    solo = group(students[:3], policy=TutoringPolicy(max_group_size=1, min_group_size=1))
    assert [len(p) for p in members(solo).values()] == [1, 1, 1]


def test_a_lone_student_joins_an_adjacent_grade() -> None:
    students = [Student(f"g3-{n}", grade="03") for n in range(3)] + [Student("g4-0", grade="04")]
    grouping = group(students)
    assert members(grouping) == {
        "2026-c1:sch-a:math:number_and_operations:03:1": ["g3-0", "g3-1", "g3-2", "g4-0"]
    }
    assert grouping.groups.column("grades").to_pylist() == ["03,04"]


def test_no_merge_across_non_adjacent_grades_domains_or_schools() -> None:
    students = [
        Student("g3-0", grade="03"),
        Student("g3-1", grade="03"),
        Student("g5", grade="05"),
        Student("geo", grade="04", domain="geometry"),
        Student("other-school", grade="04", school="sch-b"),
    ]
    grouping = group(students)
    assert members(grouping) == {
        "2026-c1:sch-a:math:geometry:04:1": ["geo"],
        "2026-c1:sch-a:math:number_and_operations:03:1": ["g3-0", "g3-1"],
        "2026-c1:sch-a:math:number_and_operations:05:1": ["g5"],
        "2026-c1:sch-b:math:number_and_operations:04:1": ["other-school"],
    }


def test_two_lone_adjacent_grades_merge_but_a_group_spans_two_grades_at_most() -> None:
    students = [Student("k", grade="KG"), Student("g1", grade="01"), Student("g2", grade="02")]
    grouping = group(students)
    assert sorted(grouping.groups.column("grades").to_pylist()) == ["02", "KG,01"]


def test_one_group_per_subject_and_open_members_are_not_placed_again() -> None:
    students = [Student("both"), Student("both", subject="ela", domain="phonics"), Student("new")]
    first = group(students)
    assert sorted(first.memberships.column("person_source_id").to_pylist()) == ["both", "both", "new"]
    assert one_group_per_subject(first)
    again = group(students, groups=first.groups, memberships=first.memberships)
    assert again.memberships.num_rows == 3
    assert members(again) == members(first)


def test_memberships_with_a_student_open_twice_in_a_subject_are_refused() -> None:
    row = {
        "group_source_id": "g1",
        "person_source_id": "a",
        "subject": "math",
        "entry_date": FORMED,
        "entry_evidence": "x",
    }
    doubled = table(
        "group_membership", [{**row, "source_id": "m1"}, {**row, "source_id": "m2", "group_source_id": "g2"}]
    )
    with pytest.raises(TutoringError, match="two groups of one subject"):
        group([Student("b")], memberships=doubled)


def test_without_tutor_capacity_entrants_are_not_placed_and_say_why() -> None:
    students = [
        Student(f"{domain}-{n}", domain=domain)
        for domain in ("geometry", "number_and_operations", "measurement_and_data")
        for n in range(2)
    ]
    grouping = group(students, [tutor_row("t1", 2)])
    tutors = tutor_of(grouping, "canonical_domain")
    assert sorted(tutors.values()) == ["t1", "t1"]
    assert grouping.untutored.num_rows == 0
    [missing] = {"geometry", "number_and_operations", "measurement_and_data"} - set(tutors)
    unplaced = grouping.unplaced
    assert sorted(unplaced.column("person_source_id").to_pylist()) == [f"{missing}-0", f"{missing}-1"]
    assert set(unplaced.column("reason_code").to_pylist()) == {"no_tutor_capacity"}
    assert unplaced.column("reason")[0].as_py().startswith("no tutor capacity: Math, ")
    placed = set(open_memberships(grouping.memberships).column("person_source_id").to_pylist())
    assert not placed & set(unplaced.column("person_source_id").to_pylist())


def test_tutors_serve_only_their_subjects_and_schools_own_tutors_first() -> None:
    students = [Student("a1"), Student("a2"), Student("b1", school="sch-b"), Student("b2", school="sch-b")]
    students += [
        Student("e1", subject="ela", domain="phonics"),
        Student("e2", subject="ela", domain="phonics"),
    ]
    tutors = [
        tutor_row("own-a", 5),
        tutor_row("roaming", 5, schools=None),
        tutor_row("reader", 5, subjects="ela", schools="sch-b"),
    ]
    grouping = group(students, tutors)
    assert tutor_of(grouping) == {
        "2026-c1:sch-a:math:number_and_operations:03:1": "own-a",
        "2026-c1:sch-b:math:number_and_operations:03:1": "roaming",
    }
    assert grouping.unplaced.column("person_source_id").to_pylist() == ["e1", "e2"]


def test_continuing_groups_keep_tutor_and_fill_free_seats_first() -> None:
    old = [Student("old-1"), Student("old-2")]
    first = group(old, [tutor_row("steady", 5)])
    [group_id] = first.groups.column("source_id").to_pylist()
    newcomers = [Student("new-1", tier=3), Student("new-2", severity=3), Student("new-3")]
    second = form_groups(
        table("tier_assignment", [s.tier_row() for s in old + newcomers]),
        table("skill_gap", [s.gap_row() for s in old + newcomers]),
        table("tutor_profile", [tutor_row("aardvark", 5), tutor_row("steady", 5)]),
        cycle_source_id="2026-c2",
        formed_on=date(2025, 11, 10),
        policy=DEFAULT_POLICY,
        groups=first.groups,
        memberships=first.memberships,
    )
    placed = members(second)
    # The neediest newcomers (Tier 3, severity 3) take the two free seats; the third starts a new group.
    assert placed == {
        group_id: ["new-1", "new-2", "old-1", "old-2"],
        "2026-c2:sch-a:math:number_and_operations:03:1": ["new-3"],
    }
    assert tutor_of(second) == {
        group_id: "steady",
        "2026-c2:sch-a:math:number_and_operations:03:1": "aardvark",
    }
    entries = {r["person_source_id"]: r["entry_date"] for r in second.memberships.to_pylist()}
    assert entries["old-1"] == FORMED
    assert entries["new-1"] == date(2025, 11, 10)


def test_a_continuing_group_whose_tutor_left_gets_a_new_one() -> None:
    first = group([Student("a"), Student("b")], [tutor_row("leaving", 3)])
    assert first.groups.column("tutor_person_source_id").to_pylist() == ["leaving"]
    second = group(
        [Student("a"), Student("b")],
        [tutor_row("arriving", 3)],
        groups=first.groups,
        memberships=first.memberships,
    )
    assert second.groups.column("tutor_person_source_id").to_pylist() == ["arriving"]
    assert members(second) == members(first)


def test_every_placement_is_explained() -> None:
    grouping = group([Student("a", tier=3), Student("b")])
    [row] = grouping.memberships.filter(pc.equal(grouping.memberships["person_source_id"], "a")).to_pylist()
    assert row["entry_evidence"] == (
        "i-Ready Math 2025-26 fall: 2 Grade Levels Below (scale 431) -> Tier 3; primary gap Number and "
        "Operations (severity 2): i-Ready number_and_operations: 2 grade levels below (scale 412)"
    )
    assert row["entry_result_source_id"] == "res-a-math-fall"
    assert row["entry_date"] == FORMED
    assert row["source_id"] == f"2026-c1:sch-a:math:number_and_operations:03:1:a:{FORMED.isoformat()}"


def test_same_input_in_any_order_gives_the_same_groups() -> None:
    rng = random.Random(7)
    domains = ["geometry", "number_and_operations", "measurement_and_data"]
    grades = ["02", "03", "04", "05"]
    students = [
        Student(
            f"p{n:03d}",
            grade=rng.choice(grades),
            domain=rng.choice(domains),
            tier=rng.choice([2, 3]),
            school=rng.choice(["sch-a", "sch-b"]),
            severity=rng.choice([1, 2, 3]),
        )
        for n in range(120)
    ]
    tutors = [tutor_row(f"t{n}", 5, schools=rng.choice(["sch-a", "sch-b", None])) for n in range(8)]
    baseline = group(students, tutors)
    for seed in range(3):
        shuffled = students[:]
        random.Random(seed).shuffle(shuffled)
        again = group(shuffled, list(reversed(tutors)))
        assert again.groups.equals(baseline.groups)
        assert again.memberships.equals(baseline.memberships)
    sizes = [len(people) for people in members(baseline).values()]
    assert max(sizes) <= DEFAULT_POLICY.max_group_size
    assert sum(sizes) == 120
    assert one_group_per_subject(baseline)
