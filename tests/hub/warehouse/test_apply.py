"""Warehouse.apply on SQLite and PostgreSQL: bulk, delta, the deletion guard, atomicity, fingerprints."""

from __future__ import annotations

import pyarrow as pa
import pytest

from hub.connector import Issue, NormalizedBatch, SyncMode
from hub.model import SyncReject, SyncRun
from hub.warehouse import DeletionGuardError, Warehouse, WarehouseError

DISTRICT = "test_district"


def people(ids: range, role: str = "student", name: str = "Ana") -> pa.Table:
    return pa.table(
        {
            "source_id": [f"{role}-{i}" for i in ids],
            "role": [role] * len(ids),
            "given_name": [name] * len(ids),
            "enabled": [True] * len(ids),
        }
    )


def enrollments(ids: range) -> pa.Table:
    return pa.table(
        {
            "source_id": [f"enr-{i}" for i in ids],
            "section_source_id": ["sec-1"] * len(ids),
            "person_source_id": [f"student-{i}" for i in ids],
            "role": ["student"] * len(ids),
        }
    )


def bulk(**tables: pa.Table) -> NormalizedBatch:
    return NormalizedBatch(tables=dict(tables), modes={name: SyncMode.BULK for name in tables})


def active_ids(warehouse: Warehouse, table: str) -> set[str]:
    return set(warehouse.read(table, DISTRICT).column("source_id").to_pylist())


def test_bulk_then_delta_upserts_and_deletes(warehouse: Warehouse) -> None:
    warehouse.apply(DISTRICT, "roster", bulk(person=people(range(20)), enrollment=enrollments(range(20))))
    delta = NormalizedBatch(
        tables={"person": people(range(18, 22), name="Bea")},
        modes={"person": SyncMode.DELTA},
        deletes={"person": ["student-0"]},
    )
    summary = warehouse.apply(DISTRICT, "roster", delta)
    change = summary.result.changes["person"]
    assert (change.inserted, change.updated, change.deleted) == (2, 2, 1)
    assert active_ids(warehouse, "person") == {f"student-{i}" for i in range(1, 22)}
    names = dict(
        zip(*warehouse.read("person", DISTRICT).select(["source_id", "given_name"]).columns, strict=True)
    )
    assert names[pa.scalar("student-19")] == pa.scalar("Bea") and names[pa.scalar("student-5")] == pa.scalar(
        "Ana"
    )


def test_bulk_after_delta_removes_what_is_missing(warehouse: Warehouse) -> None:
    warehouse.apply(DISTRICT, "roster", bulk(person=people(range(30))))
    warehouse.apply(
        DISTRICT, "roster", NormalizedBatch({"person": people(range(30, 32))}, {"person": SyncMode.DELTA})
    )
    summary = warehouse.apply(DISTRICT, "roster", bulk(person=people(range(1, 32))))
    assert summary.result.changes["person"].deleted == 1
    assert "student-0" not in active_ids(warehouse, "person")
    assert (
        warehouse.count("person", DISTRICT, active_only=False) == 32
    )  # removed rows are kept, marked deleted


def test_deletion_guard_refuses_before_any_change(warehouse: Warehouse) -> None:
    warehouse.apply(DISTRICT, "roster", bulk(person=people(range(100)), enrollment=enrollments(range(100))))
    shrunk = bulk(person=people(range(85), name="Changed"), enrollment=enrollments(range(100)))
    with pytest.raises(DeletionGuardError) as refusal:
        warehouse.apply(DISTRICT, "roster", shrunk, max_delete_fraction=0.10)
    message = str(refusal.value)
    assert "15 of 100 active students (15.0%)" in message and "--allow-deletions" in message
    assert warehouse.count("person", DISTRICT) == 100
    assert "Changed" not in set(warehouse.read("person", DISTRICT).column("given_name").to_pylist())
    with warehouse.engine.connect() as connection:
        outcomes = [row.outcome for row in connection.execute(SyncRun.__table__.select())]
    assert outcomes == ["committed", "refused"]


def test_deletion_guard_override_and_small_removals(warehouse: Warehouse) -> None:
    warehouse.apply(DISTRICT, "roster", bulk(person=people(range(100))))
    warehouse.apply(DISTRICT, "roster", bulk(person=people(range(95))))  # 5 % is under the default 10 %
    assert warehouse.count("person", DISTRICT) == 95
    warehouse.apply(DISTRICT, "roster", bulk(person=people(range(10))), allow_deletions=True)
    assert warehouse.count("person", DISTRICT) == 10


def test_teachers_are_guarded_separately(warehouse: Warehouse) -> None:
    roster = pa.concat_tables([people(range(200)), people(range(10), role="teacher")])
    warehouse.apply(DISTRICT, "roster", bulk(person=roster))
    without_teachers = pa.concat_tables([people(range(200)), people(range(5), role="teacher")])
    with pytest.raises(DeletionGuardError, match="5 of 10 active teachers"):
        warehouse.apply(DISTRICT, "roster", bulk(person=without_teachers))


