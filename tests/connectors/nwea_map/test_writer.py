"""The synthetic district written as a MAP export, and read back through the connector."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from connectors.nwea_map import MapConfig, MapSource
from connectors.nwea_map.layouts import ASSESSMENT_RESULTS_2020, CLASS_ASSIGNMENTS, STUDENTS_BY_SCHOOL_2020
from connectors.nwea_map.writer import write_map
from hub.warehouse import Warehouse
from testkit.synthetic import DistrictSpec, SyntheticDistrict, build_district

STUDENTS = 240


@pytest.fixture(scope="module")
def district() -> SyntheticDistrict:
    return build_district(DistrictSpec(students=STUDENTS, seed=11))


@pytest.fixture(scope="module")
def export(district: SyntheticDistrict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("map")
    paths = write_map(district, folder)
    assert [path.name for path in paths] == [
        "AssessmentResults.csv",
        "StudentsBySchool.csv",
        "ClassAssignments.csv",
    ]
    return folder


@pytest.fixture(scope="module")
def read_back(export: Path) -> tuple[MapSource, object, object]:
    connector = MapSource(MapConfig(path=export))
    extract = connector.read()
    return connector, extract, connector.normalize(extract)


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("AssessmentResults.csv", ASSESSMENT_RESULTS_2020),
        ("StudentsBySchool.csv", STUDENTS_BY_SCHOOL_2020),
        ("ClassAssignments.csv", CLASS_ASSIGNMENTS),
    ],
)
def test_files_are_in_the_exact_layout_and_quoting(export: Path, name: str, header: list[str]) -> None:
    first, second = (export / name).read_text().split("\n")[:2]

    assert first == ",".join(header)
    assert second.startswith('"') and second.endswith('"')
    assert second.count('","') == len(header) - 1


def test_every_test_reads_back(read_back: tuple, district: SyntheticDistrict) -> None:
    _, extract, batch = read_back
    raw = extract.streams["AssessmentResults"]
    results = batch.tables["assessment_result"]

    retaken = pc.equal(raw.column("GrowthMeasureYN"), "FALSE")
    assert pc.sum(retaken).as_py() > 0
    assert raw.num_rows == 2 * 3 * STUDENTS + pc.sum(retaken).as_py()
    assert results.num_rows == raw.num_rows
    assert batch.issues == []
    assert set(results["vendor_student_id"].to_pylist()) == set(district.students["sis_id"].to_pylist())
    assert extract.streams["StudentsBySchool"].num_rows == 3 * STUDENTS


def test_one_test_per_student_subject_and_window_counts_for_growth(read_back: tuple) -> None:
    results = read_back[2].tables["assessment_result"]
    counting = results.filter(results["vendor_most_recent"])

    keys = Counter(
        zip(*(counting[name].to_pylist() for name in ("vendor_student_id", "subject", "window")), strict=True)
    )
    assert len(keys) == STUDENTS * 2 * 3
    assert set(keys.values()) == {1}


def test_rushed_tests_are_the_ones_with_many_rapid_guesses(read_back: tuple) -> None:
    results = read_back[2].tables["assessment_result"]
    rushed = results.filter(results["rushed"])

    assert 0 < rushed.num_rows < results.num_rows * 0.05
    assert pc.min(rushed["rapid_guessing_percent"]).as_py() > 30
    assert pc.max(rushed["duration_minutes"]).as_py() < 18


def test_values_hang_together(read_back: tuple, district: SyntheticDistrict) -> None:
    results = read_back[2].tables["assessment_result"].to_pylist()
    grade_of = dict(
        zip(district.students["sis_id"].to_pylist(), district.students["grade"].to_pylist(), strict=True)
    )
    bands_by_percentile = {
        1: range(0, 21),
        2: range(21, 41),
        3: range(41, 61),
        4: range(61, 81),
        5: range(81, 100),
    }

    for row in results:
        assert row["student_grade"] == grade_of[row["vendor_student_id"]]
        assert row["percentile"] in bands_by_percentile[row["proficiency_band"]]
        assert row["school_year"] == district.spec.school_year
    counting_later = [r for r in results if r["vendor_most_recent"] and r["window"] != "fall"]
    assert all(
        r["conditional_growth_index"] is not None and r["growth_to_date"] is not None for r in counting_later
    )
    assert all(r["typical_growth"] is not None for r in results)
    fall_ela = [r["scale_score"] for r in results if r["window"] == "fall" and r["subject"] == "ela"]
    spring_ela = [r["scale_score"] for r in results if r["window"] == "spring" and r["subject"] == "ela"]
    assert sum(spring_ela) / len(spring_ela) > sum(fall_ela) / len(fall_ela)  # the district grows


def test_goals_cover_the_skill_domains(read_back: tuple) -> None:
    goals = read_back[2].tables["domain_result"]

    for filled in ("vendor_domain", "canonical_domain", "scale_score", "goal_adjective", "range_text"):
        assert goals[filled].null_count == 0, filled
    assert set(goals["canonical_domain"].to_pylist()) == {
        "phonics",
        "comprehension_literature",
        "comprehension_informational",
        "language_and_writing",
        "vocabulary",
        "algebra_and_algebraic_thinking",
        "number_and_operations",
        "measurement_and_data",
        "geometry",
        "statistics_and_probability",
    }


def test_class_assignments_list_each_students_ela_and_math_classes(
    read_back: tuple, district: SyntheticDistrict
) -> None:
    classes = read_back[1].streams["ClassAssignments"]
    sections = district.sections.filter(pc.is_in(district.sections["subject"], pa.array(["ela", "math"])))
    enrollments = pa.concat_tables(district.iter_enrollments())
    students_in = enrollments.filter(
        pc.and_(
            pc.equal(enrollments["role"], "student"),
            pc.is_in(enrollments["section_source_id"], sections["source_id"]),
        )
    )

    assert classes.num_rows == 3 * students_in.num_rows
    assert set(classes["TermName"].to_pylist()) == {"Fall 2025-2026", "Winter 2025-2026", "Spring 2025-2026"}


def test_the_export_loads_into_the_warehouse(read_back: tuple, warehouse: Warehouse) -> None:
    batch = read_back[2]

    warehouse.apply("test_district", "nwea_map", batch)

    assert warehouse.count("assessment_result", "test_district") == batch.tables["assessment_result"].num_rows
    assert warehouse.count("domain_result", "test_district") == batch.tables["domain_result"].num_rows
