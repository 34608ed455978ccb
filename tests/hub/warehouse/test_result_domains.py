"""Domain results go in one row per domain, are stored one row per test (result_domains, numbered slots)
and read back one row per domain through the domain_result view, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import select

from hub.connector import NormalizedBatch, SyncMode
from hub.model import SLOTS, SyncReject, arrow_schema, sql_table
from hub.warehouse import Warehouse, WarehouseError

DISTRICT = "test_district"
READ = ["source_id", "result_source_id", "vendor_domain", "canonical_domain", "scale_score", "standard_error"]
READ += ["placement", "grade_levels_below", "goal_adjective", "range_text"]


def domain(test: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"source_id": f"{test}:{name}", "result_source_id": test, "vendor_domain": name, **fields}


def delta(rows: list[dict[str, Any]]) -> NormalizedBatch:
    table = pa.Table.from_pylist(rows, schema=arrow_schema("domain_result"))
    return NormalizedBatch({"domain_result": table}, {"domain_result": SyncMode.DELTA})


def stored(warehouse: Warehouse) -> list[dict[str, Any]]:
    return warehouse.read("domain_result", DISTRICT, columns=READ).sort_by("source_id").to_pylist()


def full(row: dict[str, Any]) -> dict[str, Any]:
    return {column: row.get(column) for column in READ}


# Vendor order is not key order: MAP lists its goals by number, i-Ready its domains by its own list.
MAP_GOALS = [
    domain("r1", "Literature and Informational", canonical_domain="comprehension", scale_score=201.0,
           standard_error=4.1, goal_adjective="LoAvg", range_text="198-204"),
    domain("r1", "Foundational Skills", canonical_domain="phonics", scale_score=188.0, standard_error=5.0,
           goal_adjective="Low", range_text="185-191"),
    domain("r1", "Vocabulary", canonical_domain="vocabulary", goal_adjective="Avg"),
]  # fmt: skip
IREADY_DOMAINS = [
    domain("r2", "Phonics", canonical_domain="phonics", scale_score=412.0, placement="Grade 1",
           grade_levels_below=2),
    domain("r2", "Comprehension: Literature", canonical_domain=None, placement="Grade 3",
           grade_levels_below=0),
]  # fmt: skip


def test_one_row_per_test_in_vendor_order_read_back_per_domain(warehouse: Warehouse) -> None:
    summary = warehouse.apply(DISTRICT, "vendor", delta(MAP_GOALS + IREADY_DOMAINS))

    assert summary.result.changes["result_domains"].inserted == 2
    slots = sql_table("result_domains")
    wide = warehouse.query(
        select(slots.c.source_id, *(slots.c[f"d{slot}_vendor_domain"] for slot in (1, 2, 3)))
        .where(slots.c.district_id == DISTRICT)
        .order_by(slots.c.source_id)
    ).to_pylist()
    assert [list(row.values()) for row in wide] == [
        ["r1", "Literature and Informational", "Foundational Skills", "Vocabulary"],
        ["r2", "Phonics", "Comprehension: Literature", None],
    ]
    assert stored(warehouse) == sorted((full(row) for row in MAP_GOALS + IREADY_DOMAINS), key=str)


def test_view_filters_as_a_table_does(warehouse: Warehouse) -> None:
    warehouse.apply(DISTRICT, "vendor", delta(MAP_GOALS + IREADY_DOMAINS))
    view = sql_table("domain_result")
    behind = warehouse.read(
        "domain_result", DISTRICT, columns=["source_id"], where=view.c.grade_levels_below >= 1
    )
    assert behind.column("source_id").to_pylist() == ["r2:Phonics"]


def test_a_re_exported_test_replaces_its_whole_domain_set(warehouse: Warehouse) -> None:
    warehouse.apply(DISTRICT, "vendor", delta(MAP_GOALS + IREADY_DOMAINS))
    again = [domain("r1", "Foundational Skills", canonical_domain="phonics", scale_score=190.0)]

    summary = warehouse.apply(DISTRICT, "vendor", delta(again))

    # The goals the re-export no longer lists are gone (they stayed, before); the other test is untouched.
    assert stored(warehouse) == sorted([full(again[0]), *(full(row) for row in IREADY_DOMAINS)], key=str)
    assert summary.result.changes["result_domains"].updated == 1


def test_domains_past_the_last_slot_are_rejected_with_their_reason(warehouse: Warehouse) -> None:
    crowded = [domain("r9", f"Goal {n}", scale_score=float(n)) for n in range(1, SLOTS + 3)]

    summary = warehouse.apply(DISTRICT, "vendor", delta(crowded))

    assert [row["vendor_domain"] for row in stored(warehouse)] == sorted(f"Goal {n}" for n in range(1, 9))
    with warehouse.engine.connect() as connection:
        rejects = connection.execute(
            select(SyncReject.value, SyncReject.kind, SyncReject.severity, SyncReject.reason)
            .where(SyncReject.run_id == summary.run_id)
            .order_by(SyncReject.value)
        ).all()
    assert [(value, kind, severity) for value, kind, severity, _ in rejects] == [
        ("Goal 10", "too_many_domains", "reject"),
        ("Goal 9", "too_many_domains", "reject"),
    ]
    assert "test r9 has more than 8 domains" in rejects[0].reason


def test_a_domain_repeated_within_a_test_is_refused(warehouse: Warehouse) -> None:
    twice = [domain("r1", "Vocabulary"), {**domain("r1", "Vocabulary"), "source_id": "other"}]
    with pytest.raises(WarehouseError, match="1 duplicate key"):
        warehouse.apply(DISTRICT, "vendor", delta(twice))
    assert stored(warehouse) == []


def test_only_a_repeat_within_one_test_counts_as_a_duplicate(warehouse: Warehouse) -> None:
    shared = [domain("r1", "Vocabulary"), domain("r2", "Vocabulary"), domain("r1", "Phonics")]
    warehouse.apply(DISTRICT, "vendor", delta(shared))
    assert len(stored(warehouse)) == 3
    interleaved = [*shared, domain("r3", "Phonics"), {**domain("r1", "Phonics"), "source_id": "other"}]
    with pytest.raises(WarehouseError, match="1 duplicate key"):
        warehouse.apply(DISTRICT, "vendor", delta(interleaved))
