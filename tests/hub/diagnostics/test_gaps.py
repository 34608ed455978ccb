from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from hub.diagnostics import DiagnosticsError, GapThresholds, primary_gap, skill_gaps
from hub.model import arrow_schema


def iready_test(source_id: str = "r1", person: str | None = "p1", **overrides: object) -> dict[str, object]:
    return {"source_id": source_id, "person_source_id": person, "is_test_of_record": True, **overrides}


def map_test(source_id: str = "m1", person: str | None = "p1", **overrides: object) -> dict[str, object]:
    return iready_test(source_id, person, vendor="nwea_map", subject="math", **overrides)


def placement(result: str, domain: str, canonical: str | None, below: int, score: float = 400.0, **extra):
    return {
        "result_source_id": result,
        "vendor_domain": domain,
        "canonical_domain": canonical,
        "grade_levels_below": below,
        "scale_score": score,
        **extra,
    }


def goal(result: str, name: str, canonical: str | None, adjective: str, score: float = 200.0, **extra):
    return {
        "result_source_id": result,
        "vendor_domain": name,
        "canonical_domain": canonical,
        "goal_adjective": adjective,
        "scale_score": score,
        **extra,
    }


def severities(gaps: pa.Table) -> dict[str, int]:
    return dict(
        zip(gaps.column("canonical_domain").to_pylist(), gaps.column("severity").to_pylist(), strict=True)
    )


def test_gaps_by_relative_placement(make_results, make_domains):
    results = make_results([iready_test()])
    domains = make_domains(
        [
            placement("r1", "Phonics", "phonics", 2, 412.0, placement="Grade 1"),
            placement("r1", "Vocabulary", "vocabulary", 0),
            placement("r1", "Comprehension: Literature", "comprehension_literature", 1),
            placement("r1", "Comprehension: Informational Text", "comprehension_informational", 4),
        ]
    )

    gaps = skill_gaps(results, domains)

    assert severities(gaps) == {"phonics": 2, "comprehension_literature": 1, "comprehension_informational": 3}
    assert gaps.schema == arrow_schema("skill_gap")
    phonics = gaps.filter(pc.equal(gaps.column("canonical_domain"), "phonics")).to_pylist()[0]
    assert phonics["source_id"] == "p1:ela:phonics:2026:winter"
    assert phonics["evidence_result_source_id"] == "r1"
    assert phonics["evidence"] == "i-Ready Phonics: 2 grade levels below (placement Grade 1, scale 412)"
    assert (phonics["subject"], phonics["school_year"], phonics["window"]) == ("ela", 2026, "winter")


def test_gaps_by_goal_adjective(make_results, make_domains):
    results = make_results([map_test()])
    domains = make_domains(
        [
            goal("m1", "Geometry", "geometry", "Low", 198.0, range_text="190-204"),
            goal("m1", "Operations and Algebraic Thinking", "algebra_and_algebraic_thinking", "LoAvg"),
            goal("m1", "Number and Operations", "number_and_operations", "Avg"),
            goal("m1", "Measurement and Data", "measurement_and_data", "*"),
        ]
    )

    gaps = skill_gaps(results, domains)

    assert severities(gaps) == {"geometry": 3, "algebra_and_algebraic_thinking": 2}
    evidence = dict(
        zip(gaps.column("canonical_domain").to_pylist(), gaps.column("evidence").to_pylist(), strict=True)
    )
    assert evidence["geometry"] == "NWEA MAP Growth Geometry: Low (range 190-204, scale 198)"
    assert (
        evidence["algebra_and_algebraic_thinking"]
        == "NWEA MAP Growth Operations and Algebraic Thinking: LoAvg (scale 200)"
    )


def test_thresholds_are_configurable(make_results, make_domains):
    results = make_results([iready_test(), map_test()])
    domains = make_domains(
        [
            placement("r1", "Phonics", "phonics", 1),
            placement("r1", "Vocabulary", "vocabulary", 2),
            goal("m1", "Geometry", "geometry", "low"),
            goal("m1", "Number and Operations", "number_and_operations", "Avg"),
            goal("m1", "Measurement and Data", "measurement_and_data", "LoAvg"),
        ]
    )
    stricter = GapThresholds(min_grade_levels_below=2, adjectives={"Low": 2, "Avg": 1})

    gaps = skill_gaps(results, domains, stricter)

    assert severities(gaps) == {"vocabulary": 2, "geometry": 2, "number_and_operations": 1}


