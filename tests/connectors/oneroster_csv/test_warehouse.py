"""A bulk sync and then a delta through ``Warehouse.apply``, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from connectors.oneroster_csv import OneRosterCsvConfig, OneRosterCsvSource
from hub.warehouse import Warehouse
from tests.connectors.oneroster_csv.builders import roster_11

DISTRICT = "test_district"


def _sync(warehouse: Warehouse, path: Path, **guard):
    connector = OneRosterCsvSource(OneRosterCsvConfig(path=path))
    extract = connector.read()
    batch = connector.normalize(extract)
    return warehouse.apply(DISTRICT, connector.name, batch, extra_issues=extract.issues, **guard)


def _counts(warehouse: Warehouse) -> dict[str, int]:
    tables = ("school", "academic_session", "course", "section", "person", "enrollment", "demographics")
    return {name: warehouse.count(name, DISTRICT) for name in tables} | {
        "person_identifier": warehouse.count("person_identifier", DISTRICT, active_only=False),
        "person_role": warehouse.count("person_role", DISTRICT),
    }


def test_bulk_then_delta(warehouse: Warehouse, tmp_path: Path):
    bulk = roster_11()
    bulk["enrollments.csv"].set(4, classSourcedId="k9")  # rejected: no such class
    _sync(warehouse, bulk.write(tmp_path / "bulk.zip"))
    assert _counts(warehouse) == {
        "school": 2,
        "academic_session": 3,
        "course": 1,
        "section": 2,
        "person": 4,
        "enrollment": 4,
        "demographics": 3,
        # 5 per student (sourced_id, sis_id, username, email, local), 3 for the teacher
        "person_identifier": 18,
        "person_role": 4,
    }
    rejects = warehouse.read("sync_reject", DISTRICT)
    rows = [r for r in rejects.to_pylist() if r["severity"] == "reject"]
    assert [(r["file"], r["line"], r["kind"]) for r in rows] == [("enrollments.csv", 6, "missing_reference")]

    delta = roster_11("delta")
    for name in ("orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv", "demographics.csv"):
        del delta[name]
        delta.set_mode(name.removesuffix(".csv"), "absent")
    users, enrollments = delta["users.csv"], delta["enrollments.csv"]
    users.set(1, status="tobedeleted")  # st2 leaves
    users.set(0, givenName="Samantha")  # st1 changes
    users.rows = users.rows[:2]
    users.add(
        sourcedId="st4", status="active", dateLastModified="2025-01-11T10:00:00.000Z", enabledUser="true"
    )
    users.set(-1, orgSourcedIds="s1", role="student", username="student4", givenName="Nia", familyName="New")
    enrollments.set(1, status="inactive")  # e2, st2's
    enrollments.rows = enrollments.rows[1:2]
    enrollments.add(sourcedId="e9", status="active", dateLastModified="2025-01-11T10:00:00.000Z")
    enrollments.set(-1, classSourcedId="k2", schoolSourcedId="s1", userSourcedId="st4", role="student")
    summary = _sync(warehouse, delta.write(tmp_path / "delta.zip"), max_delete_fraction=0.5)
    assert summary.result.changes["person"].deleted == 1
    counts = _counts(warehouse)
    assert (counts["person"], counts["enrollment"], counts["section"]) == (4, 4, 2)
    # st2's five ids go with st2; st4 brings sourced_id and username
    assert counts["person_identifier"] == 18 - 5 + 2
    people = {row["source_id"]: row for row in warehouse.read("person", DISTRICT).to_pylist()}
    assert sorted(people) == ["st1", "st3", "st4", "te1"]
    assert people["st1"]["given_name"] == "Samantha"
    assert people["st4"]["role"] == "student"
    deleted = warehouse.read("person", DISTRICT, active_only=False).to_pylist()
    assert [row["status"] for row in deleted if row["source_id"] == "st2"] == ["deleted"]
