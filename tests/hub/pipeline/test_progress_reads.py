"""The progress step reads of ``progress_point`` only what it uses, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from hub.connector import NormalizedBatch, SyncMode
from hub.model import conform
from hub.pipeline.progress import stored_diagnostic_ids
from hub.progress.points import stale_ids
from hub.warehouse import Warehouse

IDS = [
    "diagnostic:iready:1",
    "diagnostic:map_2%",
    "mastery_check:s1:3",
    "xdiagnostic:4",
    "diagnostic_5",
    "DIAGNOSTIC:6",
]


def test_only_the_hubs_own_diagnostic_points_can_be_stale(warehouse: Warehouse) -> None:
    points = [
        {
            "source_id": source_id,
            "person_source_id": "s1",
            "subject": "math",
            "measure": "iready_scale",
            "observed_on": date(2025, 10, 1),
            "score": 420.0,
            "source": "iready",
        }
        for source_id in IDS
    ]
    batch = conform("progress_point", pa.Table.from_pylist(points))
    warehouse.apply(
        "test_district",
        "points",
        NormalizedBatch({"progress_point": batch}, {"progress_point": SyncMode.DELTA}),
    )
    stored = stored_diagnostic_ids(warehouse, "test_district")
    assert {"diagnostic:iready:1", "diagnostic:map_2%"} <= set(stored["source_id"].to_pylist())
    assert not {"mastery_check:s1:3", "xdiagnostic:4", "diagnostic_5"} & set(stored["source_id"].to_pylist())
    fresh = pa.table({"source_id": ["diagnostic:iready:1"]})
    assert stale_ids(stored, fresh) == ["diagnostic:map_2%"]
