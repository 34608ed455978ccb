"""The delivery stage: build and render the week's alignment reports, then push them to the district's own
destinations through the exactly-once ledger.

Rendered reports are kept in one Parquet file per night so that the push step (and a rerun of it after a
failure) sends exactly what was rendered, without building the reports again. The push is held while one
of the night's blocking checks last failed for the district (``step_state``), however the push is started.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from hub.connector import RenderedReport
from hub.model import students_of
from hub.pipeline.context import DistrictRun
from hub.pipeline.derived import derived_files, load_tables
from hub.pipeline.evidence import analytics_dir, pulse_week, school_year_period, stored_dosage, stored_impact
from hub.pipeline.tutoring import as_of_date
from hub.push import PushError, PushRecord, content_hash, push_reports
from hub.reports import ReportInputs, build_reports, render_all, write_reports
from hub.reports.slices import split_by_school
from hub.tutoring.pulse import Pulse
from hub.tutoring.tiers import tier_distribution

RENDERED_TABLE = "rendered"
RENDERED = f"{RENDERED_TABLE}.parquet"
PACKETS = "packets.parquet"
"""The review meeting packets' rendered set (hub.pipeline.packets), pushed with the reports."""
TABLES = (
    "person", "section", "enrollment", "school", "course", "demographics", "assessment_result",
    "skill_gap", "tier_assignment", "tutoring_group", "group_membership",
    "tutoring_session", "session_attendance", "tutor_profile", "cycle", "tutoring_review", "unplaced_entrant",
    "progress_goal", "progress_point",
)  # fmt: skip
"""What the reports read (domain results are not among them: no report shows a domain score)."""
COLUMNS = {
    "session_attendance": ["session_source_id", "person_source_id"],
    "tutoring_session": ["source_id", "session_date", "group_source_id"],
    "progress_point": ["person_source_id", "measure", "observed_on", "score", "canonical_domain"],
}
"""Of the largest tables, only the columns a report reads: who was logged in which session of which group
on which day (hub.reports.logged_not_placed), and each point's student, measure, day, score and skill
(hub.reports.progress_view)."""


GATES = ("roster", "assessment_results")
"""The steps whose blocking checks hold the push (deletion guard, referential integrity, files readable,
match rate, duplicate tests): reports built on input they refused are not sent."""


class PushHeld(PushError):
    """A blocking check of the night last failed for the district; nothing was sent."""


@dataclass(frozen=True, slots=True)
class Rendered:
    reports: list[RenderedReport]
    folder: Path


@dataclass(frozen=True, slots=True)
class Pushed:
    by_destination: dict[str, list[PushRecord]]

    def outcomes(self) -> dict[str, dict[str, int]]:
        """Per destination, how many reports were created, updated, unchanged or failed."""
        return {
            destination: {
                outcome: sum(1 for r in records if r.outcome and r.outcome.value == outcome)
                for outcome in ("created", "updated", "unchanged", "failed")
            }
            for destination, records in self.by_destination.items()
        }

    def failures(self) -> list[str]:
        """One line per report that failed to push (it is retried on the next run)."""
        return [
            f"{d}: {r.kind}/{r.content_type}: {r.detail}"
            for d, rs in self.by_destination.items()
            for r in rs
            if r.outcome and r.outcome.value == "failed"
        ]


def reports_dir(run: DistrictRun) -> Path:
    return run.data_dir / "reports"


def render_reports(run: DistrictRun) -> Rendered:
    """The reports step: every report of the week built, rendered and kept."""
    return Rendered(build_district_reports(run), reports_dir(run))


def build_district_reports(run: DistrictRun) -> list[RenderedReport]:
    """Every report of the reported week, rendered, written under ``<data_dir>/<district>/reports``; or,
    when nothing a report reads changed since they were rendered (no table, no policy, not the as-of
    date), the reports rendered then, not built again."""
    render = partial(_render_reports, run)
    kept = derived_files(run, "alignment_reports", reports_dir(run), TABLES, report_settings(run), render)
    return reports_of(kept[RENDERED_TABLE])


