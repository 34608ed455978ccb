"""Every known Diagnostic Results layout, from 2020-21 to 2026-27, reads to the values of the current one."""

from __future__ import annotations

import json

import pytest

from connectors.iready.layouts import LAYOUTS, RESULTS, Layout

# Flat layouts, a row per test (Diagnostic and Instruction has its own tests)
RESULT_LAYOUTS = [layout for layout in LAYOUTS if layout.kind == RESULTS and not layout.tests_side_by_side]
CURRENT = {layout.subject: layout for layout in RESULT_LAYOUTS if layout.label == "2025-26"}

# Column counts as the reference states them (vendor columns only: the 2023-24 district flags and the
# integrator's API_YEAR / LEA_ID are not the vendor's); 2026-27 = 2025-26 plus Tactile Graphics.
REFERENCE_COUNTS = {
    ("2026-27 i-Ready Inform", "ela"): 66,
    ("2026-27 i-Ready Inform", "math"): 59,
    ("2025-26", "ela"): 65,
    ("2025-26", "math"): 58,
    ("2024-25", "ela"): 63,
    ("2024-25", "math"): 54,
    ("2023-24", "ela"): 74 - 6,
    ("2023-24", "math"): 64 - 7,
    ("61-column (Diagnostic Language, no state IDs)", "ela"): 61,
    ("49-column (no demographics)", "ela"): 49,
    ("2021-22", "ela"): 36 - 2,
    ("2021-22", "math"): 32 - 2,
    ("2020-21", "ela"): 42,
    ("2020-21", "math"): 35,
    ("2020-21 with demographics", "ela"): 52,
}


def test_the_catalogue_holds_each_reference_layout_with_its_column_count() -> None:
    assert {
        (layout.label, layout.subject): len(layout.columns) for layout in RESULT_LAYOUTS
    } == REFERENCE_COUNTS
    assert CURRENT["ela"].columns[0] == "Last Name" and CURRENT["ela"].columns[-1] == (
        "Reading Difficulty Indicator (Y/N)"
    )
    assert CURRENT["math"].columns[-1] == "Projection if Student Achieves Stretch Growth"


def _by_id(table, key: str = "source_id") -> dict:
    return {row[key]: row for row in table.to_pylist()}


@pytest.mark.parametrize("layout", RESULT_LAYOUTS, ids=lambda lay: f"{lay.label}-{lay.subject}")
def test_an_older_layout_imports_to_the_same_values(
    layout: Layout, write_export, sync, ela_rows, math_rows, as_current
) -> None:
    rows = ela_rows if layout.subject == "ela" else math_rows
    _, current = sync(write_export(f"current_{layout.subject}.csv", CURRENT[layout.subject].columns, rows))
    # no subject in the name: the header alone must tell the layout and the subject
    extract, older = sync(write_export("export.csv", layout.columns, rows))

    assert extract.info["files"]["export.csv"]["layout"] == layout.label
    assert extract.info["files"]["export.csv"]["subject"] == layout.subject
    assert older.issues == []
    has = {as_current(column) for column in layout.columns}
    only_in_newer = {
        "growth_to_date": "Diagnostic Gain",
        "percent_progress_typical": "Percent Progress to Annual Typical Growth (%)",
        "percent_progress_stretch": "Percent Progress to Annual Stretch Growth (%)",
    }
    expected = _by_id(current.tables["assessment_result"])
    got = _by_id(older.tables["assessment_result"])
    assert got.keys() == expected.keys() and len(got) == len(rows)
    for source_id, row in expected.items():
        row["source_file"] = "export.csv"
        for field, column in only_in_newer.items():
            if column not in has:
                row[field] = None
        assert got[source_id] == row

    expected_domains = _by_id(current.tables["domain_result"])
    got_domains = _by_id(older.tables["domain_result"])
    assert got_domains.keys() <= expected_domains.keys()
    assert len(got_domains) >= len(rows) * (3 if layout.subject == "math" else 5)
    for source_id, row in got_domains.items():
        assert row == expected_domains[source_id]


def test_2026_27_inform_exports_are_read_under_their_new_file_names(write_export, sync, ela_rows, math_rows):
    inform = {
        layout.subject: layout.columns for layout in RESULT_LAYOUTS if layout.label.startswith("2026-27")
    }
    assert "Assessment Gain" in inform["ela"] and "Tactile Graphics" in inform["math"]
    write_export("i-ready_inform_results_reading_english_CONFIDENTIAL.csv", inform["ela"], ela_rows)
    path = write_export("i-ready_inform_results_math_CONFIDENTIAL.csv", inform["math"], math_rows)

    extract, batch = sync(path.parent)

    results = batch.tables["assessment_result"]
    assert sorted(set(results.column("subject").to_pylist())) == ["ela", "math"]
    spring = _by_id(results)["iready:700301:ela:2026-05-19:2026-05-19"]
    assert spring["growth_to_date"] == 79 and spring["vendor_most_recent"] is True
    assert spring["extras"] is None  # Tactile Graphics is the vendor's column, not the district's
    assert {info["layout"] for info in extract.info["files"].values()} == {"2026-27 i-Ready Inform"}


def test_district_columns_are_kept_as_extras(write_export, sync, ela_rows) -> None:
    header = (*CURRENT["ela"].columns, "504 Plan", "Foster Youth", "LEA_ID")
    rows = [{**row, "504 Plan": "Y", "LEA_ID": "0042"} for row in ela_rows]
    path = write_export("diagnostic_results_ela_CONFIDENTIAL.csv", header, rows)

    extract, batch = sync(path)

    assert extract.info["files"][path.name]["extras"] == ["504 Plan", "Foster Youth", "LEA_ID"]
    extras = batch.tables["assessment_result"].column("extras").to_pylist()
    assert [json.loads(text) for text in extras] == [{"504 Plan": "Y", "LEA_ID": "0042"}] * len(rows)
    assert batch.issues == []


def test_the_header_decides_the_subject_over_the_file_name(write_export, sync, math_rows) -> None:
    path = write_export("diagnostic_results_ela_CONFIDENTIAL.csv", CURRENT["math"].columns, math_rows)

    extract, batch = sync(path)

    assert extract.info["files"][path.name]["subject"] == "math"
    assert set(batch.tables["assessment_result"].column("subject").to_pylist()) == {"math"}
