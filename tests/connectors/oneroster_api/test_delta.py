"""Incremental reads: the first read is bulk; with delta on, later ones ask for what changed since the
cursor kept in next_state, and read it as a CSV delta (upserts, tobedeleted as deletions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.connector import SyncMode

FIRST = "2025-08-01T00:00:00.000Z"  # what the writer stamps every object with
LATER = "2025-09-01T10:15:30.250Z"


def test_the_second_read_asks_for_changes_since_the_cursor(serve, make_source):
    fake = serve()
    source = make_source(fake, delta=True)
    first = source.read(None)
    assert all("filter" not in query for _, query in fake.queries)
    assert set(first.info["manifest"].values()) == {"bulk"}
    state = source.next_state(first, None)
    assert state["cursors"] == dict.fromkeys(fake.data, FIRST)

    renamed, dropped = fake.data["users"][0], fake.data["enrollments"][3]
    renamed.update(givenName="Renamed", dateLastModified=LATER)
    dropped.update(status="tobedeleted", dateLastModified=LATER)
    fake.queries.clear()
    second = source.read(state)

    assert {query.get("filter") for _, query in fake.queries} == {f"dateLastModified>'{FIRST}'"}
    assert {collection for collection, _ in fake.queries} == set(fake.data)
    assert set(second.info["manifest"].values()) == {"delta"}
    assert second.streams["users"].num_rows == 1 and second.streams["orgs"].num_rows == 0
    batch = source.normalize(second)
    assert batch.modes["person"] is SyncMode.DELTA
    assert batch.tables["person"].column("given_name").to_pylist() == ["Renamed"]
    assert batch.deletes["enrollment"] == [dropped["sourcedId"]]

    after = source.next_state(second, state)
    assert after["cursors"] == {**state["cursors"], "users": LATER, "enrollments": LATER}


def test_without_delta_every_read_is_bulk(serve, make_source):
    fake = serve()
    source = make_source(fake)
    state = source.next_state(source.read(None), None)  # cursors are kept all the same, for later
    assert state["cursors"]["users"] == FIRST
    second = source.read(state)
    assert all("filter" not in query for _, query in fake.queries)
    assert second.streams["users"].num_rows == len(fake.data["users"])


def test_cursors_from_another_service_are_not_used(serve, make_source):
    fake = serve()
    source = make_source(fake, delta=True)
    state = {"api": "https://old-sis.example.org/ims/oneroster/rostering/v1p2", "cursors": {"users": FIRST}}
    extract = source.read(state)
    assert extract.info["manifest"]["users"] == "bulk"
    assert source.next_state(extract, state)["api"] == source.config.api_root


def test_the_cursor_never_passes_the_services_clock(serve, make_source):
    """An object stamped in the future (a clock off, or a change while the walk went on) must not move the
    cursor past the time the walk began, or changes made meanwhile would be skipped for ever."""
    fake = serve()
    fake.data["classes"][0]["dateLastModified"] = "2099-01-01T00:00:00.000Z"
    source = make_source(fake, delta=True)
    cursor = source.next_state(source.read(None), None)["cursors"]["classes"]
    moment = datetime.fromisoformat(cursor)
    assert moment <= datetime.now(UTC) and moment > datetime.now(UTC) - timedelta(minutes=5)
