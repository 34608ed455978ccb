"""The real (anonymised) NWEA sample: 2020+ layout, ragged last row, a screener, Science tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from connectors.nwea_map import MapConfig, MapSource
from hub.warehouse import Warehouse


@pytest.fixture
def sample(shared_fixtures: Path) -> MapSource:
    return MapSource(MapConfig(path=shared_fixtures / "nwea-map"))


def test_read_recognises_the_layout_and_mends_the_ragged_row(sample: MapSource) -> None:
    extract = sample.read()

    assert extract.info["version"] == "AssessmentResults 2020"
    assert extract.info["layout"] == {"AssessmentResults.csv": "2020"}
    assert extract.info["subject"] == ["Language Arts", "Mathematics", "Science"]
    assert extract.info["files"]["AssessmentResults.csv"]["layout"] == "2020"
    assert extract.info["files"]["AssessmentResults.csv"]["subjects"] == [
        "Language Arts",
        "Mathematics",
        "Science",
    ]
    results = extract.streams["AssessmentResults"]
    assert results.num_rows == 7
    assert results.column("_line").to_pylist() == [2, 3, 4, 5, 6, 7, 8]
    report = extract.files["AssessmentResults.csv"]
    assert (report.rows, report.accepted, report.rejected, report.warnings) == (7, 7, 0, {"short_row": 1})
    [short] = [issue for issue in extract.issues if issue.kind == "short_row"]
    assert (short.line, short.severity) == (8, "warning")
    screener = results.slice(6).to_pylist()[0]
    assert screener["TestName"] == "Screening: Reading K-2 English"
    assert screener["ProjectedProficiencyLevel10"] is None


def test_math_growth_test_field_by_field(sample: MapSource) -> None:
    batch = sample.normalize(sample.read())
    results = {row["vendor_student_id"]: row for row in batch.tables["assessment_result"].to_pylist()}

    algebra = results["605001"]
    assert algebra["source_id"] == "nwea_map:711524321:605001"  # the sample reuses TestIDs across students
    assert (algebra["vendor"], algebra["match_status"], algebra["person_source_id"]) == (
        "nwea_map",
        "unmatched",
        None,
    )
    assert (algebra["subject"], algebra["school_year"], algebra["window"]) == ("math", 2022, "fall")
    assert algebra["measure"] == "Algebra 2"  # Course: the scale within the subject
    assert algebra["test_date"] == date(2021, 9, 16)
    assert algebra["scale_score"] == 233.0
    assert algebra["standard_error"] == 3.3
    assert algebra["percentile"] == 32
    assert algebra["placement"] == "LoAvg"
    assert algebra["proficiency_band"] == 2
    assert algebra["typical_growth"] == 6.0  # TypicalFallToSpringGrowth: no window ends in this fall
    assert algebra["growth_to_date"] is None
    assert algebra["conditional_growth_index"] is None
    assert algebra["duration_minutes"] == 46.0
    assert algebra["rapid_guessing_percent"] == 0.0
    assert algebra["rushed"] is False
    assert algebra["vendor_most_recent"] is True
    assert algebra["vendor_school_id"] == "255901322"
    assert algebra["grade_levels_below"] is None


def test_screener_without_test_id_gets_a_composite_id(sample: MapSource) -> None:
    batch = sample.normalize(sample.read())
    [screener] = [row for row in batch.tables["assessment_result"].to_pylist() if row["subject"] == "ela"]

    assert (
        screener["source_id"]
        == "nwea_map:605000|Fall 2021-2022|Screening: Reading K-2 English|2021-09-20|09:15:30"
    )
    assert (screener["scale_score"], screener["placement"], screener["proficiency_band"]) == (165.0, "Avg", 3)
    assert screener["vendor_most_recent"] is False


def test_science_is_skipped_with_one_warning(sample: MapSource) -> None:
    batch = sample.normalize(sample.read())

    assert batch.tables["assessment_result"].num_rows == 4
    [skipped] = [issue for issue in batch.issues if issue.kind == "skipped_subject"]
    assert skipped.severity == "warning"
    assert skipped.reason.startswith("3 row(s): Science")
    assert not [issue for issue in batch.issues if issue.severity == "reject"]


def test_goals_become_domain_results(sample: MapSource) -> None:
    batch = sample.normalize(sample.read())
    goals = [
        row
        for row in batch.tables["domain_result"].to_pylist()
        if row["result_source_id"].endswith(":605001")
    ]

    assert [goal["vendor_domain"] for goal in goals] == [
        "Number and Algebraic Methods",
        "Function Attributes, Inverses, and Data",
        "Quadratic, Square Root, Exponential, and Logarithmic Functions, Equations, and Inequalities",
        "Other Functions, Equations, Inequalities, and Systems",
    ]
    first = goals[0]
    assert first["source_id"] == "nwea_map:711524321:605001:Number and Algebraic Methods"
    assert (first["scale_score"], first["range_text"], first["goal_adjective"]) == (225.0, "218-232", "Low")
    assert first["standard_error"] == 7.1  # Goal1StdErr
    assert {goal["canonical_domain"] for goal in goals} == {"algebra_and_algebraic_thinking"}


def test_the_batch_loads_into_the_warehouse(sample: MapSource, warehouse: Warehouse) -> None:
    batch = sample.normalize(sample.read())

    warehouse.apply("test_district", "nwea_map", batch)

    assert warehouse.count("assessment_result", "test_district") == 4
    assert warehouse.count("domain_result", "test_district") == 12
    stored = {
        row["source_id"]: row for row in warehouse.read("assessment_result", "test_district").to_pylist()
    }
    algebra = stored["nwea_map:711524321:605001"]
    assert (algebra["scale_score"], algebra["test_date"], algebra["rushed"]) == (
        233.0,
        date(2021, 9, 16),
        False,
    )


def test_the_file_is_recognised_by_its_header_alone_in_a_folder_or_a_zip(
    shared_fixtures: Path, tmp_path: Path
) -> None:
    import shutil
    import zipfile

    sample = shared_fixtures / "nwea-map" / "AssessmentResults.csv"
    folder = tmp_path / "drop"
    folder.mkdir()
    shutil.copy(sample, folder / "fall_2021_scores.csv")
    (folder / "readme.csv").write_text("note,by\nfrom the district,IT\n")
    archive = tmp_path / "map.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(sample, "exports/scores.csv")
    for path in (folder / "fall_2021_scores.csv", folder, archive):
        extract = MapSource(MapConfig(path=path)).read()
        assert extract.streams["AssessmentResults"].num_rows == 7, path
    assert MapSource(MapConfig(path=folder)).read().info["ignored_files"] == ["readme.csv"]