def test_only_tests_of_record_matched_students_and_canonical_domains(make_results, make_domains):
    results = make_results(
        [
            iready_test("r1"),
            iready_test("r_old", is_test_of_record=False, test_date=date(2025, 12, 1)),
            iready_test("r_unmatched", person=None, vendor_student_id="404"),
        ]
    )
    domains = make_domains(
        [
            placement("r1", "Phonics", "phonics", 2),
            placement("r1", "Comprehension: Overall", None, 3),
            placement("r_old", "Vocabulary", "vocabulary", 3),
            placement("r_unmatched", "Phonics", "phonics", 3),
        ]
    )

    gaps = skill_gaps(results, domains)

    assert gaps.column("source_id").to_pylist() == ["p1:ela:phonics:2026:winter"]


def test_two_vendors_on_one_domain_give_one_gap_the_most_severe(make_results, make_domains):
    results = make_results([iready_test("r1", subject="math"), map_test("m1")])
    domains = make_domains(
        [
            placement("r1", "Geometry", "geometry", 1, 470.0),
            goal("m1", "Geometry", "geometry", "Low", 195.0),
        ]
    )

    gaps = skill_gaps(results, domains)

    assert gaps.num_rows == 1
    assert gaps.column("severity").to_pylist() == [3]
    assert gaps.column("evidence_result_source_id").to_pylist() == ["m1"]


def test_no_gaps_gives_an_empty_table_in_the_model_schema(make_results, make_domains):
    gaps = skill_gaps(make_results([iready_test()]), make_domains([placement("r1", "Phonics", "phonics", 0)]))

    assert gaps.num_rows == 0
    assert gaps.schema == arrow_schema("skill_gap")


def test_missing_domain_columns_are_named(make_results):
    with pytest.raises(DiagnosticsError, match="domain_result: missing column\\(s\\) goal_adjective"):
        skill_gaps(
            make_results([iready_test()]),
            pa.table(
                {
                    "result_source_id": ["r1"],
                    "vendor_domain": ["Phonics"],
                    "canonical_domain": ["phonics"],
                    "scale_score": [1.0],
                    "placement": ["x"],
                    "grade_levels_below": [1],
                    "range_text": [None],
                }
            ),
        )


@pytest.fixture
def tied_window(make_results, make_domains):
    """p1: phonics and vocabulary both 2 below, vocabulary with the lower score; p2: one severe gap."""
    results = make_results([iready_test("r1"), iready_test("r2", person="p2")])
    domains = make_domains(
        [
            placement("r1", "Phonics", "phonics", 2, 430.0),
            placement("r1", "Vocabulary", "vocabulary", 2, 410.0),
            placement("r1", "High-Frequency Words", "high_frequency_words", 1, 300.0),
            placement("r2", "Phonics", "phonics", 1, 300.0),
            placement("r2", "Comprehension: Literature", "comprehension_literature", 3, 500.0),
        ]
    )
    return skill_gaps(results, domains), domains


def test_primary_gap_is_the_most_severe_then_the_lowest_score(tied_window):
    gaps, domains = tied_window

    primary = primary_gap(gaps, domains)

    assert primary.column("source_id").to_pylist() == [
        "p1:ela:vocabulary:2026:winter",
        "p2:ela:comprehension_literature:2026:winter",
    ]
    assert primary.schema == gaps.schema


def test_primary_gap_equal_scores_go_to_domain_order(make_results, make_domains):
    results = make_results([iready_test("r1")])
    domains = make_domains(
        [
            placement("r1", "Vocabulary", "vocabulary", 2, 420.0),
            placement("r1", "Phonics", "phonics", 2, 420.0),
        ]
    )
    gaps = skill_gaps(results, domains)

    assert primary_gap(gaps, domains).column("canonical_domain").to_pylist() == ["phonics"]


def test_gaps_carry_their_domain_score_and_the_tie_break_reads_it(tied_window):
    gaps, domains = tied_window

    domain_names, scores = (
        gaps.column("canonical_domain").to_pylist(),
        gaps.column("domain_score").to_pylist(),
    )
    scores = dict(zip(domain_names, scores, strict=True))
    assert scores["vocabulary"] == 410.0 and scores["phonics"] in (430.0, 300.0)
    assert primary_gap(gaps).equals(primary_gap(gaps, domains))


def test_primary_gap_without_scores_goes_to_domain_order(tied_window):
    gaps, _ = tied_window
    unscored = gaps.set_column(
        gaps.schema.get_field_index("domain_score"), "domain_score", pa.nulls(gaps.num_rows, pa.float64())
    )

    primary = primary_gap(unscored)

    assert primary.column("canonical_domain").to_pylist() == ["phonics", "comprehension_literature"]
