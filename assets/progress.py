"""The progress-monitoring asset: each open placement's goal, aimline, rate of improvement and signal."""

import dagster as dg

from assets.diagnostics import assessment_results
from assets.partitions import DISTRICTS
from assets.resources import HubResource
from assets.sessions import tutoring_sessions
from assets.tutoring import tutoring_groups
from hub.pipeline.progress import monitor_progress


@dg.asset(
    partitions_def=DISTRICTS,
    group_name="tutoring",
    kinds={"sql"},
    deps=[tutoring_groups, "group_memberships", tutoring_sessions, assessment_results],
    description="Per open placement: the goal for its cycle, the aimline from baseline to goal, the points "
    "observed (mastery checks, progress CSV, diagnostics), the rate of improvement per week and the "
    "decision rule's signal (on track, adjust, raise the goal, too few points).",
)
def progress_monitoring(context: dg.AssetExecutionContext, hub: HubResource) -> dg.MaterializeResult:
    with hub.opened(context.partition_key) as run:
        _, summary = monitor_progress(run)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(summary.placements),
            "signals": dg.MetadataValue.json(summary.signals),
            "signals_changed_tonight": dg.MetadataValue.int(summary.changed),
        }
    )
