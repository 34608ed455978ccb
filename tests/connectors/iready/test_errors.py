"""What an IT person sees when an export is wrong: the file, the layout guessed, the line, the column, why."""

from __future__ import annotations

import pytest

from connectors.iready.layouts import LAYOUTS
from hub.connector import ConnectorError

CURRENT = {layout.subject: layout.columns for layout in LAYOUTS if layout.label == "2025-26"}
OLDEST_MATH = next(
    layout.columns for layout in LAYOUTS if layout.label == "2020-21" and layout.subject == "math"
)


def _without(columns: tuple[str, ...], *dropped: str) -> list[str]:
    return [column for column in columns if column not in dropped]


def test_a_missing_required_column_names_file_layout_and_column(write_export, sync, ela_rows) -> None:
    header = _without(CURRENT["ela"], "Overall Scale Score")
    path = write_export("diagnostic_results_ela_CONFIDENTIAL.csv", header, ela_rows)

    with pytest.raises(ConnectorError) as raised:
        sync(path)

    message = str(raised.value)
    assert message.startswith("diagnostic_results_ela_CONFIDENTIAL.csv: ")
    assert "Diagnostic Results ELA" in message and "closest layout: 2025-26" in message
    assert "'Overall Scale Score'" in message
    assert raised.value.file == "diagnostic_results_ela_CONFIDENTIAL.csv"


def test_an_old_layout_missing_its_dates_names_that_layout(write_export, sync, math_rows) -> None:
    path = write_export("math.csv", _without(OLDEST_MATH, "Completion Date", "Start Date"), math_rows)

    with pytest.raises(
        ConnectorError, match=r"math.csv: .*Diagnostic Results MATH \(closest layout: 2020-21\)"
    ):
        sync(path)
    with pytest.raises(ConnectorError, match="'Start Date', 'Completion Date'"):
        sync(path)


def test_bad_rows_are_rejected_with_line_column_and_reason(write_export, sync, ela_rows) -> None:
    rows = [
        ela_rows[0],
        {**ela_rows[1], "Overall Scale Score": "4OO"},
        {**ela_rows[2], "Completion Date": "5/32/2026"},
        {**ela_rows[3], "Student ID": ""},
        {**ela_rows[0], "Start Date": "2/30/2026", "Completion Date": "3/1/2026"},
        {**ela_rows[0], "Completion Date": "9/30/2025", "Overall Scale Score": ""},
        {**ela_rows[0], "Completion Date": "10/1/2025", "Percentile": "n/a"},
    ]
    path = write_export("diagnostic_results_ela.csv", CURRENT["ela"], rows)

    extract, batch = sync(path)

    rejects = sorted((i.line, i.column, i.value, i.kind) for i in batch.issues if i.severity == "reject")
    assert rejects == [
        (3, "Overall Scale Score", "4OO", "not_a_number"),
        (4, "Completion Date", "5/32/2026", "bad_date"),
        (5, "Student ID", None, "missing_required"),
        (6, "Start Date", "2/30/2026", "bad_date"),
        (7, "Overall Scale Score", None, "missing_required"),
    ]
    reasons = {issue.line: issue.reason for issue in batch.issues}
    assert reasons[3] == "Overall Scale Score '4OO' is not a number on i-Ready's scale (100 to 800)"
    assert reasons[4] == "Completion Date '5/32/2026' is not a date (expected M/D/YYYY)"
    assert reasons[5] == "Student ID is empty"
    assert all(issue.file == "diagnostic_results_ela.csv" for issue in batch.issues)

    kept = batch.tables["assessment_result"]
    assert kept.num_rows == 2  # the good row, and the one with an unreadable percentile
    assert kept.column("percentile").to_pylist() == [12, None]
    (warning,) = [issue for issue in batch.issues if issue.severity == "warning"]
    assert (warning.line, warning.column, warning.value, warning.kind) == (
        8,
        "Percentile",
        "n/a",
        "not_a_number",
    )
    assert extract.files[path.name].rows == 7  # the file itself was fine: rejects are about values


def test_rows_with_the_wrong_field_count_are_rejected_and_lines_stay_true(
    write_export, sync, math_rows
) -> None:
    path = write_export("diagnostic_results_math.csv", CURRENT["math"], math_rows, crlf=False)
    header, first, second = path.read_text(encoding="utf-8-sig").splitlines()
    short = ",".join(second.split(",")[:10])
    path.write_text("\n".join([header, "", f"{first},extra", "", second, short]) + "\n", encoding="utf-8")

    extract, batch = sync(path)

    structural = [(issue.line, issue.kind) for issue in extract.issues]
    assert structural == [(3, "field_count"), (6, "field_count")]
    assert "row has 59 fields, the header 58" in extract.issues[0].reason
    report = extract.files[path.name]
    assert (report.rows, report.accepted, report.rejected) == (3, 1, 2)
    assert extract.streams["diagnostic_results"].column("_line").to_pylist() == [5]
    assert batch.tables["assessment_result"].num_rows == 1


def test_a_folder_skips_other_exports_but_a_named_file_must_be_ours(write_export, sync, math_rows) -> None:
    write_export("diagnostic_results_math.csv", CURRENT["math"], math_rows)
    summary = write_export("personalized_instruction_summary_math.csv", ["Student ID", "Lessons Passed"], [])

    extract, batch = sync(summary.parent)

    assert batch.tables["assessment_result"].num_rows == 2
    (skipped,) = extract.issues
    assert (skipped.file, skipped.kind, skipped.severity) == (summary.name, "unsupported_export", "warning")
    with pytest.raises(
        ConnectorError, match=r"personalized_instruction_summary_math\.csv: not an i-Ready Diagnostic"
    ):
        sync(summary)


def test_a_header_that_names_no_subject_in_a_file_that_names_none(write_export, sync) -> None:
    header = ["Student ID", "Academic Year", "Start Date", "Completion Date", "Overall Scale Score",
              "Overall Placement", "Overall Relative Placement"]  # fmt: skip
    path = write_export("export.csv", header, [])

    with pytest.raises(ConnectorError, match=r"export\.csv: .*whether it is ELA or Math"):
        sync(path)


def test_unreadable_files_stop_the_read(write_export, sync, tmp_path) -> None:
    empty = write_export("diagnostic_results_ela.csv", [], [], bom=False)
    empty.write_bytes(b"")
    with pytest.raises(ConnectorError, match=r"diagnostic_results_ela\.csv: the file is empty"):
        sync(empty)

    binary = write_export("diagnostic_results_math.csv", [], [], bom=False)
    binary.write_bytes(",".join(CURRENT["math"]).encode() + b"\r\n\x81\x8d,\x00\r\n")
    with pytest.raises(
        ConnectorError,
        match=r"diagnostic_results_math\.csv: cannot be read as text: line 2 has byte 0x81 .* \"CSV UTF-8",
    ):
        sync(binary)

    with pytest.raises(ConnectorError, match="no such file or folder"):
        sync(tmp_path / "missing")
    with pytest.raises(ConnectorError, match=r"no file matches '\*.txt'"):
        sync(empty.parent, pattern="*.txt")


def test_repeated_columns_are_named(write_export, sync, math_rows) -> None:
    header = [*CURRENT["math"], "Most Recent Diagnostic (Y/N)"]  # old and new name of one column
    with pytest.raises(
        ConnectorError, match=r"\['Most Recent Diagnostic YTD \(Y/N\)'\] appear more than once"
    ):
        sync(write_export("diagnostic_results_math.csv", header, math_rows))
