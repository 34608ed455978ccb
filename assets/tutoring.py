"""Tutoring decision assets: tiers and the pyramid, then groups and memberships at cycle boundaries."""

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from assets.diagnostics import assessment_results, skill_gaps
from assets.partitions import DISTRICTS
from assets.resources import HubResource
from assets.sessions import tutoring_sessions
from hub.pipeline.tutoring import GroupDecision, decide_groups, decide_tiers, plan_year


def _pyramid_markdown(distribution: pa.Table) -> str:
    lines = [
        "| school | grade | subject | window | n | Tier 1 | Tier 2 | Tier 3 | inverted |",
        "|---|---|---|---|---:|---:|---:|---:|---|",
    ]
    for row in distribution.to_pylist():
        shares = " | ".join(f"{row[f'tier{level}_percent']:.0f} %" for level in (1, 2, 3))
        where = f"{row['school_source_id']} | {row['grade']} | {row['subject']} | {row['window']}"
        flag = "yes" if row["inverted_pyramid"] else ""
        lines.append(f"| {where} | {row['students']} | {shares} | {flag} |")
    return "\n".join(lines)


@dg.asset(
    partitions_def=DISTRICTS,
    group_name="tutoring",
    kinds={"sql"},
    deps=[assessment_results],
    description="MTSS tier per student, subject and window from the test of record; the tier pyramid "
    "per school, grade and subject beside the healthy ranges.",
)
def tiers(context: dg.AssetExecutionContext, hub: HubResource) -> dg.MaterializeResult:
    with hub.opened(context.partition_key) as run:
        assigned, distribution = decide_tiers(run)
    counts = {int(r["values"]): r["counts"] for r in pc.value_counts(assigned.column("tier")).to_pylist()}
    inverted = distribution.filter(pc.equal(distribution.column("inverted_pyramid"), True)).num_rows
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(assigned.num_rows),
            "tier_counts": dg.MetadataValue.json({f"tier_{tier}": counts.get(tier, 0) for tier in (1, 2, 3)}),
            "inverted_pyramids": dg.MetadataValue.int(inverted),
            "tier_table": dg.MetadataValue.md(_pyramid_markdown(distribution)),
        }
    )


def _tonight(decision: GroupDecision, kind: str, column: str) -> int:
    """Rows of the grouping's ``kind`` (reviews, unplaced) made at the boundaries decided tonight."""
    rows = getattr(decision.grouping, kind)
    days = pa.array(decision.boundaries, pa.date32())
    return rows.filter(pc.is_in(rows.column(column), value_set=days)).num_rows


@dg.multi_asset(
    partitions_def=DISTRICTS,
    group_name="tutoring",
    specs=[
        dg.AssetSpec(
            "tutoring_groups",
            deps=[tiers, skill_gaps, tutoring_sessions],
            kinds={"sql"},
            description="Skill-targeted groups: one shared primary gap and grade, at most four, one tutor; "
            "the boundaries' reviews and the entrants not placed, with their reasons.",
        ),
        dg.AssetSpec(
            "group_memberships",
            deps=[tiers, skill_gaps],
            kinds={"sql"},
            description="Who is in which group: entry date and evidence, exit date and reason, history kept.",
        ),
    ],
)
def tutoring_groups(context: dg.AssetExecutionContext, hub: HubResource):
    with hub.opened(context.partition_key) as run:
        decision = decide_groups(run, plan_year(run))
    groups, memberships = decision.grouping.groups, decision.grouping.memberships
    open_rows = memberships.filter(pc.is_null(memberships.column("exit_date")))
    exits = memberships.filter(pc.is_valid(memberships.column("exit_date")))
    reasons = pc.value_counts(exits.column("exit_reason")).to_pylist() if exits.num_rows else []
    boundaries = [day.isoformat() for day in decision.boundaries]
    yield dg.MaterializeResult(
        asset_key="tutoring_groups",
        metadata={
            "dagster/row_count": dg.MetadataValue.int(groups.num_rows),
            "groups_without_tutor": dg.MetadataValue.int(decision.grouping.untutored.num_rows),
            "entrants_not_placed_tonight": dg.MetadataValue.int(
                _tonight(decision, "unplaced", "boundary_date")
            ),
            "reviews_tonight": dg.MetadataValue.int(_tonight(decision, "reviews", "review_date")),
            "boundaries_decided_tonight": dg.MetadataValue.json(boundaries),
        },
    )
    yield dg.MaterializeResult(
        asset_key="group_memberships",
        metadata={
            "dagster/row_count": dg.MetadataValue.int(memberships.num_rows),
            "students_in_tutoring": dg.MetadataValue.int(open_rows.num_rows),
            "exits_by_reason": dg.MetadataValue.json({r["values"]: r["counts"] for r in reasons}),
        },
    )
