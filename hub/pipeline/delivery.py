"""The delivery stage: build and render the week's alignment reports, then push them to the district's own
destinations through the exactly-once ledger.

Rendered reports are kept in one Parquet file per night so that the push step (and a rerun of it after a
failure) sends exactly what was rendered, without building the reports again.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from hub.connector import RenderedReport
from hub.model import students_of
from hub.pipeline.context import DistrictRun
from hub.pipeline.derived import derived_files
from hub.pipeline.evidence import analytics_dir, load_tables, pulse_week, school_year_period, stored_impact
from hub.pipeline.tutoring import as_of_date
from hub.push import PushRecord, content_hash, push_reports
from hub.reports import ReportInputs, build_reports, render_all, write_reports
from hub.reports.slices import split_by_school
from hub.tutoring.dosage import Dosage
from hub.tutoring.pulse import Pulse
from hub.tutoring.tiers import tier_distribution

RENDERED_TABLE = "rendered"
RENDERED = f"{RENDERED_TABLE}.parquet"
TABLES = (
    "person", "section", "enrollment", "school", "course", "demographics", "assessment_result",
    "skill_gap", "tier_assignment", "tutoring_group", "group_membership",
    "tutoring_session", "session_attendance", "tutor_profile", "cycle", "tutoring_review", "unplaced_entrant",
)  # fmt: skip
"""What the reports read (domain results are not among them: no report shows a domain score)."""
COLUMNS = {"session_attendance": ["session_source_id", "person_source_id"]}
"""Of the largest tables, only the columns a report reads: who was logged in which session."""


def reports_dir(run: DistrictRun) -> Path:
    return run.data_dir / "reports"


def build_district_reports(run: DistrictRun) -> list[RenderedReport]:
    """Every report of the reported week, rendered, written under ``<data_dir>/<district>/reports``; or,
    when nothing a report reads changed since they were rendered (no table, no policy, not the as-of
    date), the reports rendered then, not built again."""
    district = run.district
    settings = "|".join(
        [
            as_of_date(run).isoformat(),
            district.name,
            district.timezone,
            district.tutoring.model_dump_json(),
            district.dosage.model_dump_json(),
            district.impact.model_dump_json(),
        ]
    )
    kept = derived_files(run, reports_dir(run), TABLES, settings, partial(_render_reports, run))
    return _reports_of(kept[RENDERED_TABLE])


def _render_reports(run: DistrictRun) -> dict[str, pa.Table]:
    warehouse, district = run.warehouse, run.district_id
    tables = {name: warehouse.read(name, district, columns=COLUMNS.get(name)) for name in TABLES}
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
    rendered = _unless_unchanged(render_all(build_reports(inputs, generated_at)), run)
    write_reports([report for report, changed in rendered if changed], reports_dir(run))
    return {RENDERED_TABLE: _rendered_table([report for report, _ in rendered])}


def _unless_unchanged(reports: list[RenderedReport], run: DistrictRun) -> list[tuple[RenderedReport, bool]]:
    """Each report, paired with whether it changed; a report that says what the one rendered last time
    said (its generated stamp aside) is that one, so its file is not written again."""
    path = reports_dir(run) / RENDERED
    last_time = _reports_of(pq.read_table(path)) if path.is_file() else []
    before = {_address(report): report for report in last_time}
    paired = []
    for report in reports:
        last = before.get(_address(report))
        if last is not None and content_hash(last) == content_hash(report):
            paired.append((last, False))
        else:
            paired.append((report, True))
    return paired


def _address(report: RenderedReport) -> tuple[str, str, str]:
    return report.kind, report.target, report.content_type


def _rendered_table(reports: list[RenderedReport]) -> pa.Table:
    return pa.table(
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


def _reports_of(table: pa.Table) -> list[RenderedReport]:
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
        for row in table.to_pylist()
    ]


def load_rendered(run: DistrictRun) -> list[RenderedReport]:
    path = reports_dir(run) / RENDERED
    if not path.is_file():
        raise FileNotFoundError(
            f"district {run.district_id}: no rendered reports yet; run the reports step first"
        )
    return _reports_of(pq.read_table(path))


def push_district(run: DistrictRun, *, dry_run: bool = False) -> dict[str, list[PushRecord]]:
    """Push the rendered reports to each of the district's own destinations."""
    reports = load_rendered(run)
    return {
        entry.name: push_reports(
            run.warehouse, run.district_id, entry.name, connector, reports, dry_run=dry_run
        )
        for entry, connector in run.destinations()
    }
