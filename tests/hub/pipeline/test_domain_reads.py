"""A boundary's exits read the domain results of the tests they weigh from the stored rows, by key, on
SQLite and PostgreSQL alike: the same rows the view ``domain_result`` gives for those tests, however many
tests a read names, and only the district's active ones."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from hub.connector import NormalizedBatch, SyncMode
from hub.model import arrow_schema
from hub.pipeline import domain_reads
from hub.pipeline.domain_reads import StoredDomains
from hub.tutoring.domain_evidence import DOMAIN_COLUMNS, HeldDomains
from hub.warehouse import Warehouse

DISTRICT = "test_district"


def _domain(test: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"source_id": f"{test}:{name}", "result_source_id": test, "vendor_domain": name, **fields}


def _apply(warehouse: Warehouse, district: str, rows: list[dict[str, Any]], mode: SyncMode) -> None:
    table = pa.Table.from_pylist(rows, schema=arrow_schema("domain_result"))
    batch = NormalizedBatch({"domain_result": table}, {"domain_result": mode})
    warehouse.apply(district, "vendor", batch, max_delete_fraction=1.0)


def _tests(count: int) -> list[dict[str, Any]]:
    """``count`` tests of one to eight domains each (a full test fills every slot), with every field an
    exit reads set on some and empty on others."""
    rows = []
    for number in range(count):
        for slot in range(number % 8 + 1):
            rows.append(
                _domain(
                    f"t{number}",
                    f"Domain {slot}",
                    canonical_domain=None if slot == 2 else f"skill_{slot}",
                    grade_levels_below=None if number % 3 == 0 else (number + slot) % 4,
                    goal_adjective="LoAvg" if number % 2 else None,
                    placement=f"Grade {slot}" if number % 2 == 0 else None,
                )
            )
    return rows


def _sorted(rows: pa.Table) -> list[tuple]:
    return sorted((tuple(row.values()) for row in rows.to_pylist()), key=repr)


@pytest.mark.parametrize("per_read", [1, 2, 5_000])
def test_a_boundary_reads_its_tests_domains_as_the_view_gives_them(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, per_read: int
) -> None:
    warehouse.register_district("other_district", "Other", "America/Chicago")
    _apply(warehouse, DISTRICT, _tests(16), SyncMode.DELTA)
    # again whole: t5 with one domain fewer and another changed, t7 no longer exported (taken back)
    again = [
        row for row in _tests(16) if row["result_source_id"] != "t7" and row["source_id"] != "t5:Domain 0"
    ]
    next(row for row in again if row["result_source_id"] == "t5")["grade_levels_below"] = 3
    _apply(warehouse, DISTRICT, again, SyncMode.BULK)
    _apply(warehouse, "other_district", [_domain("t1", "Elsewhere", grade_levels_below=2)], SyncMode.DELTA)
    monkeypatch.setattr(domain_reads, "TESTS_PER_READ", per_read)
    stored = StoredDomains(warehouse, DISTRICT)
    whole = HeldDomains(warehouse.read("domain_result", DISTRICT))
    weighed = pa.array(["t1", "t5", "t7", "t8", "t11", "t15", "absent"])

    read = stored.of(weighed)

    assert read.schema == arrow_schema("domain_result").empty_table().select(DOMAIN_COLUMNS).schema
    assert _sorted(read) == _sorted(whole.of(weighed))
    assert sorted(set(read["result_source_id"].to_pylist())) == ["t1", "t11", "t15", "t5", "t8"]
    assert read.num_rows == 2 + (6 - 1) + 1 + 4 + 8  # t1, t5 less one, t8, t11, t15 in every slot
    assert stored.of(pa.array([], pa.string())).num_rows == 0 == whole.of(pa.array([], pa.string())).num_rows
