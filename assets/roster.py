"""Roster assets: the normalized roster tables in the warehouse, with their blocking checks."""

import dagster as dg

from assets.extracts import roster_extract
from assets.metadata import apply_metadata
from assets.partitions import DISTRICTS
from assets.resources import HubResource
from hub.pipeline.sources import apply_stage
from hub.warehouse import DeletionGuardError

REFERENCE_REJECT_LIMIT = 0.01  # more than 1 % of rows pointing at nothing means the export is broken


@dg.asset(
    partitions_def=DISTRICTS,
    group_name="roster",
    kinds={"sql"},
    deps=[roster_extract],
    check_specs=[
        dg.AssetCheckSpec(
            "deletion_guard",
            asset="roster",
            blocking=True,
            description="The sync did not remove more than max_delete_fraction of the district.",
        ),
        dg.AssetCheckSpec(
            "referential_integrity",
            asset="roster",
            blocking=True,
            description="Rows pointing at missing classes or users stay under 1 %.",
        ),
        dg.AssetCheckSpec(
            "files_readable",
            asset="roster",
            blocking=True,
            description="No roster file was unreadable as a whole.",
        ),
    ],
    description="The normalized roster (schools, sessions, courses, sections, people, enrollments, "
    "demographics, identifiers), applied to the warehouse in one transaction.",
)
def roster(context: dg.AssetExecutionContext, hub: HubResource):
    with hub.opened(context.partition_key) as run:
        try:
            summaries = apply_stage(run, "roster")
        except DeletionGuardError as refusal:
            yield dg.AssetCheckResult(
                check_name="deletion_guard", passed=False, metadata={"refused": str(refusal)}
            )
            raise dg.Failure(description=str(refusal), allow_retries=False) from None
    rows = sum(change.rows for s in summaries for change in s.changes.values())
    reference_rejects = sum(s.reference_rejects for s in summaries)
    fatal = {f"{s.connector}/{name}": reason for s in summaries for name, reason in s.fatal.items()}
    yield dg.MaterializeResult(metadata=apply_metadata(summaries))
    yield dg.AssetCheckResult(check_name="deletion_guard", passed=True)
    yield dg.AssetCheckResult(
        check_name="referential_integrity",
        passed=reference_rejects <= REFERENCE_REJECT_LIMIT * max(rows, 1),
        metadata={"reference_rejects": reference_rejects, "rows": rows},
    )
    yield dg.AssetCheckResult(check_name="files_readable", passed=not fatal, metadata={"fatal": fatal})
