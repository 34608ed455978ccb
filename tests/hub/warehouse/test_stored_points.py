"""A point handed in under a mastery check's id is refused with its reason: the view ``progress_point``
shows the session logs' checks under those ids, and one key must name one point."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
from sqlalchemy import select

from hub.connector import NormalizedBatch, SyncMode
from hub.model import sql_table
from hub.warehouse import Warehouse

DISTRICT = "test_district"


def test_a_point_under_a_check_s_id_is_refused_and_the_rest_kept(warehouse: Warehouse) -> None:
    points = pa.table(
        {
            "source_id": ["csv:s1:orf:2026-01-05", "mastery_check:sess-1:s1"],
            "person_source_id": ["s1", "s1"],
            "measure": ["orf_wcpm", "mastery_check"],
            "observed_on": [date(2026, 1, 5), date(2026, 1, 6)],
            "score": [88.0, 75.0],
            "source": ["progress_csv", "progress_csv"],
        }
    )
    applied = warehouse.apply(
        DISTRICT, "progress", NormalizedBatch({"progress_point": points}, {"progress_point": SyncMode.DELTA})
    )
    kept = warehouse.read("progress_point", DISTRICT, columns=["source_id", "score"])
    assert kept.to_pylist() == [{"source_id": "csv:s1:orf:2026-01-05", "score": 88.0}]
    [issue] = applied.result.issues
    assert (issue.kind, issue.column, issue.value) == (
        "reserved_point_id",
        "source_id",
        "mastery_check:sess-1:s1",
    )
    rejects = sql_table("sync_reject")
    stored = warehouse.query(
        select(rejects.c.kind, rejects.c.value).where(rejects.c.run_id == applied.run_id)
    ).to_pylist()
    assert stored == [{"kind": "reserved_point_id", "value": "mastery_check:sess-1:s1"}]
