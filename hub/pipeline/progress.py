"""The progress-monitoring step: diagnostics as points, then every open placement's goal and signal.

Runs after the groups are decided and the session logs and progress files are applied, so that tonight's
points are judged against tonight's placements.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from hub.connector import NormalizedBatch, SyncMode
from hub.pipeline.context import DistrictRun
from hub.pipeline.tutoring import as_of_date
from hub.progress import diagnostic_points, monitor
from hub.progress.points import stale_ids

POINTS_STATE = "progress_diagnostics"  # the connector name the hub's own diagnostic points are written under
GOALS_STATE = "progress_goals"
RESULT_COLUMNS = [
    "source_id",
    "person_source_id",
    "subject",
    "vendor",
    "measure",
    "test_date",
    "scale_score",
    "typical_growth",
    "rushed",
]


@dataclass(frozen=True, slots=True)
class ProgressSummary:
    """What the night's progress monitoring found, in the words ``sync`` and the asset print."""

    placements: int
    signals: dict[str, int]
    changed: int
    """placements whose signal changed tonight"""


def monitor_progress(run: DistrictRun) -> tuple[pa.Table, ProgressSummary]:
    """Write the tutored students' diagnostic points and tonight's ``progress_goal`` rows."""
    warehouse, district = run.warehouse, run.district_id
    memberships = warehouse.read("group_membership", district)
    results = warehouse.read("assessment_result", district, columns=RESULT_COLUMNS)
    tutored = pc.unique(memberships["person_source_id"])
    fresh = diagnostic_points(results, tutored)
    stored = warehouse.read("progress_point", district, columns=["source_id"])
    warehouse.apply(
        district,
        POINTS_STATE,
        NormalizedBatch(
            {"progress_point": fresh},
            {"progress_point": SyncMode.DELTA},
            deletes={"progress_point": stale_ids(stored, fresh)},
        ),
        max_delete_fraction=1.0,
    )
    points = warehouse.read("progress_point", district)
    points = points.filter(pc.is_in(points["person_source_id"], value_set=tutored))
    previous = warehouse.read("progress_goal", district)
    as_of = as_of_date(run)
    goals = monitor(
        memberships,
        warehouse.read("tutoring_group", district),
        warehouse.read("cycle", district),
        points,
        results.filter(pc.is_in(results["person_source_id"], value_set=tutored)),
        previous,
        run.district.progress,
        as_of,
    )
    warehouse.apply(
        district,
        GOALS_STATE,
        # upserts: a placement that closed keeps the last reading it had while open (the review reads it)
        NormalizedBatch({"progress_goal": goals}, {"progress_goal": SyncMode.DELTA}),
        max_delete_fraction=1.0,
    )
    counts = pc.value_counts(goals["signal"]).to_pylist() if goals.num_rows else []
    changed = pc.sum(pc.equal(goals["signal_since"], pa.scalar(as_of, pa.date32()))).as_py() or 0
    return goals, ProgressSummary(goals.num_rows, {c["values"]: c["counts"] for c in counts}, changed)