def test_tutors_and_every_other_role_are_guarded(warehouse: Warehouse) -> None:
    roster = pa.concat_tables([people(range(200)), people(range(6), role="aide")])
    warehouse.apply(DISTRICT, "roster", bulk(person=roster))
    with pytest.raises(DeletionGuardError, match="6 of 6 active aides"):
        warehouse.apply(DISTRICT, "roster", bulk(person=people(range(200))))
    tutors = pa.table(
        {
            "source_id": [f"tutor-{i}" for i in range(8)],
            "subjects": ["math"] * 8,
            "max_groups": [3] * 8,
        }
    )
    warehouse.apply(DISTRICT, "sessions", bulk(tutor_profile=tutors))
    with pytest.raises(DeletionGuardError, match="8 of 8 active tutor profiles") as refusal:
        warehouse.apply(DISTRICT, "sessions", bulk(tutor_profile=tutors.slice(0, 0)))
    assert "--allow-deletions" in str(refusal.value)
    assert warehouse.count("tutor_profile", DISTRICT) == 8


def test_failure_mid_apply_leaves_previous_state(warehouse: Warehouse) -> None:
    warehouse.apply(DISTRICT, "roster", bulk(person=people(range(10)), enrollment=enrollments(range(10))))
    # person stages and upserts fine; the enrollment table then breaks a NOT NULL column mid-apply.
    broken = enrollments(range(10)).set_column(3, "role", pa.nulls(10, pa.string()))
    batch = bulk(person=people(range(10), name="Zed"), enrollment=broken)
    with pytest.raises(Exception, match=r"(?i)null"):
        warehouse.apply(DISTRICT, "roster", batch)
    assert set(warehouse.read("person", DISTRICT).column("given_name").to_pylist()) == {"Ana"}
    assert set(warehouse.read("enrollment", DISTRICT).column("role").to_pylist()) == {"student"}


def test_duplicate_keys_are_refused(warehouse: Warehouse) -> None:
    doubled = pa.concat_tables([people(range(3)), people(range(1))])
    with pytest.raises(
        WarehouseError, match="person: the batch repeats a key"
    ):  # first load: the key says so
        warehouse.apply(DISTRICT, "roster", bulk(person=doubled))
    assert warehouse.count("person", DISTRICT) == 0
    warehouse.apply(DISTRICT, "roster", bulk(person=people(range(3))))
    with pytest.raises(WarehouseError, match="1 duplicate key"):  # later loads: checked before staging
        warehouse.apply(DISTRICT, "roster", bulk(person=doubled))
    assert warehouse.count("person", DISTRICT) == 3


def test_unchanged_tables_are_skipped_by_fingerprint(warehouse: Warehouse) -> None:
    batch = bulk(person=people(range(50)), enrollment=enrollments(range(50)))
    warehouse.apply(DISTRICT, "roster", batch)
    again = warehouse.apply(DISTRICT, "roster", batch)
    assert all(change.skipped_unchanged for change in again.result.changes.values())
    changed = warehouse.apply(
        DISTRICT, "roster", bulk(person=people(range(50), name="New"), enrollment=enrollments(range(50)))
    )
    assert changed.result.changes["person"].updated == 50
    assert changed.result.changes["enrollment"].skipped_unchanged


def test_child_identifiers_replace_as_a_set(warehouse: Warehouse) -> None:
    ids = pa.table(
        {
            "person_source_id": ["student-1", "student-1", "student-2"],
            "id_type": ["sis_id", "username", "sis_id"],
            "value": ["1", "u1", "2"],
        }
    )
    warehouse.apply(DISTRICT, "roster", bulk(person=people(range(1, 3)), person_identifier=ids))
    delta_ids = pa.table({"person_source_id": ["student-1"], "id_type": ["sis_id"], "value": ["1b"]})
    warehouse.apply(
        DISTRICT,
        "roster",
        NormalizedBatch({"person_identifier": delta_ids}, {"person_identifier": SyncMode.DELTA}),
    )
    rows = warehouse.read("person_identifier", DISTRICT).to_pylist()
    assert sorted((r["person_source_id"], r["id_type"], r["value"]) for r in rows) == [
        ("student-1", "sis_id", "1b"),
        ("student-2", "sis_id", "2"),
    ]


def test_rejects_are_stored_with_file_line_column_reason(warehouse: Warehouse) -> None:
    issue = Issue("users.csv", 7, "role", "wizard", "vocabulary", "role 'wizard' is not a OneRoster role")
    summary = warehouse.apply(DISTRICT, "roster", bulk(person=people(range(3))), extra_issues=[issue])
    with warehouse.engine.connect() as connection:
        stored = connection.execute(SyncReject.__table__.select()).one()
    assert (stored.run_id, stored.file, stored.line, stored.column, stored.value) == (
        summary.run_id,
        "users.csv",
        7,
        "role",
        "wizard",
    )
    assert stored.reason.startswith("role 'wizard'") and stored.severity == "reject"


