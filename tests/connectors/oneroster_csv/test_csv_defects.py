"""Byte- and header-level defects of real exports: each read on purpose, each with its own warning kind."""

from __future__ import annotations

import pytest

from hub.connector import ConnectorError
from tests.connectors.oneroster_csv.builders import roster_11
from tests.connectors.oneroster_csv.reading import issues, source


def _kinds(extract, file):
    return {i.kind for i in extract.issues if i.file == file}


def test_utf8_bom_is_stripped_with_a_warning(read_roster):
    package = roster_11()
    package["users.csv"].bom = True
    extract = read_roster(package)
    assert extract.streams["users"].column_names[0] == "sourcedId"
    assert extract.streams["users"].num_rows == 4
    assert _kinds(extract, "users.csv") == {"bom"}


def test_crlf_line_endings_are_read_with_a_warning(read_roster):
    package = roster_11()
    package["enrollments.csv"].newline = "\r\n"
    extract = read_roster(package)
    assert extract.streams["enrollments"]["endDate"].to_pylist()[0] == "2025-06-01"  # no stray \r
    assert _kinds(extract, "enrollments.csv") == {"crlf"}


def test_missing_final_newline_is_read_with_a_warning(read_roster):
    package = roster_11()
    package["classes.csv"].final_newline = False
    extract = read_roster(package)
    assert extract.streams["classes"]["sourcedId"].to_pylist() == ["k1", "k2"]
    assert _kinds(extract, "classes.csv") == {"no_final_newline"}


def test_every_field_quoted_is_just_csv(read_roster):
    package = roster_11()
    package["users.csv"].quote_all = True
    extract = read_roster(package)
    assert extract.issues == []
    assert extract.streams["users"]["grades"].to_pylist()[0] == "09"


def test_trailing_empty_cells_are_cut_with_a_warning(read_roster):
    package = roster_11()
    package["users.csv"].rows[3].append("")  # the teacher row gets a 19th, empty cell
    package["users.csv"].rows[2] += ["", " "]
    extract = read_roster(package)
    assert extract.streams["users"].num_rows == 4
    assert extract.streams["users"]["sourcedId"].to_pylist() == ["st1", "st2", "st3", "te1"]  # order kept
    [warning] = issues(extract, "trailing_empty_cells")
    assert (warning.line, warning.severity) == (4, "warning")
    assert extract.files["users.csv"].warnings["trailing_empty_cells"] == 2


def test_trailing_comma_on_every_row_is_read_in_bulk(read_roster):
    """Past a few thousand odd rows the reader re-reads the file at their width instead."""
    package = roster_11()
    users = package["users.csv"]
    template = users.rows[0]
    for number in range(25_000):
        users.rows.append([f"x{number}", *template[1:]])
    for row in users.rows:
        row.append("")
    extract = read_roster(package)
    assert extract.files["users.csv"].rows == 25_004
    assert extract.files["users.csv"].warnings["trailing_empty_cells"] == 25_004
    assert extract.streams["users"].num_rows == 25_004


def test_ragged_row_with_values_in_extra_cells_is_rejected(read_roster):
    package = roster_11()
    package["enrollments.csv"].rows[1].append("surprise")
    extract = read_roster(package)
    [reject] = issues(extract, "ragged_row", "enrollments.csv")
    assert (reject.line, reject.severity) == (3, "reject")
    assert "e2" in reject.value  # the row's text, for the person fixing the export
    assert extract.streams["enrollments"]["sourcedId"].to_pylist() == ["e1", "e3", "e4", "e5"]
    assert extract.files["enrollments.csv"].rows == 5
    assert (extract.files["enrollments.csv"].accepted, extract.files["enrollments.csv"].rejected) == (4, 1)


def test_short_row_is_rejected(read_roster):
    package = roster_11()
    package["enrollments.csv"].rows[0] = package["enrollments.csv"].rows[0][:6]
    extract = read_roster(package)
    [reject] = issues(extract, "short_row")
    assert reject.line == 2
    assert "6 cells where the header has 10" in reject.reason


def test_a_value_with_a_line_break_counts_as_one_line(read_roster):
    package = roster_11()
    package["classes.csv"].set(0, title="Algebra I\nperiod 1")
    package["classes.csv"].set(1, classType="lecture")
    extract = read_roster(package)
    [reject] = issues(extract, "bad_enum", "classes.csv")
    assert reject.line == 3
    assert extract.streams["classes"]["title"].to_pylist() == ["Algebra I\nperiod 1"]


def test_trailing_empty_header_cells_are_ignored(read_roster):
    """CAT's roles.csv: the header ends ',,' and the rows do not."""
    package = roster_11()
    package["orgs.csv"].header += ["", ""]
    extract = read_roster(package)
    assert extract.streams["orgs"].num_rows == 2
    assert _kinds(extract, "orgs.csv") == {"empty_header_column"}


