"""Vendor value shapes: BOM and CRLF, date padding, BR/EM measures, domain status words, Level vs Grade."""

from __future__ import annotations

import json
from datetime import date

import pytest

from connectors.iready.layouts import LAYOUTS

CURRENT = {layout.subject: layout.columns for layout in LAYOUTS if layout.label == "2025-26"}
NO_DOMAIN_RELATIVE = {layout.subject: layout.columns for layout in LAYOUTS if layout.label == "2021-22"}


def _results(batch) -> dict[str, dict]:
    return {row["source_id"]: row for row in batch.tables["assessment_result"].to_pylist()}


def _domains(batch, source_id: str) -> dict[str, dict]:
    rows = batch.tables["domain_result"].to_pylist()
    return {row["vendor_domain"]: row for row in rows if row["result_source_id"] == source_id}


@pytest.mark.parametrize(("bom", "crlf"), [(True, True), (False, False), (True, False), (False, True)])
def test_bom_and_line_endings_read_alike(write_export, sync, ela_rows, bom: bool, crlf: bool) -> None:
    path = write_export("diagnostic_results_ela.csv", CURRENT["ela"], ela_rows, bom=bom, crlf=crlf)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") is bom
    assert (b"\r\n" in path.read_bytes()) is crlf

    extract, batch = sync(path)

    assert extract.files[path.name].rows == 4 and batch.issues == []
    first = batch.tables["assessment_result"].to_pylist()[0]
    assert first["vendor_student_id"] == "700301"  # the BOM is not part of the first column's name
    assert first["extras"] is None  # ... nor does a stray \r make a column of its own


def test_dates_with_and_without_zero_padding_name_the_same_test(write_export, sync, math_rows) -> None:
    padded = [{**row, "Start Date": "08/28/2025", "Completion Date": "08/28/2025"} for row in math_rows[:1]]
    _, unpadded_batch = sync(write_export("a.csv", CURRENT["math"], math_rows[:1]))
    _, padded_batch = sync(write_export("b.csv", CURRENT["math"], padded))

    (unpadded,) = _results(unpadded_batch).values()
    (same,) = _results(padded_batch).values()
    assert unpadded["source_id"] == same["source_id"] == "iready:700601:math:2025-08-28:2025-08-28"
    assert unpadded["test_date"] == same["test_date"] == date(2025, 8, 28)


def test_the_window_comes_from_the_test_date_when_the_layout_has_no_norming_window(
    write_export, sync, ela_rows
):
    rows = [{**row, "Norming Window": ""} for row in ela_rows]
    rows += [
        {**rows[0], "Start Date": "11/15/2025", "Completion Date": "11/16/2025"},
        {**rows[0], "Start Date": "3/2/2026", "Completion Date": "3/2/2026"},
        {**rows[0], "Start Date": "7/14/2026", "Completion Date": "7/14/2026"},
    ]
    _, batch = sync(write_export("diagnostic_results_ela.csv", CURRENT["ela"], rows))

    windows = {(row["test_date"], row["window"]) for row in batch.tables["assessment_result"].to_pylist()}
    assert windows == {
        (date(2025, 9, 9), "fall"),
        (date(2025, 9, 8), "fall"),
        (date(2026, 1, 13), "winter"),
        (date(2026, 5, 19), "spring"),
        (date(2025, 11, 16), "winter"),
        (date(2026, 3, 2), "spring"),
        (date(2026, 7, 14), "summer"),
    }


def test_lexile_and_quantile_prefixes_are_kept(write_export, sync, ela_rows, math_rows) -> None:
    write_export("diagnostic_results_ela.csv", CURRENT["ela"], ela_rows)
    path = write_export("diagnostic_results_math.csv", CURRENT["math"], math_rows)

    _, batch = sync(path.parent)

    measures = {
        row["source_id"]: row["lexile_or_quantile"] for row in batch.tables["assessment_result"].to_pylist()
    }
    assert measures["iready:700301:ela:2025-09-09:2025-09-08"] == "BR120L"
    assert measures["iready:700301:ela:2026-01-13:2026-01-13"] == "BR400L"
    assert measures["iready:700302:ela:2025-09-08:2025-09-08"] is None  # kindergarten: no Lexile yet
    assert measures["iready:700601:math:2025-08-28:2025-08-28"] == "EM50Q"
    assert measures["iready:700601:math:2026-04-23:2026-04-22"] == "905Q"
    assert batch.issues == []


def test_domain_status_words_mean_on_grade_level(write_export, sync, ela_rows) -> None:
    ela_rows[2]["High-Frequency Words Scale Score"] = "Tested Out"
    _, batch = sync(write_export("diagnostic_results_ela.csv", CURRENT["ela"], ela_rows))

    spring = _domains(batch, "iready:700301:ela:2026-05-19:2026-05-19")
    assert (spring["Phonics"]["placement"], spring["Phonics"]["grade_levels_below"]) == ("Tested Out", 0)
    assert spring["Phonics"]["scale_score"] is None
    assert (spring["Vocabulary"]["placement"], spring["Vocabulary"]["grade_levels_below"]) == (
        "Surpassed Level",
        0,
    )
    words = spring["High-Frequency Words"]
    assert (words["placement"], words["scale_score"], words["grade_levels_below"]) == ("Max Score", None, 0)
    assert spring["Phonological Awareness"]["grade_levels_below"] is None  # Not Assessed
    assert batch.issues == []  # a status word in a scale score column is no error


