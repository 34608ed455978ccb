"""The delivery stage: build and render the week's alignment reports, then push them to the district's own
destinations through the exactly-once ledger.

Rendered reports are kept in one Parquet file per night so that the push step (and a rerun of it after a
failure) sends exactly what was rendered, without building the reports again.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from hub.connector import RenderedReport
from hub.model import students_of
from hub.pipeline.context import DistrictRun
from hub.pipeline.evidence import analytics_dir, load_tables, pulse_week, school_year_period, stored_impact
from hub.pipeline.tutoring import as_of_date
from hub.push import PushRecord, push_reports
from hub.reports import ReportInputs, build_reports, render_all, write_reports
from hub.reports.slices import split_by_school
from hub.tutoring.dosage import Dosage
from hub.tutoring.pulse import Pulse
from hub.tutoring.tiers import tier_distribution

RENDERED = "rendered.parquet"
TABLES = (
    "person", "section", "enrollment", "school", "course", "demographics", "assessment_result",
    "domain_result", "skill_gap", "tier_assignment", "tutoring_group", "group_membership",
    "tutoring_session", "session_attendance", "tutor_profile", "cycle", "tutoring_review", "unplaced_entrant",
    "progress_goal", "progress_point",
)  # fmt: skip


def reports_dir(run: DistrictRun) -> Path:
    return run.data_dir / "reports"


def build_district_reports(run: DistrictRun) -> list[RenderedReport]:
    """Every report of the reported week, rendered, written under ``<data_dir>/<district>/reports``."""
    warehouse, district = run.warehouse, run.district_id
    tables = {name: warehouse.read(name, district) for name in TABLES}
    students = students_of(tables["person"])
    as_of = as_of_date(run)
    week = pulse_week(tables["tutoring_session"], as_of)
    # The real time, in the district's zone: the push ledger's hash leaves the stamp out (``volatile``), so
    # a report whose data did not change is still not sent again.
    generated_at = datetime.now(ZoneInfo(run.district.timezone)).replace(microsecond=0)
    dosage = Dosage(**load_tables(analytics_dir(run, "dosage")))
    impact = stored_impact(run, school_year_period(tables["cycle"], as_of))  # the impact step's, not redone
    schools = students.column("primary_school_source_id").drop_null().unique().to_pylist()
    inputs = ReportInputs(
        district_id=district,
        week_start=week,
        **tables,
        dosage=dosage,
        pulse=Pulse(**load_tables(analytics_dir(run, "pulse"))),
        impact=impact,
        impact_by_school=split_by_school(impact, schools),
        tier_distribution=tier_distribution(tables["tier_assignment"], run.district.tutoring),
        district_name=run.district.name,
        policy=run.district.tutoring,
        plan=run.district.dosage,
        impact_policy=run.district.impact,
        data_as_of=as_of,
    )
    rendered = render_all(build_reports(inputs, generated_at))
    write_reports(rendered, reports_dir(run))
    _save_rendered(rendered, reports_dir(run) / RENDERED)
    return rendered


def _save_rendered(reports: list[RenderedReport], path: Path) -> None:
    table = pa.table(
        {
            "kind": [r.kind for r in reports],
            "target": [r.target for r in reports],
            "title": [r.title for r in reports],
            "content_type": [r.content_type for r in reports],
            "body": pa.array([r.body for r in reports], pa.binary()),
            "summary": [json.dumps(dict(r.summary), sort_keys=True) for r in reports],
            "volatile": pa.array([list(r.volatile) for r in reports], pa.list_(pa.string())),
        }
    )
    partial = path.with_suffix(".partial")
    pq.write_table(table, partial, compression="zstd")
    partial.replace(path)


def load_rendered(run: DistrictRun) -> list[RenderedReport]:
    path = reports_dir(run) / RENDERED
    if not path.is_file():
        raise FileNotFoundError(
            f"district {run.district_id}: no rendered reports yet; run the reports step first"
        )
    return [
        RenderedReport(
            row["kind"],
            row["target"],
            row["title"],
            row["content_type"],
            row["body"],
            json.loads(row["summary"]),
            tuple(row.get("volatile") or ()),
        )
        for row in pq.read_table(path).to_pylist()
    ]


def push_district(run: DistrictRun, *, dry_run: bool = False) -> dict[str, list[PushRecord]]:
    """Push the rendered reports to each of the district's own destinations."""
    reports = load_rendered(run)
    return {
        entry.name: push_reports(
            run.warehouse, run.district_id, entry.name, connector, reports, dry_run=dry_run
        )
        for entry, connector in run.destinations()
    }
