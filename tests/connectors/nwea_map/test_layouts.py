"""Every older layout, written from the same tests through the rename map, reads to the same results."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectors.nwea_map import MapSource
from connectors.nwea_map.layouts import ASSESSMENT_RESULTS_PRE_2015

GROWTH_WINDOWS = ("growth_to_date", "conditional_growth_index", "conditional_growth_percentile")


def _tests(cdf: Any) -> list[dict[str, str]]:
    fall = cdf.row(
        _grade="3",
        LexileScore="480L",
        TypicalFallToFallGrowth="14",
        TypicalFallToWinterGrowth="7",
        TypicalFallToSpringGrowth="12",
    )
    winter = cdf.row(
        _grade="3",
        TermName="Winter 2023-2024",
        TestID="800000002",
        TestStartDate="01/17/2024",
        TestRITScore="195",
        TestPercentile="41",
        AchievementQuintile="Avg",
        LexileScore="560L",
        FallToWinterProjectedGrowth="7",
        FallToWinterObservedGrowth="7",
        FallToWinterObservedGrowthSE="4.5",
        FallToWinterMetProjectedGrowth="Yes",
        FallToWinterConditionalGrowthIndex="0.05",
        FallToWinterConditionalGrowthPercentile="52",
        FallToWinterGrowthQuintile="Avg",
        TypicalWinterToWinterGrowth="10",
        TypicalWinterToSpringGrowth="5",
    )
    spring = cdf.row(
        _grade="K",
        TermName="Spring 2023-2024",
        StudentID="100002",
        Student_StateID="9000000002",
        Subject="Mathematics",
        Course="Math K-12",
        TestName="Growth: Math K-2 CCSS 2010",
        TestID="800000003",
        TestStartDate="05/06/2024",
        TestRITScore="158",
        TestStandardError="3.50",
        TestPercentile="18",
        AchievementQuintile="Low",
        RapidGuessingPercentage="4.5000",
        QuantileScore="EM40Q",
        FallToSpringProjectedGrowth="16",
        FallToSpringObservedGrowth="12",
        FallToSpringObservedGrowthSE="4.9",
        FallToSpringMetProjectedGrowth="No",
        FallToSpringConditionalGrowthIndex="-0.62",
        FallToSpringConditionalGrowthPercentile="27",
        FallToSpringGrowthQuintile="LoAvg",
        WinterToSpringProjectedGrowth="8",
        WinterToSpringObservedGrowth="5",
        WinterToSpringConditionalGrowthIndex="-0.55",
        WinterToSpringConditionalGrowthPercentile="29",
        TypicalSpringToSpringGrowth="18",
        Goal1Name="Operations and Algebraic Thinking",
        Goal1RitScore="155",
        Goal1Range="149-161",
        Goal1Adjective="Low",
        Goal2Name="Number and Operations",
        Goal2RitScore="160",
        Goal2Range="154-166",
        Goal2Adjective="LoAvg",
        Goal3Name="Measurement and Data",
        Goal3RitScore="159",
        Goal3Range="153-165",
        Goal3Adjective="Low",
        Goal4Name="Geometry",
        Goal4RitScore="163",
        Goal4StdErr="7.1",
        Goal4Range="157-169",
        Goal4Adjective="LoAvg*",
    )
    return [fall, winter, spring]


_CLIENT_SERVER_TERMS = {
    "Fall 2023-2024": "Fall 2023",
    "Winter 2023-2024": "Winter 2024",
    "Spring 2023-2024": "Spring 2024",
}


def _export(cdf: Any, export_dir: Callable[..., Path], layout: str) -> Path:
    rows = _tests(cdf)
    if layout == "pre-2015":  # the web-based era named terms by one calendar year
        rows = [{**row, "TermName": _CLIENT_SERVER_TERMS[row["TermName"]]} for row in rows]
    if layout == "combined-2020":
        rows = [{**row, "Grade": row["_grade"], "NWEAStandard_Grade": row["_grade"]} for row in rows]
        return export_dir(
            {
                "ComboStudentAssessment.csv": cdf.csv_text(
                    cdf.layouts[layout], [cdf.in_layout(r, layout) for r in rows]
                )
            }
        )
    date_format = {"2015": "{m}/{d}/{yy:02d}", "pre-2015": "{y}-{m:02d}-{d:02d}"}.get(layout)
    written = [cdf.in_layout(row, layout, date_format=date_format) for row in rows]
    roster_layout = "2020" if layout == "2020" else "pre-2020"
    return export_dir(
        {
            "AssessmentResults.csv": cdf.csv_text(cdf.layouts[layout], written),
            "StudentsBySchool.csv": cdf.students_by_school(rows, roster_layout),
        }
    )


def _expected(current: dict[str, Any], layout: str, row: dict[str, str]) -> dict[str, Any]:
    """What a layout cannot carry, it cannot give; everything else must be equal."""
    expected = dict(current)
    if layout == "combined-2020":
        expected["vendor_most_recent"] = None
        return expected
    expected.update(placement=None, rapid_guessing_percent=None, vendor_school_id=row["SchoolName"])
    # MeasurementScale in its own words: "Mathematics" where Course says "Math K-12"
    expected["measure"] = {"Math K-12": "Mathematics"}.get(current["measure"], current["measure"])
    if current["subject"] == "math":
        expected["lexile_or_quantile"] = None
    if layout == "pre-2015":
        expected.update(dict.fromkeys(GROWTH_WINDOWS))
        projection = f"Typical{current['window'].title()}ToSpringGrowth"
        carried = projection in ASSESSMENT_RESULTS_PRE_2015 and row[projection]
        expected["typical_growth"] = float(row[projection]) if carried else None
    return expected


def _normalized(
    source: Callable[..., MapSource], path: Path
) -> tuple[list[dict[str, Any]], list[tuple], Any]:
    connector = source(path)
    extract = connector.read()
    batch = connector.normalize(extract)
    results = batch.tables["assessment_result"].sort_by(
        [("vendor_student_id", "ascending"), ("test_date", "ascending")]
    )
    goals = sorted(
        (
            row["vendor_domain"],
            row["canonical_domain"],
            row["scale_score"],
            row["goal_adjective"],
            row["range_text"],
        )
        for row in batch.tables["domain_result"].to_pylist()
    )
    return results.to_pylist(), goals, (extract, batch)


@pytest.mark.parametrize("layout", ["2015", "pre-2015", "combined-2020"])
def test_older_layout_reads_to_the_same_results(
    layout: str, cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    current, current_goals, _ = _normalized(source, _export(cdf, export_dir, "2020"))
    older, older_goals, (extract, batch) = _normalized(source, _export(cdf, export_dir, layout))

    file_name = "ComboStudentAssessment.csv" if layout == "combined-2020" else "AssessmentResults.csv"
    assert extract.info["files"][file_name]["layout"] == layout
    assert not [issue for issue in batch.issues if issue.severity == "reject"]
    assert len(older) == len(current) == 3
    for now, then, row in zip(current, older, _tests(cdf), strict=True):
        assert then["source_file"] == file_name  # the export each test came from, for the match gate
        then = {**then, "source_file": now["source_file"]}
        if layout == "combined-2020":
            assert then["source_id"].startswith(f"nwea_map:{row['StudentID']}|")
            then = {**then, "source_id": now["source_id"]}  # the id is composed: no TestID in this file
        assert then == _expected(now, layout, row)
    assert older_goals == current_goals


def test_the_current_layout_reads_every_field(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    results, goals, (_, batch) = _normalized(source, _export(cdf, export_dir, "2020"))
    fall, winter, spring = results

    assert (fall["window"], fall["school_year"], fall["student_grade"]) == ("fall", 2024, "03")
    assert (fall["typical_growth"], fall["growth_to_date"], fall["lexile_or_quantile"]) == (
        12.0,
        None,
        "480L",
    )
    assert (winter["window"], winter["typical_growth"], winter["growth_to_date"]) == ("winter", 7.0, 7.0)
    assert (winter["conditional_growth_index"], winter["conditional_growth_percentile"]) == (0.05, 52)
    # Spring prefers the window that starts in the same school year's fall over winter-to-spring.
    assert (spring["typical_growth"], spring["growth_to_date"]) == (16.0, 12.0)
    assert (spring["conditional_growth_index"], spring["conditional_growth_percentile"]) == (-0.62, 27)
    assert (spring["student_grade"], spring["lexile_or_quantile"], spring["proficiency_band"]) == (
        "KG",
        "EM40Q",
        1,
    )
    assert (spring["rapid_guessing_percent"], spring["rushed"]) == (4.5, False)
    assert ("Geometry", "geometry", 163.0, "LoAvg", "157-169") in goals
    [flagged] = [issue for issue in batch.issues if issue.kind == "goal_adjective_flagged"]
    assert (flagged.line, flagged.severity) == (4, "warning")
