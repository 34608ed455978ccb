"""Evidence assets: dosage delivered against plan, the weekly pulse, and impact against peers."""

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from assets.diagnostics import assessment_results
from assets.metadata import markdown_table
from assets.partitions import DISTRICTS
from assets.resources import HubResource
from assets.sessions import tutoring_sessions
from assets.tutoring import tutoring_groups
from hub.pipeline.evidence import analytics_dir, district_dosage, district_impact, district_pulse, load_tables


@dg.asset(
    partitions_def=DISTRICTS,
    group_name="evidence",
    kinds={"parquet"},
    deps=[tutoring_sessions, "group_memberships"],
    description="Per student and week: sessions scheduled and attended and minutes, against the plan "
    "(3 x 30 min a week, at most 4 students, one tutor), with under-dosed, oversized and tutor-change flags.",
)
def dosage(context: dg.AssetExecutionContext, hub: HubResource) -> dg.MaterializeResult:
    with hub.opened(context.partition_key) as run:
        measured = district_dosage(run)
        where = analytics_dir(run, "dosage")
    weeks = measured.student_weeks
    flagged = {
        flag: pc.sum(pc.cast(weeks.column(flag), pa.int64())).as_py() or 0
        for flag in ("under_dosed", "oversized_group", "tutor_change")
        if flag in weeks.column_names
    }
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(weeks.num_rows),
            "flagged_student_weeks": dg.MetadataValue.json(flagged),
            "summary": dg.MetadataValue.md(markdown_table(measured.summary)),
            "path": dg.MetadataValue.path(str(where)),
        }
    )


@dg.asset(
    partitions_def=DISTRICTS,
    group_name="evidence",
    kinds={"parquet"},
    deps=[tutoring_sessions, tutoring_groups, assessment_results, "progress_monitoring"],
    description="The week's update per group and per classroom teacher: who came, skills covered, growth, "
    "next steps.",
)
def weekly_pulse(context: dg.AssetExecutionContext, hub: HubResource) -> dg.MaterializeResult:
    with hub.opened(context.partition_key) as run:
        pulse = district_pulse(run)
        where = analytics_dir(run, "pulse")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(pulse.groups.num_rows),
            "teacher_rows": dg.MetadataValue.int(pulse.teachers.num_rows),
            "path": dg.MetadataValue.path(str(where)),
        }
    )


@dg.asset(
    partitions_def=DISTRICTS,
    group_name="evidence",
    kinds={"parquet"},
    deps=[dosage, "group_memberships", assessment_results],
    description="Growth of tutored students against comparison peers, band movement, subgroups, growth by "
    "dosage and exits, per cycle and school year; cells under the minimum n suppressed.",
)
def impact(context: dg.AssetExecutionContext, hub: HubResource) -> dg.MaterializeResult:
    with hub.opened(context.partition_key) as run:
        measured = district_impact(run, load_tables(analytics_dir(run, "dosage"))["student_weeks"])
        where = analytics_dir(run, "impact")
    comparison = measured.suppressed()["comparison"]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(measured.students.num_rows),
            "comparison": dg.MetadataValue.md(markdown_table(comparison)),
            "path": dg.MetadataValue.path(str(where)),
        }
    )
