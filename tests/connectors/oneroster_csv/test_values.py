"""Field values: drift read with a warning where the meaning is clear, the row rejected where it is not."""

from __future__ import annotations

import pytest

from tests.connectors.oneroster_csv.builders import roster_11, stamp_delta
from tests.connectors.oneroster_csv.reading import issues, source


@pytest.mark.parametrize(
    ("sent", "read"),
    [
        *[("K", "KG"), ("kg", "KG"), ("0", "KG"), ("1", "01"), ("9", "09"), ("pk", "PK"), ("prek", "PK")],
        *[("-1", "PK"), ("9,10", "09,10"), ("09, 10", "09,10"), ("other", "Other")],
    ],
)
def test_grade_codes_are_read_as_ceds_codes(read_roster, sent, read):
    package = roster_11()
    package["users.csv"].set(0, grades=sent)
    package["classes.csv"].set(1, grades=sent)
    extract = read_roster(package)
    assert extract.streams["users"]["grades"].to_pylist()[0] == read
    assert extract.streams["classes"]["grades"].to_pylist()[1] == read
    [warning] = issues(extract, "grade_code", "users.csv")
    assert (warning.line, warning.value, warning.column) == (2, sent, "grades")
    assert source().normalize(extract).tables["person"]["grade"].to_pylist()[0] == read.split(",")[0]


def test_grade_warnings_fold_into_one_per_file(read_roster):
    package = roster_11()
    for index in range(3):
        package["users.csv"].set(index, grades="9")
    extract = read_roster(package)
    [warning] = issues(extract, "grade_code", "users.csv")
    assert "3 rows, first at line 2" in warning.reason
    assert extract.files["users.csv"].warnings == {"grade_code": 3}


def test_one_warning_per_kind_names_every_column_it_covers(read_roster):
    package = roster_11()
    package["classes.csv"].set(0, classType="Scheduled", grades="9")
    package["classes.csv"].set(1, classType="Scheduled")
    package["users.csv"].set(1, enabledUser="True", role="Student")
    extract = read_roster(package)
    [case] = issues(extract, "enum_case", "users.csv")
    assert case.reason.startswith("role: ") and "also in enabledUser" in case.reason
    assert "(2 rows, first at line 3)" in case.reason
    assert extract.files["classes.csv"].warnings == {"enum_case": 2, "grade_code": 1}


def test_unknown_grade_is_rejected_in_1_1(read_roster):
    package = roster_11()
    package["users.csv"].set(1, grades="Freshman")
    extract = read_roster(package)
    [reject] = issues(extract, "bad_grade")
    assert (reject.file, reject.line, reject.column, reject.value) == ("users.csv", 3, "grades", "Freshman")


@pytest.mark.parametrize(
    ("file", "column", "sent", "read"),
    [
        ("classes.csv", "classType", "Scheduled", "scheduled"),
        ("users.csv", "enabledUser", "TRUE", "true"),
        ("demographics.csv", "sex", "Female", "female"),
        ("enrollments.csv", "role", "Student", "student"),
        ("orgs.csv", "type", "SCHOOL", "school"),
    ],
)
def test_enum_case_drift_is_read_as_the_token(read_roster, file, column, sent, read):
    package = roster_11()
    package[file].set(1, **{column: sent})
    extract = read_roster(package)
    stem = file.removesuffix(".csv")
    assert extract.streams[stem][column].to_pylist()[1] == read
    [warning] = issues(extract, "enum_case", file)
    assert (warning.line, warning.value) == (3, sent)


@pytest.mark.parametrize(
    ("file", "column", "sent", "kind"),
    [
        ("classes.csv", "classType", "lecture", "bad_enum"),
        ("users.csv", "role", "janitor", "bad_enum"),
        ("enrollments.csv", "primary", "yes", "bad_boolean"),
        ("enrollments.csv", "beginDate", "8/15/2024", "bad_date"),
        ("enrollments.csv", "endDate", "2025-02-30", "bad_date"),
        ("demographics.csv", "birthDate", "15/06/2010", "bad_date"),
        ("academicSessions.csv", "schoolYear", "2024-2025", "bad_year"),
        ("users.csv", "userIds", "Local:863", "bad_user_ids"),
        ("users.csv", "givenName", "", "missing_required"),
        ("enrollments.csv", "schoolSourcedId", "", "missing_required"),
        ("orgs.csv", "name", "x" * 256, "too_long"),
    ],
)
def test_a_wrong_value_rejects_its_row_with_file_line_column_and_reason(
    read_roster, file, column, sent, kind
):
    package = roster_11()
    package[file].set(1, **{column: sent})
    extract = read_roster(package)
    rejects = [i for i in extract.issues if i.severity == "reject" and i.file == file]
    assert len(rejects) == 1
    [reject] = rejects
    assert (reject.kind, reject.line, reject.column) == (kind, 3, column)
    assert reject.value == (sent or None)
    assert column in reject.reason
    stem = file.removesuffix(".csv")
    assert extract.streams[stem].num_rows == len(package[file].rows) - 1
    assert extract.files[file].rejected == 1


