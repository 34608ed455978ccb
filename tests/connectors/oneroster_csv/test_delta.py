"""Delta packages: upserts and explicit deletions, references that may point into the warehouse."""

from __future__ import annotations

from hub.connector import SyncMode
from tests.connectors.oneroster_csv.builders import HEADERS, CsvFile, roster_11
from tests.connectors.oneroster_csv.reading import issues, source

WHEN = "2025-02-01T09:00:00.000Z"


def _delta(files: dict[str, list[dict[str, str]]]):
    """A delta package carrying only ``files`` (stem -> rows), every other file absent."""
    package = roster_11()
    for name in list(package):
        if name != "manifest.csv":
            del package[name]
    for stem in ("orgs", "academicSessions", "courses", "classes", "users", "enrollments", "demographics"):
        package.set_mode(stem, "absent")
    for stem, rows in files.items():
        csv = CsvFile(list(HEADERS[f"{stem}.csv"]))
        for row in rows:
            csv.add(**{"status": "active", "dateLastModified": WHEN, **row})
        package[f"{stem}.csv"] = csv
        package.set_mode(stem, "delta")
    return package


ST4 = {
    "sourcedId": "st4",
    "enabledUser": "true",
    "orgSourcedIds": "s1",
    "role": "student",
    "username": "student4",
    "givenName": "Nia",
    "familyName": "New",
    "grades": "10",
}


def test_delta_upserts_and_deletes(read_roster):
    package = _delta(
        {
            "users": [ST4, {"sourcedId": "st2", "status": "tobedeleted"}],
            "enrollments": [
                {"sourcedId": "e9", "classSourcedId": "k1", "schoolSourcedId": "s1", "userSourcedId": "st4"}
                | {"role": "student"},
                {"sourcedId": "e2", "status": "Inactive"},
            ],
        }
    )
    extract = read_roster(package)
    assert [i for i in extract.issues if i.severity == "reject"] == []
    batch = source().normalize(extract)
    assert batch.modes["person"] is SyncMode.DELTA
    assert batch.modes["enrollment"] is SyncMode.DELTA
    assert batch.tables["person"]["source_id"].to_pylist() == ["st4"]
    assert batch.tables["enrollment"]["source_id"].to_pylist() == ["e9"]
    assert batch.deletes["person"] == ["st2"]
    assert batch.deletes["enrollment"] == ["e2"]
    assert batch.tables["person"]["source_modified_at"][0].as_py().isoformat() == "2025-02-01T09:00:00+00:00"
    [inactive] = issues(extract, "status_inactive", "enrollments.csv")
    assert inactive.line == 3


def test_delta_references_to_rows_not_in_the_package_only_warn(read_roster):
    """k1 and s1 are not in this package; the warehouse may well have them."""
    package = _delta(
        {
            "enrollments": [
                {"sourcedId": "e9", "classSourcedId": "k1", "schoolSourcedId": "s1", "userSourcedId": "st4"}
                | {"role": "student"}
            ],
            "users": [ST4],
        }
    )
    extract = read_roster(package)
    assert [i for i in extract.issues if i.severity == "reject"] == []
    assert {i.column for i in issues(extract, "unresolved_reference", "enrollments.csv")} <= {
        "classSourcedId",
        "schoolSourcedId",
    }
    assert extract.streams["enrollments"].num_rows == 1


def test_bulk_file_referencing_a_delta_file_only_warns(read_roster):
    package = roster_11("delta")
    package.set_mode("enrollments", "bulk")
    package["enrollments.csv"].set(0, userSourcedId="st-old")
    extract = read_roster(package)
    [warning] = issues(extract, "unresolved_reference", "enrollments.csv")
    assert "it may already be in the warehouse" in warning.reason
    assert extract.streams["enrollments"].num_rows == 5


def test_delta_rows_without_status_or_date_are_rejected(read_roster):
    package = roster_11("delta")
    package["courses.csv"].set(0, status="")
    package["enrollments.csv"].set(2, dateLastModified="")
    extract = read_roster(package)
    rejects = issues(extract, "missing_lifecycle")
    assert [(i.file, i.line) for i in rejects] == [("courses.csv", 2), ("enrollments.csv", 4)]
    assert "status and dateLastModified" in rejects[0].reason


def test_a_deletion_needs_only_its_sourced_id(read_roster):
    package = _delta({"classes": [{"sourcedId": "k2", "status": "tobedeleted"}]})
    extract = read_roster(package)
    assert extract.issues == []
    batch = source().normalize(extract)
    assert batch.deletes == {"section": ["k2"]}
    assert batch.tables["section"].num_rows == 0


def test_an_upsert_pointing_at_a_row_the_package_deletes_is_rejected(read_roster):
    package = roster_11("delta")
    package["classes.csv"].set(1, status="tobedeleted")
    extract = read_roster(package)
    rejects = issues(extract, "missing_reference", "enrollments.csv")
    assert [i.line for i in rejects] == [4, 6]
    assert "this package deletes" in rejects[0].reason


def test_deleting_a_1_1_user_deletes_their_org_roles(read_roster):
    package = _delta({"users": [{**ST4, "sourcedId": "st1", "status": "tobedeleted"}]})
    batch = source().normalize(read_roster(package))
    assert batch.deletes["person"] == ["st1"]
    assert batch.deletes["person_role"] == ["st1:s1:student"]
