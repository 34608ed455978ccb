"""The delivery stage: build and render the week's alignment reports, then push them to the district's own
destinations through the exactly-once ledger.

Rendered reports are kept in one Parquet file per night so that the push step (and a rerun of it after a
failure) sends exactly what was rendered, without building the reports again. They are read and built a
part of the district at a time (``hub.pipeline.report_parts``), rendered and written a part of reports at a
time (``hub.pipeline.rendered_store.render_in_parts``): the step holds a part's rows, reports and bodies,
never the district's. Each kept row carries what it was made from and its content digest
(``hub.pipeline.rendered_store``): a night renders only the reports whose data changed, writes only the
files whose content changed, and a destination that confirmed the very set before is sent nothing without
a body being read (``hub.push.kept``). The push is held while one of the night's blocking checks last
failed for the district (``step_state``), however the push is started.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from hub.connector import DestinationConnector, PushOutcome, RenderedReport
from hub.pipeline.context import DistrictRun
from hub.pipeline.derived import derived_files
from hub.pipeline.rendered_store import (
    ADDRESS,
    DIGEST,
    SIZE,
    read_rendered,
    render_in_parts,
    rendered_parts,
    reports_of,
    set_digest,
)
from hub.pipeline.report_parts import report_stream_in_parts
from hub.pipeline.report_reads import TABLES
from hub.pipeline.tutoring import as_of_date
from hub.push import Address, PushError, PushRecord, push_report_parts
from hub.push.kept import kept_push, sent_key
from hub.push.ledger import Ledger
from hub.reports import AlignmentReport, write_reports
from hub.reports.rendered import RENDERERS

log = logging.getLogger(__name__)

RENDERED_TABLE = "rendered"
RENDERED = f"{RENDERED_TABLE}.parquet"
PACKETS = "packets.parquet"
"""The review meeting packets' rendered set (hub.pipeline.packets), pushed with the reports."""
SHOWN = ["kind", "content_type"]
"""What the reports step shows of its rendered set (counts by kind): all a kept night reads of it."""

GATES = ("roster", "assessment_results")
"""The steps whose blocking checks hold the push (deletion guard, referential integrity, files readable,
match rate, duplicate tests): reports built on input they refused are not sent."""


PUSH_STEP = "report_pushes"  # its step_state keeps, per destination, the set it last had confirmed whole


class PushHeld(PushError):
    """A blocking check of the night last failed for the district; nothing was sent."""


@dataclass(frozen=True, slots=True)
class Rendered:
    table: pa.Table
    """The rendered set (``hub.pipeline.rendered_store``), only its ``SHOWN`` columns: the set is written a
    part at a time and the push reads the bodies from disk itself."""
    folder: Path

    def count(self, content_type: str) -> dict[str, int]:
        """How many reports of each kind were rendered as ``content_type``."""
        counts = self.table.filter(pc.equal(self.table["content_type"], content_type))["kind"].value_counts()
        return dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True))


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


def build_district_reports(run: DistrictRun) -> pa.Table:
    """Every report of the reported week, rendered, written under ``<data_dir>/<district>/reports``; or,
    when nothing a report reads changed since they were rendered (no table, no policy, not the as-of
    date), the reports rendered then, not built again; either way only what the step shows (``SHOWN``)."""
    render = partial(_render_reports, run)
    kept = derived_files(
        run,
        "alignment_reports",
        reports_dir(run),
        TABLES,
        report_settings(run),
        render,
        {RENDERED_TABLE: SHOWN},
    )
    return kept[RENDERED_TABLE]


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


def _render_reports(run: DistrictRun) -> dict[str, Path]:
    # The real time, in the district's zone: the push ledger's hash leaves the stamp out (``volatile``), so
    # a report whose data did not change is still not sent again.
    generated_at = datetime.now(ZoneInfo(run.district.timezone)).replace(microsecond=0)
    reports = report_stream_in_parts(run, generated_at)
    return {RENDERED_TABLE: keep_and_write(reports, reports_dir(run), RENDERED)}