def test_extension_tokens_are_allowed(read_roster):
    package = roster_11()
    package["classes.csv"].set(0, classType="ext:tutoring")
    package["users.csv"].set(3, role="ext:tutor")
    extract = read_roster(package)
    assert [i for i in extract.issues if i.severity == "reject"] == []
    people = source().normalize(extract).tables["person"]
    assert people["role"].to_pylist()[3] == "tutor"


def test_repeated_sourced_ids_keep_the_first_row(read_roster):
    package = roster_11()
    package["enrollments.csv"].set(3, sourcedId="e1")
    package["enrollments.csv"].set(4, sourcedId="e1")
    extract = read_roster(package)
    rejects = issues(extract, "duplicate_id")
    assert [(i.line, i.value) for i in rejects] == [(5, "e1"), (6, "e1")]
    assert "repeats the row at line 2" in rejects[0].reason
    assert extract.streams["enrollments"]["sourcedId"].to_pylist() == ["e1", "e2", "e3"]


def test_one_reject_per_row_even_with_several_faults(read_roster):
    package = roster_11()
    package["enrollments.csv"].set(0, role="", beginDate="yesterday", primary="maybe")
    extract = read_roster(package)
    rejects = [i for i in extract.issues if i.severity == "reject"]
    assert [(i.file, i.line, i.kind) for i in rejects] == [("enrollments.csv", 2, "missing_required")]


def test_bulk_rows_with_status_and_date_are_kept_with_a_warning(read_roster):
    package = roster_11()
    stamp_delta(package)  # fills status/dateLastModified everywhere while the manifest says bulk
    extract = read_roster(package)
    assert [i for i in extract.issues if i.severity == "reject"] == []
    [warning] = issues(extract, "bulk_lifecycle_fields", "users.csv")
    assert "4 rows" in warning.reason
    assert extract.streams["users"].num_rows == 4


def test_bulk_rows_with_unreadable_status_or_date_are_kept_without_them(read_roster):
    """CAT's bulk users.csv carries dateLastModified as 1/05/2023: never a reason to drop a user."""
    package = roster_11()
    package["users.csv"].set(0, dateLastModified="1/05/2023")
    package["users.csv"].set(1, status="enabled")
    extract = read_roster(package)
    assert [i for i in extract.issues if i.severity == "reject"] == []
    [warning] = issues(extract, "bulk_lifecycle_unreadable")
    assert (warning.line, warning.value) == (2, "1/05/2023")
    assert "also in status" in warning.reason
    people = source().normalize(extract).tables["person"]
    assert people.num_rows == 4
    assert people["source_modified_at"].null_count == 4


def test_bulk_row_marked_tobedeleted_is_left_out(read_roster):
    package = roster_11()
    package["enrollments.csv"].set(1, status="tobedeleted")
    batch = source().normalize(read_roster(package))
    assert "e2" not in batch.tables["enrollment"]["source_id"].to_pylist()
    assert batch.deletes == {}  # in bulk, leaving it out is the deletion


@pytest.mark.parametrize(
    ("sent", "kind", "stored"),
    [
        ("2025-01-10", "date_only_modified", "2025-01-10 00:00:00+00:00"),
        ("2025-01-10T08:30:00Z", "datetime_format", "2025-01-10 08:30:00+00:00"),
        ("2025-01-10T08:30:00+01:00", "datetime_format", "2025-01-10 07:30:00+00:00"),
        ("2025-01-10T08:30:00.000", "datetime_format", "2025-01-10 08:30:00+00:00"),
    ],
)
def test_date_last_modified_in_other_iso_forms_is_read_with_a_warning(read_roster, sent, kind, stored):
    package = roster_11("delta")
    package["courses.csv"].set(0, dateLastModified=sent)
    extract = read_roster(package)
    [warning] = issues(extract, kind, "courses.csv")
    assert warning.line == 2
    course = source().normalize(extract).tables["course"]
    assert str(course["source_modified_at"][0].as_py()) == stored


@pytest.mark.parametrize("sent", ["1/05/2023", "2017-05-06 08:01:05", "2025-13-01T00:00:00.000Z", "soon"])
def test_date_last_modified_in_no_clear_form_rejects_the_row(read_roster, sent):
    package = roster_11("delta")
    package["courses.csv"].set(0, dateLastModified=sent)
    extract = read_roster(package)
    [reject] = issues(extract, "bad_datetime")
    assert (reject.file, reject.line, reject.column, reject.value) == (
        "courses.csv",
        2,
        "dateLastModified",
        sent,
    )