def test_districts_never_see_each_other(warehouse: Warehouse) -> None:
    warehouse.register_district("other", "Other", "America/Denver")
    warehouse.apply(DISTRICT, "roster", bulk(person=people(range(5))))
    warehouse.apply("other", "roster", bulk(person=people(range(3), name="Otto")))
    warehouse.apply("other", "roster", bulk(person=people(range(1), name="Otto")), allow_deletions=True)
    assert warehouse.count("person", DISTRICT) == 5
    assert set(warehouse.read("person", DISTRICT).column("given_name").to_pylist()) == {"Ana"}


def test_typed_round_trip(warehouse: Warehouse) -> None:
    import datetime as dt

    table = pa.table(
        {
            "source_id": ["enr-1"],
            "section_source_id": ["sec-1"],
            "person_source_id": ["student-1"],
            "role": ["student"],
            "is_primary": [False],
            "begin_date": [dt.date(2025, 8, 18)],
            "source_modified_at": pa.array(
                [dt.datetime(2025, 8, 1, 12, 30, tzinfo=dt.UTC)], pa.timestamp("us", tz="UTC")
            ),
        }
    )
    warehouse.apply(DISTRICT, "roster", bulk(enrollment=table))
    [row] = warehouse.read("enrollment", DISTRICT).to_pylist()
    assert row["begin_date"] == dt.date(2025, 8, 18) and row["is_primary"] is False
    assert row["source_modified_at"] == dt.datetime(2025, 8, 1, 12, 30, tzinfo=dt.UTC)


def test_patch_changes_only_the_columns_given_of_stored_rows(warehouse: Warehouse) -> None:
    warehouse.apply(DISTRICT, "roster", bulk(person=people(range(4))))
    names = pa.table(
        {"source_id": ["student-1", "student-2", "student-9"], "given_name": ["Bea", "Ana", "Zed"]}
    )
    summary = warehouse.apply(DISTRICT, "fix", NormalizedBatch({"person": names}, {"person": SyncMode.PATCH}))
    change = summary.result.changes["person"]
    assert (change.rows, change.inserted, change.updated, change.deleted) == (3, 0, 1, 0)
    stored = warehouse.read("person", DISTRICT).sort_by("source_id")
    assert stored.column("source_id").to_pylist() == [f"student-{i}" for i in range(4)]  # student-9 not made
    assert stored.column("given_name").to_pylist() == ["Ana", "Bea", "Ana", "Ana"]
    assert set(stored.column("role").to_pylist()) == {"student"}  # columns not given are kept


def test_patch_without_a_column_to_change_is_refused(warehouse: Warehouse) -> None:
    warehouse.apply(DISTRICT, "roster", bulk(person=people(range(2))))
    keys_only = NormalizedBatch(
        {"person": pa.table({"source_id": ["student-1"]})}, {"person": SyncMode.PATCH}
    )
    with pytest.raises(WarehouseError, match="patch must name a column"):
        warehouse.apply(DISTRICT, "fix", keys_only)


def test_read_narrows_columns_and_rows_in_sql(warehouse: Warehouse) -> None:
    from hub.model import sql_table

    everyone = pa.concat_tables([people(range(3)), people(range(2), role="teacher")])
    warehouse.apply(DISTRICT, "roster", bulk(person=everyone))
    person = sql_table("person")
    teachers = warehouse.read(
        "person", DISTRICT, columns=["source_id", "role"], where=person.c.role == "teacher"
    )
    assert teachers.column_names == ["source_id", "role"]
    assert sorted(teachers.column("source_id").to_pylist()) == ["teacher-0", "teacher-1"]


def test_constant_and_varying_columns_load_alike(warehouse: Warehouse) -> None:
    """A first load binds varying columns and writes constant ones (a quote included) into the SQL."""
    rows = pa.table(
        {
            "source_id": ["student-1", "student-2", "student-3"],
            "role": ["student"] * 3,
            "family_name": ["O'Neil"] * 3,
            "given_name": ["Ana", None, "Cy"],
            "enabled": [True] * 3,
        }
    )
    warehouse.apply(DISTRICT, "roster", bulk(person=rows))
    stored = warehouse.read("person", DISTRICT).sort_by("source_id")
    assert stored.column("family_name").to_pylist() == ["O'Neil"] * 3
    assert stored.column("given_name").to_pylist() == ["Ana", None, "Cy"]
    assert stored.column("enabled").to_pylist() == [True] * 3
    assert stored.column("middle_name").to_pylist() == [None] * 3


def test_nul_characters_from_any_source_load_the_same_on_both_warehouses(warehouse: Warehouse) -> None:
    roster = people(range(3), name="A\x00na")
    summary = warehouse.apply(DISTRICT, "roster", bulk(person=roster))
    assert set(warehouse.read("person", DISTRICT).column("given_name").to_pylist()) == {"Ana"}
    [warning] = summary.result.issues
    assert (warning.file, warning.column, warning.kind, warning.severity) == (
        "person",
        "given_name",
        "nul_bytes",
        "warning",
    )
    assert "3 value(s)" in warning.reason