def report_settings(run: DistrictRun) -> str:
    """Everything besides the tables a rendered report (or review packet) depends on, as one string."""
    district = run.district
    return "|".join(
        [
            as_of_date(run).isoformat(),
            district.name,
            district.timezone,
            district.tutoring.model_dump_json(),
            district.dosage.model_dump_json(),
            district.impact.model_dump_json(),
        ]
    )


def _render_reports(run: DistrictRun) -> dict[str, pa.Table]:
    # The real time, in the district's zone: the push ledger's hash leaves the stamp out (``volatile``), so
    # a report whose data did not change is still not sent again.
    generated_at = datetime.now(ZoneInfo(run.district.timezone)).replace(microsecond=0)
    rendered = unless_unchanged(
        render_all(build_reports(report_inputs(run), generated_at)),
        last_rendered(reports_dir(run) / RENDERED),
    )
    write_reports([report for report, changed in rendered if changed], reports_dir(run))
    return {RENDERED_TABLE: rendered_table([report for report, _ in rendered])}


def report_inputs(run: DistrictRun) -> ReportInputs:
    """What the district's reports are built from: the warehouse's tables and the night's stored analytics
    (apart from the rendering, so that bench/reports.py can time the two apart)."""
    warehouse, district = run.warehouse, run.district_id
    tables = {name: warehouse.read(name, district, columns=COLUMNS.get(name)) for name in TABLES}
    students = students_of(tables["person"])
    as_of = as_of_date(run)
    week = pulse_week(tables["tutoring_session"], as_of)
    dosage = stored_dosage(run)
    impact = stored_impact(run, school_year_period(tables["cycle"], as_of))  # the impact step's, not redone
    schools = students.column("primary_school_source_id").drop_null().unique().to_pylist()
    return ReportInputs(
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


def last_rendered(path: Path) -> list[RenderedReport]:
    """The set rendered last time at ``path``; none before the first."""
    return read_rendered(path) if path.is_file() else []


def unless_unchanged(
    reports: list[RenderedReport], last_time: list[RenderedReport]
) -> list[tuple[RenderedReport, bool]]:
    """Each report, paired with whether it changed; a report that says what the one rendered last time
    said (its generated stamp aside) is that one, so its file is not written again."""
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


def rendered_table(reports: list[RenderedReport]) -> pa.Table:
    """Rendered reports as one table, so that a push (or its rerun) sends exactly these."""
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


def reports_of(table: pa.Table) -> list[RenderedReport]:
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


def read_rendered(path: Path) -> list[RenderedReport]:
    return reports_of(pq.read_table(path))


def load_rendered(run: DistrictRun) -> list[RenderedReport]:
    """The night's rendered reports, and its review meeting packets where the packets step made them."""
    path = reports_dir(run) / RENDERED
    if not path.is_file():
        raise FileNotFoundError(
            f"district {run.district_id}: no rendered reports yet; run the reports step first"
        )
    packets = reports_dir(run) / PACKETS
    return [*read_rendered(path), *(read_rendered(packets) if packets.is_file() else [])]


def failed_gates(run: DistrictRun) -> list[str]:
    """The night's blocking checks that last failed for the district, each with when it ran."""
    failed = []
    for step in GATES:
        record = run.warehouse.step_record(run.district_id, step)
        stamp = f" (checked {record.ran_at.isoformat(sep=' ', timespec='minutes')})" if record.ran_at else ""
        failed += [f"{step}:{check}{stamp}" for check, passed in record.checks.items() if not passed]
    return failed


def push_night(run: DistrictRun) -> Pushed:
    """The push step: the rendered reports sent, unless a blocking check of the night last failed."""
    failed = failed_gates(run)
    if failed:
        raise PushHeld(
            "Push held: the night's checks failed for this district: "
            + "; ".join(failed)
            + ". Fix the input (or approve it) and rerun; nothing was sent."
        )
    return Pushed(push_district(run))


def push_district(run: DistrictRun, *, dry_run: bool = False) -> dict[str, list[PushRecord]]:
    """Push the rendered reports to each of the district's own destinations."""
    reports = load_rendered(run)
    return {
        entry.name: push_reports(
            run.warehouse, run.district_id, entry.name, connector, reports, dry_run=dry_run
        )
        for entry, connector in run.destinations()
    }
