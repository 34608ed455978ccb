"""The boundary replay over tables narrowed as they are read decides exactly as over the whole tables."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from hub.model import arrow_schema
from hub.pipeline.tutoring import boundary_inputs, decide_boundaries, replay_boundaries
from hub.tutoring import plan_cycles
from hub.tutoring.domain_evidence import HeldDomains
from tests.hub.tutoring.conftest import DEFAULT_POLICY, gap_row, result_row, roster, table, tutor_row

CYCLES = plan_cycles(date(2025, 8, 18), date(2026, 5, 29))
FALL_BOUNDARY, WINTER_BOUNDARY = date(2025, 9, 29), date(2025, 12, 22)
TEST_DATES = {"fall": date(2025, 9, 8), "winter": date(2025, 12, 10)}
DOMAIN = "number_and_operations"
STUDENTS = roster(*((person, "04", "sch") for person in "abcdefh"))
TUTORS = table("tutor_profile", [tutor_row("tutor-1", 3, schools="sch")])
# Grade levels below, overall and in the domain, per student and window: a reaches grade level by winter,
# e is Tier 1 with a domain gap in the fall and Tier 2 in winter, h is on grade level throughout.
LEVELS = {
    "fall": {"a": (1, 2), "b": (1, 2), "c": (1, 2), "d": (1, 2), "e": (0, 1), "f": (2, 2), "h": (0, 0)},
    "winter": {"a": (0, 0), "b": (1, 2), "c": (1, 2), "d": (1, 2), "e": (1, 1), "f": (2, 2), "h": (0, 0)},
}


def _tables() -> dict[str, pa.Table]:
    results, domains, gaps = [], [], []
    for window, students in LEVELS.items():
        for person, (overall, in_domain) in students.items():
            test = f"{person}-{window}"
            day = TEST_DATES[window]
            results.append(
                result_row(person, source_id=test, window=window, test_date=day, grade_levels_below=overall)
            )
            domains.append(
                {
                    "source_id": f"{test}:{DOMAIN}",
                    "result_source_id": test,
                    "vendor_domain": "Number and Operations",
                    "canonical_domain": DOMAIN,
                    "grade_levels_below": in_domain,
                }
            )
            if in_domain:
                gaps.append(
                    gap_row(
                        person,
                        DOMAIN,
                        window=window,
                        severity=in_domain,
                        evidence_result_source_id=test,
                        evidence="i-Ready Number and Operations: below grade level",
                    )
                )
    return {
        "assessment_result": table("assessment_result", results),
        "domain_result": table("domain_result", domains),
        "skill_gap": table("skill_gap", gaps),
    }


def test_narrowed_reads_decide_both_boundaries_as_the_whole_tables() -> None:
    tables = _tables()
    boundaries = [FALL_BOUNDARY, WINTER_BOUNDARY]
    domains = HeldDomains(tables["domain_result"])
    whole = replay_boundaries(
        tables["assessment_result"],
        domains,
        STUDENTS,
        TUTORS,
        CYCLES,
        boundaries,
        DEFAULT_POLICY,
        tables["skill_gap"],
    )
    read = tables.__getitem__
    at_once = decide_boundaries(read, domains, STUDENTS, TUTORS, CYCLES, boundaries, DEFAULT_POLICY)
    first = decide_boundaries(read, domains, STUDENTS, TUTORS, CYCLES, [FALL_BOUNDARY], DEFAULT_POLICY)
    night_by_night = decide_boundaries(
        read, domains, STUDENTS, TUTORS, CYCLES, [WINTER_BOUNDARY], DEFAULT_POLICY, first
    )
    for decided in (at_once, night_by_night):
        assert decided.groups.equals(whole.groups)
        assert decided.memberships.equals(whole.memberships)
    placed = set(whole.memberships.column("person_source_id").to_pylist())
    assert placed == {"a", "b", "c", "d", "e", "f"}  # the check above compares real decisions


def test_inputs_keep_only_students_in_a_group_or_an_entry_tier() -> None:
    tables = _tables()
    empty = arrow_schema("group_membership").empty_table()
    results, gaps = boundary_inputs(tables.__getitem__, empty, DEFAULT_POLICY)
    kept = set(results.column("person_source_id").to_pylist())
    assert kept == {"a", "b", "c", "d", "e", "f"}  # h is on grade level in every test
    assert set(gaps.column("person_source_id").to_pylist()) <= kept