def keep_and_write(
    reports: Iterable[AlignmentReport],
    folder: Path,
    kept: str,
    content_types: Sequence[str] = tuple(RENDERERS),
) -> Path:
    """The set to keep of ``reports`` rendered as ``content_types``, written to ``folder/kept`` a part at a
    time: a report made from what last night's was made from is not rendered again, and one that says what
    last night's said (its generated stamp aside) is last night's; only the files of the others are
    written."""
    folder.mkdir(parents=True, exist_ok=True)
    return render_in_parts(
        reports, folder / kept, content_types, lambda changed: write_reports(changed, folder)
    )


def load_rendered(run: DistrictRun) -> list[RenderedReport]:
    """The night's rendered reports, and its review meeting packets where the packets step made them."""
    return reports_of(load_rendered_table(run))


def load_rendered_table(run: DistrictRun, columns: Sequence[str] | None = None) -> pa.Table:
    """``load_rendered`` as the kept table (``hub.pipeline.rendered_store``), only ``columns`` if named."""
    return pa.concat_tables([read_rendered(each, columns) for each in rendered_files(run)])


def rendered_files(run: DistrictRun) -> list[Path]:
    """The night's rendered set, then its packets' where the packets step made them."""
    path = reports_dir(run) / RENDERED
    if not path.is_file():
        raise FileNotFoundError(
            f"district {run.district_id}: no rendered reports yet; run the reports step first"
        )
    packets = reports_dir(run) / PACKETS
    return [path, *([packets] if packets.is_file() else [])]


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
    """Push the rendered reports to each of the district's own destinations; to one that confirmed this
    very set before (``hub.push.kept``), nothing is sent and no report is read or hashed again."""
    index = load_rendered_table(run, [*ADDRESS, DIGEST, SIZE])  # no body: a kept push reads none
    district, engine = run.district_id, run.warehouse.engine
    sent_before = run.warehouse.step_record(district, PUSH_STEP).summary.get("sent", {})
    pushed, sent = {}, {}
    for entry, connector in run.destinations():
        ledger = Ledger(engine, district, entry.name)
        digest = set_digest(taken(index, connector))
        if not dry_run and sent_before.get(entry.name) == sent_key(digest, connector, ledger):
            records = kept_push(ledger, addressed(taken(index, connector)))
            log.info(
                "district %s: push to %s: %d reports as confirmed last time, unchanged; none read or sent",
                district,
                entry.name,
                len(records),
            )
        else:
            # the bodies a row group at a time: a district's whole set is gigabytes
            parts = (part for path in rendered_files(run) for part in rendered_parts(path))
            addresses = [address for address, _ in addressed(index)]
            records = push_report_parts(
                engine, district, entry.name, connector, addresses, parts, dry_run=dry_run
            )
        pushed[entry.name] = records
        if not dry_run and all(r.outcome is not PushOutcome.FAILED for r in records):
            sent[entry.name] = sent_key(digest, connector, ledger)
    if not dry_run:
        run.warehouse.record_step(district, PUSH_STEP, summary={"sent": sent})
    return pushed


def taken(rendered: pa.Table, connector: DestinationConnector) -> pa.Table:
    """The reports of a kind (and content type) the destination takes."""
    wanted = pc.is_in(rendered["kind"], pa.array(connector.accepts, pa.string()))
    if connector.content_types is not None:
        types = pa.array(connector.content_types, pa.string())
        wanted = pc.and_(wanted, pc.is_in(rendered["content_type"], types))
    return rendered if pc.all(wanted).as_py() else rendered.filter(wanted)  # a filter copies every body


def addressed(rendered: pa.Table) -> list[tuple[Address, int]]:
    """Each report's address and size, its body not read into Python."""
    columns = [rendered[name].to_pylist() for name in ADDRESS]
    sizes = rendered[SIZE].to_pylist()
    return [(Address(*address), size) for *address, size in zip(*columns, sizes, strict=True)]
