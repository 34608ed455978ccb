"""The progress step reads of ``progress_point`` only what it uses, on SQLite and PostgreSQL alike: the
stored points' diagnostic ids, and its students' points as the view shows them."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from hub.connector import NormalizedBatch, SyncMode
from hub.model import conform
from hub.pipeline.point_reads import tutored_points
from hub.pipeline.progress import stored_diagnostic_ids
from hub.progress.points import stale_ids
from hub.progress.series import COLUMNS
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


def _apply(warehouse: Warehouse, connector: str, tables: dict[str, list[dict]]) -> None:
    batch = {name: conform(name, pa.Table.from_pylist(rows)) for name, rows in tables.items()}
    warehouse.apply("test_district", connector, NormalizedBatch(batch, dict.fromkeys(batch, SyncMode.DELTA)))


def test_the_steps_points_are_the_views_rows_in_the_views_order(warehouse: Warehouse) -> None:
    sessions = [
        {"source_id": f"s{n}", "session_date": date(2025, 10, n), "minutes": 30,
         "tutor_person_source_id": "t", "subject": "ela", "canonical_domain": "phonics" if n % 2 else None}
        for n in (3, 1, 2)
    ]  # fmt: skip
    attendance = [
        {"source_id": f"s{n}:{who}", "session_source_id": f"s{n}", "person_source_id": who,
         "attendance": "present", "minutes_present": 30, "mastery_percent": percent}
        for n, who, percent in [(3, "p2", 50.0), (1, "p1", 75.0), (2, "p1", None), (2, "p2", 100.0),
                                (1, "p3", 25.0)]
    ]  # fmt: skip
    _apply(warehouse, "session_log", {"tutoring_session": sessions, "session_attendance": attendance})
    stored = [
        {"source_id": f"csv:{who}", "person_source_id": who, "subject": "ela", "measure": "orf_wcpm",
         "observed_on": date(2025, 10, 4), "score": 40.0, "goal_score": 90.0, "source": "progress_csv"}
        for who in ("p3", "p1", "p2")
    ]  # fmt: skip
    _apply(warehouse, "progress_csv", {"progress_point": stored})

    people = pa.array(["p1", "p2"])
    read = tutored_points(warehouse, "test_district", people)
    view = warehouse.read("progress_point", "test_district", columns=COLUMNS)
    assert read.equals(view.filter(pc.is_in(view["person_source_id"], value_set=people)))
    # a reader naming fewer columns (the reports: no check's id) gets those of the same rows, in order
    shown = ["person_source_id", "measure", "observed_on", "score", "canonical_domain"]
    assert tutored_points(warehouse, "test_district", people, columns=shown).equals(read.select(shown))
    # the stored points, then the checks, each in the order stored (a first load's is key order)
    assert read["source_id"].to_pylist() == [
        "csv:p1",
        "csv:p2",
        "mastery_check:s1:p1",
        "mastery_check:s2:p2",
        "mastery_check:s3:p2",
    ]
    assert read.slice(2, 1).to_pylist()[0] == {
        "source_id": "mastery_check:s1:p1",
        "person_source_id": "p1",
        "source": "session_log",
        "subject": "ela",
        "canonical_domain": "phonics",
        "measure": "mastery_check",
        "observed_on": date(2025, 10, 1),
        "score": 75.0,
        "goal_score": None,
    }
