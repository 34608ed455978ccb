"""The review meeting packets: one per school for the latest cycle boundary decided, rendered for the push.

A packet is made every night from the night its boundary is decided until the next boundary, from the
decisions stored then and the newest evidence (progress signals are read as the progress step left them);
each boundary's packet is its own target (school and boundary date), so a new boundary never overwrites an
earlier packet, and the push ledger sends a packet again only when its content changed. A night on which
nothing a packet reads changed (no table, no policy, not the boundary nor the as-of date) builds none: the
packets kept from the night that made them are the night's (``derived_files``).

The school's tier pyramid is counted in SQL (``counted_tiers``), as the tiers step counts it on a night it
keeps its assignments: a few thousand counts, not a row per student, subject and window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from hub.connector import RenderedReport
from hub.pipeline.context import DistrictRun
from hub.pipeline.delivery import PACKETS, keep_and_write, report_settings, reports_dir
from hub.pipeline.derived import derived_files
from hub.pipeline.rendered_store import reports_of
from hub.pipeline.tutoring import as_of_date, counted_tiers, last_boundary
from hub.reports import AlignmentReport, ReportInputs
from hub.reports.directory import directory
from hub.reports.packet import KIND, build_review_packets
from hub.tutoring.exits import LATEST_COLUMNS
from hub.tutoring.tiers import tier_distribution

STEP = "review_packets"  # the night's step, whose step_state marks what its kept packets were made from
PACKETS_TABLE = Path(PACKETS).stem
PACKET_TYPES = ("text/html", "text/csv")
TABLES = (
    "section", "enrollment", "school", "course", "tutoring_group", "group_membership", "cycle",
    "tutoring_review", "unplaced_entrant", "progress_goal",
)  # fmt: skip
COUNTED = ("tier_assignment",)
"""Read as counts per pyramid cell (``counted_tiers``), not row by row."""
NARROW = {
    "person": ["source_id", "given_name", "preferred_given_name", "family_name", "grade"],
    "tutoring_session": [
        "source_id", "session_date", "minutes", "tutor_person_source_id", "group_source_id", "skills_covered",
    ],
    "session_attendance": ["session_source_id", "person_source_id", "attendance", "minutes_present"],
    "assessment_result": [*LATEST_COLUMNS, "measure", "is_test_of_record"],
}  # fmt: skip
"""Only the columns the packet reads of the district's largest tables."""


@dataclass(frozen=True, slots=True)
class Packets:
    """What the packets step made: the rendered packets, their folder, and the boundary they are of."""

    reports: list[RenderedReport]
    folder: Path
    boundary: date | None

    @property
    def schools(self) -> int:
        return len({report.target for report in self.reports})


def render_packets(run: DistrictRun) -> Packets:
    """The packets step: the latest boundary's packets built, rendered and kept for the push."""
    return Packets(build_district_packets(run), reports_dir(run) / KIND, last_boundary(run))


def _cycle_start(cycles: pa.Table, boundary: date) -> date:
    """The first day of the cycle that ends on the eve of ``boundary`` (the boundary itself at the first)."""
    ended = cycles.filter(pc.equal(cycles["end_date"], pa.scalar(boundary - timedelta(days=1), pa.date32())))
    return ended["start_date"][0].as_py() if ended.num_rows else boundary


def build_district_packets(run: DistrictRun) -> list[RenderedReport]:
    """The latest boundary's packets, written under ``reports/review_packet`` and kept for the push; or
    the ones kept, not built again, while nothing they read changed since they were."""
    boundary = last_boundary(run)
    settings = f"{boundary}|{report_settings(run)}"
    render = partial(_render_packets, run, boundary)
    kept = derived_files(run, STEP, reports_dir(run), [*TABLES, *COUNTED, *NARROW], settings, render)
    return reports_of(kept[PACKETS_TABLE])


def _render_packets(run: DistrictRun, boundary: date | None) -> dict[str, Path]:
    """Build and render ``boundary``'s packets; write the files of those whose content changed since last
    night (the generated stamp aside), so that a night changing other schools rewrites none of these."""
    packets: list[AlignmentReport] = []
    if boundary is not None:
        warehouse, district = run.warehouse, run.district_id
        tables = {name: warehouse.read(name, district) for name in TABLES}
        tables |= {name: warehouse.read(name, district, columns=columns) for name, columns in NARROW.items()}
        inputs = ReportInputs(
            district_id=district,
            week_start=boundary - timedelta(days=boundary.weekday()),
            **tables,
            tier_distribution=tier_distribution(counted_tiers(run), run.district.tutoring),
            district_name=run.district.name,
            policy=run.district.tutoring,
            plan=run.district.dosage,
            impact_policy=run.district.impact,
            data_as_of=as_of_date(run),
        )
        generated_at = datetime.now(ZoneInfo(run.district.timezone)).replace(microsecond=0)
        packets = build_review_packets(
            inputs, directory(inputs, {}), generated_at, boundary, _cycle_start(tables["cycle"], boundary)
        )
    return {PACKETS_TABLE: keep_and_write(packets, reports_dir(run), PACKETS, PACKET_TYPES)}
