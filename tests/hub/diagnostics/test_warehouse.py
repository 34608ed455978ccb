"""The diagnostics tables written through the real warehouse, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from hub.connector import NormalizedBatch, SyncMode
from hub.diagnostics import active_identifiers, mark_test_of_record, match_students, rematch, skill_gaps
from hub.warehouse import Warehouse

DISTRICT = "test_district"


def apply_roster(warehouse: Warehouse, students: dict[str, str]) -> None:
    """A minimal roster sync: students (source_id -> SIS id) plus one teacher."""
    people = [*students, "t1"]
    persons = pa.table(
        {
            "source_id": people,
            "role": ["student"] * len(students) + ["teacher"],
            "given_name": ["Ana", "Ben", "Cy", "Dee"][: len(people)],
        }
    )
    identifiers = pa.table(
        {
            "person_source_id": [*students, *students],
            "id_type": ["sis_id"] * len(students) + ["sourced_id"] * len(students),
            "value": [*students.values(), *students],
        }
    )
    warehouse.apply(
        DISTRICT,
        "roster",
        NormalizedBatch(tables={"person": persons, "person_identifier": identifiers}, modes={}),
    )


def roster_identifiers(warehouse: Warehouse) -> pa.Table:
    return active_identifiers(
        warehouse.read("person_identifier", DISTRICT), warehouse.read("person", DISTRICT)
    )


def stored(warehouse: Warehouse, table: str, column: str) -> dict[str, object]:
    rows = warehouse.read(table, DISTRICT)
    return dict(zip(rows.column("source_id").to_pylist(), rows.column(column).to_pylist(), strict=True))


def test_matched_results_and_gaps_round_trip(warehouse, make_results, make_domains):
    apply_roster(warehouse, {"p1": "1001", "p2": "1002"})
    results = make_results(
        [
            {
                "source_id": "r1",
                "vendor_student_id": "1001",
                "test_date": date(2026, 1, 9),
                "scale_score": 430.0,
            },
            {"source_id": "r2", "vendor_student_id": "1001", "test_date": date(2026, 1, 20), "rushed": True},
            {"source_id": "r3", "vendor_student_id": "p2", "test_date": date(2026, 1, 12)},
            {"source_id": "r4", "vendor_student_id": "9999", "test_date": date(2026, 1, 12)},
        ],
        files=["ela.csv"] * 4,
    )
    domains = make_domains(
        [
            {
                "result_source_id": "r1",
                "vendor_domain": "Phonics",
                "canonical_domain": "phonics",
                "grade_levels_below": 2,
                "scale_score": 412.0,
            },
            {
                "result_source_id": "r2",
                "vendor_domain": "Phonics",
                "canonical_domain": "phonics",
                "grade_levels_below": 3,
            },
            {
                "result_source_id": "r3",
                "vendor_domain": "Vocabulary",
                "canonical_domain": "vocabulary",
                "grade_levels_below": 1,
            },
        ]
    )

    outcome = match_students(results, roster_identifiers(warehouse))
    marked = mark_test_of_record(outcome.results)
    gaps = skill_gaps(marked, domains)
    warehouse.apply(
        DISTRICT,
        "iready",
        NormalizedBatch(
            tables={"assessment_result": marked, "domain_result": domains, "skill_gap": gaps}, modes={}
        ),
    )

    assert stored(warehouse, "assessment_result", "person_source_id") == {
        "r1": "p1",
        "r2": "p1",
        "r3": "p2",
        "r4": None,
    }
    assert stored(warehouse, "assessment_result", "match_status") == {
        "r1": "matched",
        "r2": "matched",
        "r3": "matched",
        "r4": "unmatched",
    }
    assert stored(warehouse, "assessment_result", "is_test_of_record") == {
        "r1": True,
        "r2": False,
        "r3": True,
        "r4": True,
    }
    assert stored(warehouse, "skill_gap", "severity") == {
        "p1:ela:phonics:2026:winter": 2,
        "p2:ela:vocabulary:2026:winter": 1,
    }
    assert stored(warehouse, "skill_gap", "evidence")["p1:ela:phonics:2026:winter"] == (
        "i-Ready Phonics: 2 grade levels below (scale 412)"
    )
    assert outcome.reports[0].unmatched_ids == ("9999",)


def test_unmatched_results_load_by_themselves_once_the_roster_catches_up(warehouse, make_results):
    apply_roster(warehouse, {"p1": "1001"})
    results = make_results(
        [
            {"source_id": "r1", "vendor_student_id": "1001"},
            {"source_id": "r2", "vendor_student_id": "2002"},
        ]
    )
    first = mark_test_of_record(match_students(results, roster_identifiers(warehouse)).results)
    warehouse.apply(DISTRICT, "iready", NormalizedBatch(tables={"assessment_result": first}, modes={}))
    apply_roster(warehouse, {"p1": "1001", "p5": "2002"})

    again = rematch(warehouse.read("assessment_result", DISTRICT), roster_identifiers(warehouse))
    warehouse.apply(
        DISTRICT,
        "rematch",
        NormalizedBatch(
            tables={"assessment_result": again.results}, modes={"assessment_result": SyncMode.DELTA}
        ),
    )

    assert again.reports[0].matched == 1
    assert stored(warehouse, "assessment_result", "person_source_id") == {"r1": "p1", "r2": "p5"}
    assert stored(warehouse, "assessment_result", "match_status") == {"r1": "matched", "r2": "matched"}