@pytest.mark.parametrize("prefix", ["Level", "Grade"])
def test_level_and_grade_placements_mean_the_same(write_export, sync, ela_rows, prefix: str) -> None:
    """Before 2024-25 placements read ``Level 3``, since then ``Grade 3``; the 2021-22 layout has no domain
    relative placement, so the grade levels below come from the placement itself."""
    rows = [
        {
            name: value.replace("Grade ", f"{prefix} ") if name.endswith("Placement") else value
            for name, value in row.items()
        }
        for row in ela_rows
    ]
    _, batch = sync(write_export("diagnostic_results_ela.csv", NO_DOMAIN_RELATIVE["ela"], rows))

    fall = _results(batch)["iready:700301:ela:2025-09-09:2025-09-08"]
    assert (fall["placement"], fall["grade_levels_below"], fall["proficiency_band"]) == (f"{prefix} 1", 2, 2)
    domains = _domains(batch, fall["source_id"])
    below = {name: (row["placement"], row["grade_levels_below"]) for name, row in domains.items()}
    assert below == {
        "Phonological Awareness": ("Not Assessed", None),
        "Phonics": (f"{prefix} 1", 2),
        "High-Frequency Words": ("Max Score", 0),
        "Vocabulary": (f"{prefix} K", 3),
        "Comprehension: Literature": (f"{prefix} 2", 1),
        "Comprehension: Informational Text": ("Early 3", 0),
    }


def test_older_relative_placement_spellings(write_export, sync, ela_rows) -> None:
    spellings = ["Two Grades Below", "Three or More Grades Below", "Early On-Grade", "One Grade Below"]
    rows = [
        {**row, "Overall Relative Placement": text} for row, text in zip(ela_rows, spellings, strict=True)
    ]
    _, batch = sync(write_export("diagnostic_results_ela.csv", CURRENT["ela"], rows))

    table = batch.tables["assessment_result"]
    assert table.column("grade_levels_below").to_pylist() == [2, 3, 0, 1]
    assert table.column("proficiency_band").to_pylist() == [2, 1, 4, 3]
    assert batch.issues == []


def test_the_band_mapping_is_configurable(write_export, sync, ela_rows) -> None:
    path = write_export("diagnostic_results_ela.csv", CURRENT["ela"], ela_rows)

    _, default = sync(path)
    _, changed = sync(path, band_mapping={"Early On Grade Level": 5, "1 Grade Level Below": 4})

    relative = [row["Overall Relative Placement"] for row in ela_rows]
    assert relative == [
        "2 Grade Levels Below",
        "3 or More Grade Levels Below",
        "Mid or Above Grade Level",
        "1 Grade Level Below",
    ]
    assert default.tables["assessment_result"].column("proficiency_band").to_pylist() == [2, 1, 5, 3]
    assert changed.tables["assessment_result"].column("proficiency_band").to_pylist() == [2, 1, 5, 4]


def test_a_band_outside_1_to_5_is_a_config_error(tmp_path) -> None:
    from pydantic import ValidationError

    from connectors.iready import IReadyConfig

    with pytest.raises(ValidationError, match="from 1 to 5"):
        IReadyConfig(path=tmp_path, band_mapping={"Early On Grade Level": 6})
    with pytest.raises(ValidationError, match="Mid or Above Grade Level"):
        IReadyConfig(path=tmp_path, band_mapping={"On Grade Level": 4})


def test_grades_rush_flags_and_most_recent(write_export, sync, ela_rows) -> None:
    _, batch = sync(write_export("diagnostic_results_ela.csv", CURRENT["ela"], ela_rows))

    table = batch.tables["assessment_result"]
    assert table.column("student_grade").to_pylist() == ["03", "03", "03", "KG"]
    assert table.column("rushed").to_pylist() == [False, True, False, False]
    assert table.column("vendor_most_recent").to_pylist() == [False, False, True, False]
    assert table.column("school_year").to_pylist() == [2026] * 4


def test_a_retake_in_one_window_is_two_tests_and_a_repeated_export_one(write_export, sync, math_rows) -> None:
    retake = {
        **math_rows[0],
        "Start Date": "9/2/2025",
        "Completion Date": "9/2/2025",
        "Overall Scale Score": "452",
    }
    write_export("diagnostic_results_math_2025.csv", CURRENT["math"], [*math_rows, retake])
    path = write_export("diagnostic_results_math_CONFIDENTIAL.csv", CURRENT["math"], math_rows[:1])

    _, batch = sync(path.parent)

    results = _results(batch)
    assert len(results) == 3
    assert [row["window"] for row in results.values()].count("fall") == 2
    (duplicate,) = batch.issues
    assert (duplicate.kind, duplicate.severity, duplicate.file, duplicate.line) == (
        "duplicate_test",
        "warning",
        "diagnostic_results_math_2025.csv",
        2,
    )


def test_words_that_look_like_nulls_are_kept_as_written(write_export, sync, math_rows) -> None:
    rows = [{**math_rows[0], "Student ID": "NA", "Last Name": "Null", "District Code": 'say "N/A" \\ done'}]
    header = (*CURRENT["math"], "District Code")

    extract, batch = sync(write_export("diagnostic_results_math.csv", header, rows))

    assert extract.streams["diagnostic_results"].column("Last Name").to_pylist() == ["Null"]
    (result,) = batch.tables["assessment_result"].to_pylist()
    assert result["vendor_student_id"] == "NA"
    assert json.loads(result["extras"]) == {"District Code": 'say "N/A" \\ done'}
