"""Diagnostics assets: raw vendor exports, matched and settled results, and the skill gaps they show."""

import dagster as dg

from assets.extracts import diagnostics_extract
from assets.metadata import apply_metadata
from assets.partitions import DISTRICTS
from assets.resources import HubResource
from assets.roster import roster
from hub.pipeline.diagnostics import MatchGate, match_transform
from hub.pipeline.gaps import derive_skill_gaps
from hub.pipeline.record import settle_results
from hub.pipeline.sources import apply_stage


@dg.asset(
    partitions_def=DISTRICTS,
    group_name="diagnostics",
    kinds={"sql"},
    deps=[diagnostics_extract, roster],
    check_specs=[
        dg.AssetCheckSpec(
            "match_rate",
            asset="assessment_results",
            blocking=True,
            description="Every file's results matched the roster at the district's minimum rate.",
        ),
        dg.AssetCheckSpec(
            "duplicate_tests",
            asset="assessment_results",
            blocking=True,
            description="No test appears twice (same student, subject, window, date and score).",
        ),
    ],
    description="Diagnostic results in one shape, matched to roster students, with one test of record "
    "per student, subject and window.",
)
def assessment_results(context: dg.AssetExecutionContext, hub: HubResource):
    gate = MatchGate()
    with hub.opened(context.partition_key) as run:
        policy = run.district.diagnostics
        summaries = apply_stage(run, "diagnostics", match_transform(policy, gate))
        record = settle_results(run, policy)
    metadata = apply_metadata(summaries)
    metadata["tests_of_record"] = dg.MetadataValue.int(record.tests_of_record)
    metadata["rematched_from_earlier_syncs"] = dg.MetadataValue.int(record.rematched)
    metadata["settled_tonight"] = dg.MetadataValue.bool(record.settled)
    metadata["match_rates"] = dg.MetadataValue.md(
        "| file | results | match rate | unmatched | ambiguous |\n|---|---:|---:|---:|---:|\n"
        + "\n".join(
            f"| {r.file or '-'} | {r.total} | {r.match_rate:.1%} | {r.unmatched} | {r.ambiguous} |"
            for r in gate.reports
        )
    )
    yield dg.MaterializeResult(metadata=metadata)
    yield dg.AssetCheckResult(
        check_name="match_rate",
        passed=not gate.refused,
        metadata={"refused_files": dg.MetadataValue.md("\n\n".join(gate.refused.values()) or "none")},
    )
    yield dg.AssetCheckResult(
        check_name="duplicate_tests",
        passed=record.duplicates == 0,
        metadata={"duplicates": record.duplicates},
    )


@dg.asset(
    partitions_def=DISTRICTS,
    group_name="diagnostics",
    kinds={"sql"},
    deps=[assessment_results],
    description="Diagnosed skill gaps per student, subject, canonical domain and window, with severity.",
)
def skill_gaps(context: dg.AssetExecutionContext, hub: HubResource) -> dg.MaterializeResult:
    with hub.opened(context.partition_key) as run:
        gaps = derive_skill_gaps(run, run.district.diagnostics)
    lines = ["| subject | domain | gaps |", "|---|---|---:|"] + [
        f"| {row['subject']} | {row['canonical_domain']} | {row['gaps']} |"
        for row in gaps.by_domain.to_pylist()
    ]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(gaps.rows),
            "students_with_gaps": dg.MetadataValue.int(gaps.students),
            "gaps_by_domain": dg.MetadataValue.md("\n".join(lines)),
            "derived_tonight": dg.MetadataValue.bool(gaps.derived),
        }
    )
