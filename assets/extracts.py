"""The raw-extract asset of each stage: every source of the stage read, checked and kept as Parquet."""

import dagster as dg

from assets.failures import RETRY
from assets.metadata import extract_metadata
from assets.partitions import DISTRICTS
from assets.resources import HubResource
from hub.pipeline.sources import read_stage


def extract_asset(stage: str, description: str) -> dg.AssetsDefinition:
    """``<stage>_extract``, in the ``<stage>`` group; transient read failures retry with backoff."""

    @dg.asset(
        name=f"{stage}_extract",
        partitions_def=DISTRICTS,
        group_name=stage,
        kinds={"parquet"},
        retry_policy=RETRY,
        description=description,
    )
    def _extract(context: dg.AssetExecutionContext, hub: HubResource) -> dg.MaterializeResult:
        with hub.opened(context.partition_key) as run:
            summaries = read_stage(run, stage)
        metadata = extract_metadata(summaries)
        metadata["what_was_read"] = dg.MetadataValue.json({s.connector: s.info for s in summaries})
        return dg.MaterializeResult(metadata=metadata)

    return _extract


roster_extract = extract_asset(
    "roster", "Each roster source's export, read and checked, kept as Parquet in the district's data dir."
)
diagnostics_extract = extract_asset(
    "diagnostics", "Each diagnostics source's exports (i-Ready, MAP), read and checked, kept as Parquet."
)
sessions_extract = extract_asset(
    "sessions", "Tutors' session logs (CSV or JSON Lines) and tutor list, read and checked, kept as Parquet."
)