def test_metadata_columns_are_kept_with_a_warning(read_roster):
    package = roster_11()
    users = package["users.csv"]
    users.header.append("metadata.phoneticGivenName")
    for row in users.rows:
        row.append("サム")
    extract = read_roster(package)
    assert extract.streams["users"]["metadata.phoneticGivenName"].to_pylist()[0] == "サム"
    assert _kinds(extract, "users.csv") == {"extension_columns"}


def test_misspelt_header_is_read_as_the_column_it_clearly_means(read_roster):
    package = roster_11("delta")
    package["users.csv"].rename("dateLastModified", "dataLastModified")
    extract = read_roster(package)
    assert extract.streams["users"].num_rows == 4
    assert extract.streams["users"]["dateLastModified"].to_pylist()[0] == "2025-01-10T08:30:00.000Z"
    [warning] = issues(extract, "header_typo")
    assert "'dataLastModified' read as dateLastModified" in warning.reason


def test_header_in_another_case_or_order_is_read_by_name(read_roster):
    package = roster_11()
    users = package["users.csv"]
    users.rename("givenName", "GivenName")
    order = [users.header.index(c) for c in ["role", *[h for h in users.header if h != "role"]]]
    users.header = [users.header[i] for i in order]
    users.rows = [[row[i] for i in order] for row in users.rows]
    extract = read_roster(package)
    assert extract.streams["users"]["givenName"].to_pylist()[0] == "Sam"
    assert extract.streams["users"].column_names[:3] == ["sourcedId", "status", "dateLastModified"]
    assert _kinds(extract, "users.csv") == {"header_case", "header_order"}


def test_header_in_another_case_alone_is_not_out_of_order(read_roster):
    package = roster_11()
    package["users.csv"].rename("givenName", "GIVENNAME").rename("sourcedId", "SourcedId")
    extract = read_roster(package)
    assert extract.streams["users"]["sourcedId"].to_pylist()[0] == "st1"
    assert _kinds(extract, "users.csv") == {"header_case"}
    assert extract.files["users.csv"].warnings == {"header_case": 2}


def test_unknown_columns_are_kept_with_a_warning(read_roster):
    package = roster_11()
    package["courses.csv"].header.append("ext_department")
    package["courses.csv"].rows[0].append("Math")
    extract = read_roster(package)
    assert extract.streams["courses"]["ext_department"].to_pylist() == ["Math"]
    assert _kinds(extract, "courses.csv") == {"unknown_column"}


def test_missing_optional_header_is_read_as_blank(read_roster):
    package = roster_11()
    package["users.csv"].drop("middleName").drop("sms")
    extract = read_roster(package)
    assert extract.streams["users"]["middleName"].null_count == 4
    [warning] = issues(extract, "missing_optional_header")
    assert "middleName, sms" in warning.reason


@pytest.mark.parametrize(("file", "column"), [("enrollments.csv", "classSourcedId"), ("users.csv", "role")])
def test_missing_required_header_is_fatal_for_the_file_and_named(read_roster, file, column):
    package = roster_11()
    package[file].drop(column)
    extract = read_roster(package)
    assert not extract.importable
    message = extract.files[file].fatal
    assert message == f"{file}: required column '{column}' missing from the header row"
    assert [f for f, report in extract.files.items() if report.fatal] == [file]
    with pytest.raises(ConnectorError, match=f"{file}: required column '{column}' missing") as raised:
        source().normalize(extract)
    assert raised.value.file == file


def test_a_delta_file_without_status_header_is_fatal(read_roster):
    package = roster_11("delta")
    package["courses.csv"].drop("status")
    extract = read_roster(package)
    assert (
        extract.files["courses.csv"].fatal
        == "courses.csv: required column 'status' missing from the header row"
    )


def test_empty_file_is_fatal(read_roster):
    package = roster_11()
    package["courses.csv"] = b""
    extract = read_roster(package)
    assert extract.files["courses.csv"].fatal == "courses.csv is empty: it has no header row"


def test_a_windows_1252_file_is_read_with_a_warning_naming_the_encoding(read_roster):
    package = roster_11()
    text = package["users.csv"].to_bytes().replace(b"Student2", "Ströbel".encode("cp1252"))
    package["users.csv"] = text
    extract = read_roster(package)
    [warning] = issues(extract, "encoding")
    assert (warning.severity, warning.line) == ("warning", 3)
    assert "Windows-1252" in warning.reason and "CSV UTF-8" in warning.reason
    assert extract.streams["users"]["sourcedId"].to_pylist() == ["st1", "st2", "st3", "te1"]
    assert (
        "Ströbel"
        in extract.streams["users"]["familyName"].to_pylist()
        + extract.streams["users"]["givenName"].to_pylist()
    )


def test_a_file_of_two_encodings_is_refused_with_line_and_byte(read_roster):
    package = roster_11()
    text = package["users.csv"].to_bytes()
    text = text.replace(b"Student1", "Zoë".encode()).replace(b"Student2", "Ströbel".encode("cp1252"))
    package["users.csv"] = text
    fatal = read_roster(package).files["users.csv"].fatal
    assert fatal.startswith("users.csv: cannot be read as text: line 3 has byte 0xF6")
    assert "CSV UTF-8" in fatal
