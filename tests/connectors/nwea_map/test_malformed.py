"""What an IT person sees when an export is wrong: a ConnectorError for a file, an Issue for a row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from connectors.nwea_map import MapConfig, MapSource
from hub.connector import ConnectorError


def test_missing_required_column_names_file_layout_and_column(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    header = [name for name in cdf.layouts["2020"] if name != "TestRITScore"]
    connector = source(export_dir({"AssessmentResults.csv": cdf.csv_text(header, [cdf.row()])}))

    with pytest.raises(ConnectorError) as raised:
        connector.read()

    message = str(raised.value)
    assert raised.value.file == "AssessmentResults.csv"
    assert "AssessmentResults.csv" in message
    assert "closest known layout: 2020" in message
    assert message.endswith("lacks the required column(s) TestRITScore")


def test_missing_column_in_an_old_layout_is_named_with_that_layout(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    header = [name for name in cdf.layouts["2015"] if name not in ("TermName", "TestStartDate")]
    connector = source(export_dir({"Spring2019AssessmentResults.csv": cdf.csv_text(header, [])}))

    with pytest.raises(
        ConnectorError, match=r"Spring2019AssessmentResults\.csv: .*layout: 2015.*TermName, TestStartDate"
    ):
        connector.read()


def test_roster_without_grade_is_refused(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    files = {
        "AssessmentResults.csv": cdf.csv_text(cdf.layouts["2020"], [cdf.row()]),
        "StudentsBySchool.csv": "TermName,StudentID,SchoolName\n",
    }

    with pytest.raises(ConnectorError, match=r"StudentsBySchool\.csv: read as StudentsBySchool .* Grade$"):
        source(export_dir(files)).read()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"StudentsBySchool.csv": "TermName,StudentID,Grade\n"},
            "no MAP assessment results in this export",
        ),
        ({"AssessmentResults.csv": ""}, r"AssessmentResults\.csv: the file is empty"),
    ],
)
def test_unusable_exports_are_refused(
    files: dict[str, str], message: str, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    with pytest.raises(ConnectorError, match=message):
        source(export_dir(files)).read()


def test_a_path_that_does_not_exist_is_refused(tmp_path: Path, source: Callable[..., MapSource]) -> None:
    with pytest.raises(ConnectorError, match="does not exist"):
        source(tmp_path / "nowhere").read()


def test_bad_rows_are_rejected_with_line_column_and_reason(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    rows = [
        cdf.row(),  # line 2: fine
        cdf.row(TestID="2", TestRITScore="abc"),  # line 3
        cdf.row(TestID="3", TestStartDate="02/30/2024"),  # line 4
        cdf.row(TestID="4", TermName="Autumn 2023-2024"),  # line 5
        cdf.row(TestID="5", StudentID=""),  # line 6
        cdf.row(TestID="6", TestPercentile="n/a"),  # line 7: kept, percentile left blank
    ]
    text = cdf.csv_text(cdf.layouts["2020"], rows) + '"Fall 2023-2024",' * 150 + '"surplus"\n'  # line 8
    connector = source(export_dir({"AssessmentResults.csv": text}))

    extract = connector.read()
    batch = connector.normalize(extract)

    rejects = sorted(
        (i.line, i.column, i.value, i.kind)
        for i in [*extract.issues, *batch.issues]
        if i.severity == "reject"
    )
    assert rejects == [
        (3, "TestRITScore", "abc", "bad_number"),
        (4, "TestStartDate", "02/30/2024", "bad_date"),
        (5, "TermName", "Autumn 2023-2024", "term_name"),
        (6, "StudentID", None, "missing_required"),
        (8, None, None, "field_count"),
    ]
    report = extract.files["AssessmentResults.csv"]
    assert (report.rows, report.accepted, report.rejected) == (7, 6, 1)
    [field_count] = [i for i in extract.issues if i.kind == "field_count"]
    assert field_count.file == "AssessmentResults.csv"
    assert field_count.reason.startswith("row has 151 fields but the header has 143")
    [bad_date] = [i for i in batch.issues if i.kind == "bad_date"]
    assert bad_date.reason == "TestStartDate is not a date (MM/DD/YYYY, M/D/YYYY, M/D/YY or YYYY-MM-DD)"
    kept = batch.tables["assessment_result"].to_pylist()
    assert [row["source_id"] for row in kept] == ["nwea_map:800000001", "nwea_map:6"]
    assert kept[1]["percentile"] is None
    [warning] = [i for i in batch.issues if i.column == "TestPercentile"]
    assert (warning.line, warning.severity, warning.reason) == (
        7,
        "warning",
        "1 row(s): TestPercentile is not a number; left blank",
    )


def test_blank_lines_are_skipped_without_shifting_line_numbers(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    header, first, second, end = cdf.csv_text(
        cdf.layouts["2020"], [cdf.row(), cdf.row(TestID="9", TestRITScore="-5")]
    ).split("\n")
    text = "\n".join([header, first, "", second, end])  # the blank line is line 3
    connector = source(export_dir({"AssessmentResults.csv": text}))

    batch = connector.normalize(connector.read())

    assert [(i.line, i.kind) for i in batch.issues] == [(4, "out_of_range")]
    assert batch.tables["assessment_result"].num_rows == 1


def test_a_test_exported_twice_is_kept_once(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    text = cdf.csv_text(cdf.layouts["2020"], [cdf.row(), cdf.row()])
    connector = source(export_dir({"AssessmentResults.csv": text}))

    batch = connector.normalize(connector.read())

    assert batch.tables["assessment_result"].num_rows == 1
    assert batch.tables["domain_result"].num_rows == 3
    [duplicate] = [i for i in batch.issues if i.kind == "duplicate_test"]
    assert (duplicate.line, duplicate.severity) == (3, "warning")


def test_rapid_guessing_given_as_fractions_is_read_as_percent(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    rows = [cdf.row(RapidGuessingPercentage="0.4500"), cdf.row(TestID="2", RapidGuessingPercentage="0.0500")]
    connector = source(export_dir({"AssessmentResults.csv": cdf.csv_text(cdf.layouts["2020"], rows)}))

    batch = connector.normalize(connector.read())

    results = batch.tables["assessment_result"]
    assert results.column("rapid_guessing_percent").to_pylist() == [45.0, 5.0]
    assert results.column("rushed").to_pylist() == [True, False]
    assert [i.kind for i in batch.issues] == ["rapid_guessing_fraction"]


def test_threshold_and_band_mapping_are_configurable(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    rows = [cdf.row(RapidGuessingPercentage="12.5000", AchievementQuintile="High", TestPercentile="90")]
    path = export_dir({"AssessmentResults.csv": cdf.csv_text(cdf.layouts["2020"], rows)})
    connector = source(path, rapid_guessing_threshold=10, band_mapping={"High": 4})

    [result] = connector.normalize(connector.read()).tables["assessment_result"].to_pylist()

    assert (result["rushed"], result["proficiency_band"]) == (True, 4)
    assert connector.config.band_mapping == {"Low": 1, "LoAvg": 2, "Avg": 3, "HiAvg": 4, "High": 4}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"band_mapping": {"Average": 3}}, "unknown quintile"),
        ({"band_mapping": {"Low": 0}}, "bands must be 1..5"),
        ({"rapid_guessing_threshold": 130}, "less than or equal to 100"),
        ({"passwd": "x"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_settings_are_refused(settings: dict[str, object], message: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=message):
        MapConfig.model_validate({"path": tmp_path, **settings})


def test_a_goal_named_twice_in_one_test_is_kept_once(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    row = cdf.row(Goal2Name="Literary Text", Goal3Adjective="Average")
    connector = source(export_dir({"AssessmentResults.csv": cdf.csv_text(cdf.layouts["2020"], [row])}))

    batch = connector.normalize(connector.read())

    goals = batch.tables["domain_result"].to_pylist()
    assert [(goal["vendor_domain"], goal["scale_score"]) for goal in goals] == [
        ("Literary Text", 184.0),
        ("Vocabulary: Acquisition and Use", 195.0),
    ]
    assert goals[1]["goal_adjective"] is None
    assert sorted(issue.kind for issue in batch.issues) == ["duplicate_goal", "goal_adjective"]


def test_an_unreadable_growth_cell_is_blank_and_reported_once(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    row = cdf.row(
        TermName="Winter 2023-2024", FallToWinterObservedGrowth="7", FallToWinterConditionalGrowthIndex="x.5"
    )
    connector = source(export_dir({"AssessmentResults.csv": cdf.csv_text(cdf.layouts["2020"], [row])}))

    batch = connector.normalize(connector.read())

    [result] = batch.tables["assessment_result"].to_pylist()
    assert (result["growth_to_date"], result["conditional_growth_index"]) == (7.0, None)
    assert [(i.column, i.kind) for i in batch.issues] == [
        ("FallToWinterConditionalGrowthIndex", "bad_number")
    ]
