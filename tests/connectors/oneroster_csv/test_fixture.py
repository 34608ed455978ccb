"""The real Ed-Fi / ClassLink OneRoster 1.1 sample package, read as it was published."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pytest

from connectors.oneroster_csv import OneRosterCsvConfig, OneRosterCsvSource
from hub.connector import Extract, NormalizedBatch, SyncMode
from hub.model import arrow_schema
from tests.connectors.oneroster_csv.reading import issues

SAMPLE = "oneroster/edfi-lms-toolkit-1.1"


@pytest.fixture
def sample(shared_fixtures: Path) -> tuple[Extract, NormalizedBatch]:
    connector = OneRosterCsvSource(OneRosterCsvConfig(path=shared_fixtures / SAMPLE))
    extract = connector.read()
    return extract, connector.normalize(extract)


def test_every_row_is_accepted_with_counts_checked_by_hand(sample):
    extract, batch = sample
    assert extract.importable
    assert [i for i in extract.issues if i.severity == "reject"] == []
    counts = {name: table.num_rows for name, table in batch.tables.items()}
    assert counts == {
        "school": 2,
        "academic_session": 3,
        "course": 2,
        "section": 2,
        "person": 10,
        "person_role": 10,
        "enrollment": 24,
        "demographics": 8,
        # 10 sourced_id + 10 username + 10 email + 8 {Local:...} (teachers have no userIds)
        "person_identifier": 38,
    }
    roles = pc.value_counts(batch.tables["person"]["role"]).to_pylist()
    assert {r["values"]: r["counts"] for r in roles} == {"student": 8, "teacher": 2}
    assert set(batch.modes.values()) == {SyncMode.BULK}
    assert batch.deletes == {}


def test_extract_says_what_the_package_is(sample):
    extract, _ = sample
    assert extract.info["version"] == "1.1"
    assert extract.info["source_system"] == "ClassLink OneRoster"
    assert extract.info["manifest"]["users.csv"] == "bulk"
    assert extract.info["manifest"]["results.csv"] == "absent"
    assert extract.files["enrollments.csv"].rows == 24
    assert extract.files["enrollments.csv"].accepted == 24


def test_tables_match_the_model_schemas(sample):
    _, batch = sample
    for name, table in batch.tables.items():
        assert table.schema == arrow_schema(name), name


def test_normalized_values(sample):
    _, batch = sample
    people = {row["source_id"]: row for row in batch.tables["person"].to_pylist()}
    mary = people["604863"]
    assert (mary["role"], mary["grade"], mary["primary_school_source_id"]) == ("student", "09", "255901001")
    assert (mary["given_name"], mary["enabled"]) == ("Mary", True)
    assert people["207270"]["grade"] is None
    ids = batch.tables["person_identifier"].to_pylist()
    assert {"person_source_id": "604863", "id_type": "local", "value": "863"} in ids
    assert {"person_source_id": "605015", "id_type": "local", "value": "015"} in ids  # leading zero kept
    sections = {row["source_id"]: row for row in batch.tables["section"].to_pylist()}
    english = sections["25590100101Trad120ENG112011"]
    assert english["term_source_ids"] == "255901001_2021_2020-2021_Fall,255901001_2021_2020-2021_Spring"
    assert english["grades"] == "09"
    schools = {row["source_id"]: row for row in batch.tables["school"].to_pylist()}
    assert schools["255901001"]["org_type"] == "school"
    assert schools["255901001"]["parent_source_id"] == "255901"
    teacher_rows = batch.tables["enrollment"].filter(pc.equal(batch.tables["enrollment"]["role"], "teacher"))
    assert teacher_rows.num_rows == 4
    assert set(teacher_rows["is_primary"].to_pylist()) == {True}


def test_teacher_rows_with_a_19th_empty_cell_are_kept_with_one_warning(sample):
    extract, _ = sample
    [warning] = issues(extract, "trailing_empty_cells", "users.csv")
    assert warning.severity == "warning"
    assert warning.line == 10  # the first teacher row; the header is line 1
    assert "2 rows" in warning.reason
    assert extract.files["users.csv"].warnings["trailing_empty_cells"] == 2


def test_manifest_version_1_is_read_with_a_warning(sample):
    extract, _ = sample
    [warning] = issues(extract, "manifest_version", "manifest.csv")
    assert "'1'" in warning.reason


def test_metadata_extension_columns_are_kept(sample):
    extract, _ = sample
    orgs = extract.streams["orgs"]
    assert [c for c in orgs.column_names if c.startswith("metadata.")] == [
        "metadata.address1",
        "metadata.address2",
        "metadata.city",
        "metadata.postCode",
        "metadata.state",
    ]
    assert extract.files["orgs.csv"].warnings == {"extension_columns": 1}


def test_missing_final_newlines_are_noted(sample):
    extract, _ = sample
    noted = {i.file for i in issues(extract, "no_final_newline")}
    assert noted == {"courses.csv", "demographics.csv", "enrollments.csv", "users.csv"}
