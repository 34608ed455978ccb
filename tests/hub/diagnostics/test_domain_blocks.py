"""Results and their domains handed in blocks (``NormalizedBatch.blocks``) store what the whole batch does,
on SQLite and PostgreSQL: a first load, then upserts (a test's domain set replaced, a new test added);
and a block that fails the apply leaves nothing of any block applied."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pytest

from hub.connector import NormalizedBatch, SyncMode
from hub.warehouse import Warehouse, WarehouseError

WHOLE, BLOCKS = "test_district", "blocks_district"
OPERATIONS = {"district_id", "synced_at", "sync_run_id", "created_run_id", "updated_run_id"}
MODES = {"assessment_result": SyncMode.DELTA, "domain_result": SyncMode.DELTA}


def stored(warehouse: Warehouse, table: str, district: str) -> list[dict]:
    rows = warehouse.read(table, district, active_only=False)
    kept = rows.drop_columns([name for name in rows.column_names if name in OPERATIONS])
    return sorted(kept.to_pylist(), key=lambda row: row["source_id"])


def scored(
    make_results: Callable[..., pa.Table], make_domains: Callable[..., pa.Table], scores: dict[str, int]
) -> tuple[pa.Table, pa.Table]:
    """A test per id with that scale score; each has two domains, of which r1's second only below 500."""
    results = make_results(
        [{"source_id": r, "vendor_student_id": r[1:], "scale_score": float(s)} for r, s in scores.items()]
    )
    domains = make_domains(
        [
            {"result_source_id": r, "vendor_domain": domain, "scale_score": float(s)}
            for r, s in scores.items()
            for domain in ("Phonics", "Vocabulary")
            if not (r == "r1" and domain == "Vocabulary" and s >= 500)
        ]
    )
    return results, domains


def in_blocks(results: pa.Table, domains: pa.Table, size: int) -> list[dict[str, pa.Table]]:
    """Blocks of ``size`` tests, each with its tests' domains."""
    blocks = []
    for start in range(0, results.num_rows, size):
        part = results.slice(start, size)
        ids = set(part["source_id"].to_pylist())
        mine = pa.array([r in ids for r in domains["result_source_id"].to_pylist()])
        blocks.append({"assessment_result": part, "domain_result": domains.filter(mine)})
    return blocks


def apply_both(warehouse: Warehouse, results: pa.Table, domains: pa.Table) -> None:
    tables = {"assessment_result": results, "domain_result": domains}
    warehouse.apply(WHOLE, "iready", NormalizedBatch(tables, MODES))
    warehouse.apply(BLOCKS, "iready", NormalizedBatch({}, MODES, blocks=in_blocks(results, domains, 2)))


def test_domains_handed_in_blocks_store_what_the_whole_batch_does(
    warehouse: Warehouse, make_results: Callable[..., pa.Table], make_domains: Callable[..., pa.Table]
) -> None:
    warehouse.register_district(BLOCKS, "Blocks", "America/Chicago")
    apply_both(warehouse, *scored(make_results, make_domains, {"r1": 480, "r2": 510, "r3": 530, "r4": 470}))
    # r1's Vocabulary gone, r2 rescored, r5 new: upserts from the stages, a test's domains replaced whole
    apply_both(warehouse, *scored(make_results, make_domains, {"r1": 520, "r2": 515, "r5": 490}))
    for table in ("assessment_result", "result_domains", "domain_result"):
        assert stored(warehouse, table, BLOCKS) == stored(warehouse, table, WHOLE), table
    domains = stored(warehouse, "domain_result", BLOCKS)
    assert [row["vendor_domain"] for row in domains if row["result_source_id"] == "r1"] == ["Phonics"]
    assert len(stored(warehouse, "result_domains", BLOCKS)) == 5


def test_a_block_that_fails_leaves_nothing_of_the_batch_applied(
    warehouse: Warehouse, make_results: Callable[..., pa.Table], make_domains: Callable[..., pa.Table]
) -> None:
    warehouse.register_district(BLOCKS, "Blocks", "America/Chicago")
    results, domains = scored(make_results, make_domains, {"r1": 480, "r2": 510})
    warehouse.apply(BLOCKS, "iready", NormalizedBatch({}, MODES, blocks=in_blocks(results, domains, 1)))
    before = {table: stored(warehouse, table, BLOCKS) for table in ("assessment_result", "result_domains")}

    results, domains = scored(make_results, make_domains, {"r1": 520, "r3": 530, "r4": 540, "r5": 550})
    blocks = in_blocks(results, domains, 1)
    again, _ = scored(make_results, make_domains, {"r3": 999})  # the last block repeats r3, otherwise
    blocks.append({"assessment_result": again, "domain_result": domains.slice(0, 0)})
    with pytest.raises(WarehouseError, match="duplicate key"):
        warehouse.apply(BLOCKS, "iready", NormalizedBatch({}, MODES, blocks=blocks))
    for table, rows in before.items():
        assert stored(warehouse, table, BLOCKS) == rows, table
