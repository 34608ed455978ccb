"""The vendor's own 2025-26 samples (BOM, CRLF, M/D/YYYY, Grade N placements) import field by field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hub.warehouse import Warehouse


@pytest.fixture
def samples(shared_fixtures: Path) -> Path:
    return shared_fixtures / "iready" / "diagnostic-results-2025-26"


def _rows(table, **where) -> list[dict]:
    return [row for row in table.to_pylist() if all(row[key] == value for key, value in where.items())]


def test_the_ela_sample_imports_field_by_field(samples: Path, sync) -> None:
    extract, batch = sync(samples / "ela.csv")

    assert extract.info["files"]["ela.csv"] | {"extras": None} == {
        "kind": "diagnostic_results",
        "layout": "2025-26",
        "subject": "ela",
        "extras": None,
    }
    assert extract.files["ela.csv"].rows == 5 and extract.issues == [] and batch.issues == []
    results = batch.tables["assessment_result"]
    (winter,) = _rows(results, vendor_student_id="605002", window="winter")
    assert winter["source_id"] == "iready:605002:ela:2026-01-13:2026-01-13"
    assert (winter["subject"], winter["school_year"], winter["test_date"]) == ("ela", 2026, date(2026, 1, 13))
    assert (winter["student_grade"], winter["scale_score"], winter["percentile"]) == ("06", 593, 55)
    assert (winter["placement"], winter["grade_levels_below"], winter["proficiency_band"]) == (
        "Grade 5",
        1,
        3,
    )
    assert winter["lexile_or_quantile"] == "980L"
    assert (winter["typical_growth"], winter["stretch_growth"], winter["growth_to_date"]) == (12, 26, 21)
    assert (winter["percent_progress_typical"], winter["percent_progress_stretch"]) == (175, 81)
    assert (winter["duration_minutes"], winter["rushed"], winter["vendor_most_recent"]) == (69, False, False)
    assert winter["person_source_id"] is None and winter["match_status"] == "unmatched"
    assert winter["is_test_of_record"] is False and winter["vendor"] == "iready"
    assert winter["source_file"] == "ela.csv"  # for the diagnostics stage's per-file match gate
    assert [row["vendor_most_recent"] for row in _rows(results, vendor_student_id="605001")] == [False, True]

    domains = {
        row["vendor_domain"]: row
        for row in _rows(batch.tables["domain_result"], result_source_id=winter["source_id"])
    }
    assert len(domains) == 7
    assert domains["Comprehension: Literature"] | {"source_id": None} == {
        "source_id": None,
        "result_source_id": winter["source_id"],
        "vendor_domain": "Comprehension: Literature",
        "canonical_domain": "comprehension_literature",
        "scale_score": 640,
        "standard_error": None,  # i-Ready reports none per domain
        "placement": "Mid 6",
        "grade_levels_below": 0,
        "goal_adjective": None,
        "range_text": None,
        "source_modified_at": None,
    }
    assert (domains["Phonics"]["placement"], domains["Phonics"]["grade_levels_below"]) == (
        "Surpassed Level",
        0,
    )
    assert domains["Phonics"]["scale_score"] is None
    pa_row = domains["Phonological Awareness"]
    assert (pa_row["placement"], pa_row["grade_levels_below"], pa_row["scale_score"]) == (
        "Not Assessed",
        None,
        None,
    )
    informational = domains["Comprehension: Informational Text"]
    assert (
        informational["scale_score"],
        informational["placement"],
        informational["grade_levels_below"],
    ) == (
        558,
        "Grade 4",
        2,
    )
    assert (
        domains["Comprehension: Literature"]["source_id"]
        == f"{winter['source_id']}:Comprehension: Literature"
    )
    assert domains["Comprehension: Overall"]["canonical_domain"] is None


def test_the_math_sample_imports_field_by_field(samples: Path, sync) -> None:
    extract, batch = sync(samples / "math.csv")

    assert extract.info["files"]["math.csv"]["subject"] == "math"
    results = batch.tables["assessment_result"]
    assert results.num_rows == 5
    (fall,) = _rows(results, vendor_student_id="605002", window="fall")
    assert (fall["test_date"], fall["scale_score"], fall["placement"]) == (date(2025, 8, 28), 496, "Early 6")
    assert (fall["grade_levels_below"], fall["proficiency_band"], fall["lexile_or_quantile"]) == (
        0,
        4,
        "840Q",
    )
    (winter,) = _rows(results, vendor_student_id="605002", window="winter")
    assert (winter["scale_score"], winter["growth_to_date"], winter["percent_progress_typical"]) == (
        488,
        0,
        0,
    )
    (spring,) = _rows(results, vendor_student_id="605001", window="spring")
    assert (spring["growth_to_date"], spring["percent_progress_stretch"], spring["student_grade"]) == (
        28,
        65,
        "03",
    )

    measurement = _rows(
        batch.tables["domain_result"],
        result_source_id=spring["source_id"],
        vendor_domain="Measurement and Data",
    )
    assert [
        (r["canonical_domain"], r["scale_score"], r["placement"], r["grade_levels_below"])
        for r in measurement
    ] == [("measurement_and_data", 453, "Early 3", 0)]
    assert batch.tables["domain_result"].num_rows == 5 * 4


def test_both_samples_land_in_the_warehouse(samples: Path, sync, warehouse: Warehouse) -> None:
    _, batch = sync(samples)

    warehouse.apply("test_district", "iready", batch)

    stored = warehouse.read("assessment_result", "test_district")
    assert stored.num_rows == 10
    assert sorted(set(stored.column("subject").to_pylist())) == ["ela", "math"]
    assert warehouse.count("domain_result", "test_district") == 5 * 7 + 5 * 4
    again = warehouse.apply("test_district", "iready", batch)
    assert again.result.changes["assessment_result"].skipped_unchanged
