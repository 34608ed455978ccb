"""Delivery assets: the week's alignment reports, rendered, then pushed to the district's destinations.

The push is gated: it runs only when the night's blocking checks (deletion guard, referential
integrity, files readable, match rate, duplicate tests) last passed for this district, and says which
one failed otherwise, also when the push is started on its own from the UI.
"""

import dagster as dg
from dagster._core.event_api import PartitionKeyFilter
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from assets.diagnostics import assessment_results
from assets.evidence import dosage, impact, weekly_pulse
from assets.partitions import DISTRICTS
from assets.resources import HubResource
from assets.roster import roster
from assets.tutoring import tiers
from hub.pipeline.delivery import build_district_reports, push_district, reports_dir

GATES = [
    dg.AssetCheckKey(dg.AssetKey("roster"), "deletion_guard"),
    dg.AssetCheckKey(dg.AssetKey("roster"), "referential_integrity"),
    dg.AssetCheckKey(dg.AssetKey("roster"), "files_readable"),
    dg.AssetCheckKey(dg.AssetKey("assessment_results"), "match_rate"),
    dg.AssetCheckKey(dg.AssetKey("assessment_results"), "duplicate_tests"),
]


@dg.asset(
    partitions_def=DISTRICTS,
    group_name="delivery",
    kinds={"html"},
    deps=[weekly_pulse, impact, dosage, tiers, "group_memberships", "progress_monitoring"],
    description="Teacher (per section), tutor, school and district alignment reports for the week, rendered "
    "as self-contained HTML, CSV and JSON.",
)
def alignment_reports(context: dg.AssetExecutionContext, hub: HubResource) -> dg.MaterializeResult:
    with hub.opened(context.partition_key) as run:
        rendered = build_district_reports(run)
        folder = reports_dir(run)
    kinds: dict[str, int] = {}
    for report in rendered:
        if report.content_type == "text/html":
            kinds[report.kind] = kinds.get(report.kind, 0) + 1
    schools = sorted((folder / "school").glob("*.html"))
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(len(rendered)),
            "reports_by_kind": dg.MetadataValue.json(kinds),
            "folder": dg.MetadataValue.path(str(folder)),
            **({"school_dashboard": dg.MetadataValue.url(schools[0].as_uri())} if schools else {}),
        }
    )


def _failed_gates(instance: dg.DagsterInstance, district_id: str) -> list[str]:
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        GATES, partition_filter=PartitionKeyFilter(key=district_id)
    )
    return [
        f"{key.asset_key.to_user_string()}:{key.name} (run {record.run_id})"
        for key, record in latest.items()
        if record.status == AssetCheckExecutionRecordStatus.FAILED
    ]


@dg.asset(
    partitions_def=DISTRICTS,
    group_name="delivery",
    kinds={"api"},
    deps=[alignment_reports, roster, assessment_results],
    retry_policy=dg.RetryPolicy(max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL),
    description="The rendered reports pushed to this district's own destinations (Canvas pages, OneRoster "
    "gradebook, files), each content at most once, audited in push_log.",
)
def report_pushes(context: dg.AssetExecutionContext, hub: HubResource) -> dg.MaterializeResult:
    failed = _failed_gates(context.instance, context.partition_key)
    if failed:
        raise dg.Failure(
            description="Push held: the night's checks failed for this district: "
            + "; ".join(failed)
            + ". Fix the input (or approve it) and rerun; nothing was sent.",
            allow_retries=False,  # a failed check does not heal by waiting
        )
    with hub.opened(context.partition_key) as run:
        pushed = push_district(run)
    outcomes = {
        destination: {
            outcome: sum(1 for r in records if r.outcome and r.outcome.value == outcome)
            for outcome in ("created", "updated", "unchanged", "failed")
        }
        for destination, records in pushed.items()
    }
    failures = [
        f"{d}: {r.kind}/{r.content_type}: {r.detail}"
        for d, rs in pushed.items()
        for r in rs
        if r.outcome and r.outcome.value == "failed"
    ]
    if failures:
        raise dg.Failure(
            description=f"{len(failures)} report(s) failed to push; they will be retried on the next run.",
            metadata={"failures": dg.MetadataValue.md("\n".join(f"- {f}" for f in failures[:50]))},
        )
    return dg.MaterializeResult(metadata={"outcomes": dg.MetadataValue.json(outcomes)})
