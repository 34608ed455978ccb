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

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from hub.pipeline.context import DistrictRun
from hub.pipeline.delivery import PACKETS, keep_and_write, report_settings, reports_dir
from hub.pipeline.derived import derived_files
from hub.pipeline.packet_reads import COUNTED, NARROW, TABLES, part_inputs, shared_inputs, whole_inputs
from hub.pipeline.parts import SchoolPart, school_parts
from hub.pipeline.tutoring import last_boundary
from hub.reports import AlignmentReport, ReportInputs
from hub.reports.directory import directory
from hub.reports.packet import KIND, build_review_packets

STEP = "review_packets"  # the night's step, whose step_state marks what its kept packets were made from
PACKETS_TABLE = Path(PACKETS).stem
PACKET_TYPES = ("text/html", "text/csv")


@dataclass(frozen=True, slots=True)
class Packets:
    """What the packets step made: the targets of the packets rendered (their bodies stay on disk, for the
    push to read a part at a time), their folder, and the boundary they are of."""

    targets: list[str]
    folder: Path
    boundary: date | None

    @property
    def schools(self) -> int:
        return len(set(self.targets))


def render_packets(run: DistrictRun) -> Packets:
    """The packets step: the latest boundary's packets built, rendered and kept for the push."""
    return Packets(build_district_packets(run), reports_dir(run) / KIND, last_boundary(run))


def _cycle_start(cycles: pa.Table, boundary: date) -> date:
    """The first day of the cycle that ends on the eve of ``boundary`` (the boundary itself at the first)."""
    ended = cycles.filter(pc.equal(cycles["end_date"], pa.scalar(boundary - timedelta(days=1), pa.date32())))
    return ended["start_date"][0].as_py() if ended.num_rows else boundary


def build_district_packets(run: DistrictRun) -> list[str]:
    """The latest boundary's packets, written under ``reports/review_packet`` and kept for the push; or
    the ones kept, not built again, while nothing they read changed since they were. Their targets: a
    district's bodies are not read back."""
    boundary = last_boundary(run)
    settings = f"{boundary}|{report_settings(run)}"
    render = partial(_render_packets, run, boundary)
    tables = [*TABLES, *COUNTED, *NARROW]
    kept = derived_files(run, STEP, reports_dir(run), tables, settings, render, {PACKETS_TABLE: ["target"]})
    return pc.unique(kept[PACKETS_TABLE]["target"]).to_pylist()


def _render_packets(run: DistrictRun, boundary: date | None) -> dict[str, Path]:
    """Build and render ``boundary``'s packets; write the files of those whose content changed since last
    night (the generated stamp aside), so that a night changing other schools rewrites none of these."""
    packets: Iterable[AlignmentReport] = ()
    if boundary is not None:
        generated_at = datetime.now(ZoneInfo(run.district.timezone)).replace(microsecond=0)
        packets = review_packets(run, boundary, generated_at)
    return {PACKETS_TABLE: keep_and_write(packets, reports_dir(run), PACKETS, PACKET_TYPES)}


def review_packets(run: DistrictRun, boundary: date, generated_at: datetime) -> Iterator[AlignmentReport]:
    """``boundary``'s packets in school order, a part of ``part_students`` at a time; a district that
    fits in one part is read whole (``hub.pipeline.packet_reads``)."""
    shared = shared_inputs(run, boundary)
    assert shared.cycle is not None  # shared_inputs reads it
    start = _cycle_start(shared.cycle, boundary)
    build = partial(build_review_packets, generated_at=generated_at, boundary=boundary, cycle_start=start)
    parts = school_parts(run.warehouse, run.district_id, run.district.part_students)
    for part in parts:
        yield from _packets(run, shared, part if len(parts) > 1 else None, build)


def _packets(
    run: DistrictRun,
    shared: ReportInputs,
    part: SchoolPart | None,
    build: Callable[..., list[AlignmentReport]],
) -> list[AlignmentReport]:
    """``part``'s packets (None: the whole district's); its rows are let go when this returns, before the
    next part's are read."""
    inputs = whole_inputs(run, shared) if part is None else part_inputs(run, shared, part)
    return build(inputs, directory(inputs, {}), of_schools=None if part is None else part.schools)
