"""Session-log assets: tutors' own logs of sessions and attendance, and the tutor list."""

import dagster as dg

from assets.extracts import sessions_extract
from assets.metadata import apply_metadata
from assets.partitions import DISTRICTS
from assets.resources import HubResource
from assets.roster import roster
from hub.pipeline.sources import apply_stage


@dg.asset(
    partitions_def=DISTRICTS,
    group_name="sessions",
    kinds={"sql"},
    deps=[sessions_extract, roster],
    description="Sessions, per-student attendance and tutor profiles in the warehouse; a session id seen "
    "again updates, never duplicates.",
)
def tutoring_sessions(context: dg.AssetExecutionContext, hub: HubResource) -> dg.MaterializeResult:
    with hub.opened(context.partition_key) as run:
        summaries = apply_stage(run, "sessions")
    return dg.MaterializeResult(metadata=apply_metadata(summaries))
