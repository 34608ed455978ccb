"""Pushing one district's reports to one of its destinations, exactly once per content.

For each report the driver hashes what would be sent and compares it with the hash the destination last
*confirmed* for that target: equal means no request at all; different means a send, and only the server's
confirmation moves the stored hash. A failure is logged and leaves the old hash, so the next run sends again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from sqlalchemy import Engine

from hub.connector import DestinationConnector, PushOutcome, PushResult, RenderedReport
from hub.errors import HubError
from hub.push.ledger import Address, Entry, Ledger, TargetState

if TYPE_CHECKING:
    from hub.warehouse import Warehouse

log = logging.getLogger(__name__)

Action = Literal["create", "update", "unchanged"]
MAX_TARGET, MAX_KIND = 255, 32  # the ledger's column sizes (hub.model.push)
BATCH = 500
"""Sends per call and per ledger transaction to a destination whose re-send is harmless."""


class PushError(HubError):
    """The push cannot start as asked; nothing was sent."""


class PushRefused(PushError):
    """The destination does not belong to the district whose reports were handed to it."""


@dataclass(frozen=True, slots=True)
class PushRecord:
    """What the driver decided for one target and, unless it was a dry run, how it went."""

    kind: str
    target: str
    content_type: str
    action: Action
    content_hash: str
    bytes: int
    outcome: PushOutcome | None = None  # None in a dry run
    detail: str = ""

    @property
    def address(self) -> Address:
        return Address(self.kind, self.target, self.content_type)


def push_reports(
    warehouse_or_engine: Warehouse | Engine,
    district_id: str,
    destination_name: str,
    connector: DestinationConnector,
    reports: Sequence[RenderedReport],
    *,
    dry_run: bool = False,
) -> list[PushRecord]:
    """Send the reports this destination takes, each at most once per content; record every decision.

    Reports of a kind or content type the destination does not take are not its business and are left
    out. ``dry_run`` answers what would be sent, without a request and without touching the ledger.
    Raises ``PushRefused`` when the destination belongs to another district.
    """
    addresses = [_address(report) for report in reports]
    return push_report_parts(
        warehouse_or_engine, district_id, destination_name, connector, addresses, [reports], dry_run=dry_run
    )


def push_report_parts(
    warehouse_or_engine: Warehouse | Engine,
    district_id: str,
    destination_name: str,
    connector: DestinationConnector,
    addresses: Sequence[Address],
    parts: Iterable[Sequence[RenderedReport]],
    *,
    dry_run: bool = False,
) -> list[PushRecord]:
    """``push_reports`` for a set too large to hold with its bodies: every report's address first (all
    checked before anything is sent), then the reports a part at a time, in the same order. Only a part's
    bodies (and a batch's) are held; the records kept for the whole set carry none. Batches of sends run
    on across parts, so the ledger's transactions are those of one list."""
    _check_district(connector, district_id, destination_name)
    _check_addresses([address for address in addresses if _takes(connector, address)])
    engine = warehouse_or_engine if isinstance(warehouse_or_engine, Engine) else warehouse_or_engine.engine
    ledger = Ledger(engine, district_id, destination_name)
    states = ledger.states()
    fingerprint = config_fingerprint(connector)
    planned = (
        (_plan(report, states.get(_address(report)), fingerprint), report)
        for part in parts
        for report in part
        if _takes(connector, _address(report))
    )
    if dry_run:
        return [plan for plan, _ in planned]
    records = _deliver_all(ledger, connector, planned, states)
    counts = Counter(record.outcome.value for record in records if record.outcome)
    log.info(
        "district %s: push to %s: %d created, %d updated, %d unchanged, %d failed",
        district_id,
        destination_name,
        counts["created"],
        counts["updated"],
        counts["unchanged"],
        counts["failed"],
    )
    return records


def content_hash(report: RenderedReport, fingerprint: str = "") -> str:
    """sha256 over everything a destination may send: body, title, summary, and the destination's settings.

    The report's ``volatile`` text (its generated stamp) is left out of the body: a report whose content
    did not change hashes the same on every night, whenever it was generated.
    """
    digest = hashlib.sha256()
    summary = json.dumps(report.summary, sort_keys=True, separators=(",", ":"), default=str).encode()
    for part in (report.kind, report.target, report.title, report.content_type, fingerprint):
        digest.update(_framed(part.encode()))
    body = report.body
    for text in report.volatile:
        body = body.replace(text.encode(), b"")
    digest.update(_framed(body))
    digest.update(_framed(summary))
    return digest.hexdigest()


def _framed(data: bytes) -> bytes:
    # Length-prefixed, so that no two different sequences of parts concatenate to the same bytes.
    return len(data).to_bytes(8, "big") + data


def _check_district(connector: DestinationConnector, district_id: str, destination_name: str) -> None:
    owner = getattr(connector.config, "district_id", None)
    if owner is None:
        raise PushRefused(
            f"destination {destination_name!r} ({connector.name}) does not name its district; "
            "its settings must derive from hub.connector.DestinationConfig"
        )
    if owner != district_id:
        raise PushRefused(
            f"destination {destination_name!r} belongs to district {owner!r}, not {district_id!r}: "
            "a district's reports only go to its own destinations"
        )


def _takes(connector: DestinationConnector, address: Address) -> bool:
    """Whether the destination takes reports of this kind and content type."""
    types = connector.content_types
    return address.kind in connector.accepts and (types is None or address.content_type in types)


def _check_addresses(addresses: list[Address]) -> None:
    """Refuse, before any send, what the ledger could not record: over-long keys, one target twice."""
    too_long = next((a for a in addresses if len(a.target) > MAX_TARGET or len(a.kind) > MAX_KIND), None)
    if too_long:
        raise PushError(
            f"a {too_long.kind[:MAX_KIND]} report's target is {len(too_long.target)} characters long; "
            f"the ledger keeps targets of up to {MAX_TARGET} and kinds of up to {MAX_KIND}"
        )
    repeated = [address for address, n in Counter(addresses).items() if n > 1]
    if repeated:
        first = repeated[0]
        raise PushError(
            f"{len(repeated)} target(s) given more than one report, e.g. the {first.kind} report "
            f"for {first.target} ({first.content_type}); each target takes one"
        )


def config_fingerprint(connector: DestinationConnector) -> str:
    """The settings that shape what is sent (secrets dump as asterisks; ``http`` is how, not what)."""
    settings = connector.config.model_dump(mode="json", exclude={"http"})
    return json.dumps({"connector": connector.name, **settings}, sort_keys=True, default=str)


def _address(report: RenderedReport) -> Address:
    return Address(report.kind, report.target, report.content_type)


def _plan(report: RenderedReport, state: TargetState | None, fingerprint: str) -> PushRecord:
    digest = content_hash(report, fingerprint)
    confirmed = state.content_hash if state else None
    action: Action = "create" if confirmed is None else "unchanged" if confirmed == digest else "update"
    return PushRecord(report.kind, report.target, report.content_type, action, digest, len(report.body))


def _deliver_all(
    ledger: Ledger,
    connector: DestinationConnector,
    planned: Iterable[tuple[PushRecord, RenderedReport]],
    states: dict[Address, TargetState],
) -> list[PushRecord]:
    """Send what changed, in order, and record each batch of sends in one transaction together with the
    unchanged targets planned before them (nothing was asked of the destination for those), so the log
    keeps the order of the plans.

    A batch is one send, so a killed run loses the record of at most the one in flight; or, to a
    destination whose re-send is harmless (``resend_is_harmless``), ``BATCH`` sends: a killed run may
    re-send that many, which rewrites the same bytes in the same place.
    """
    size = BATCH if connector.resend_is_harmless else 1
    records: list[PushRecord] = []
    chunk: list[tuple[PushRecord, RenderedReport]] = []
    sends = 0
    for plan, report in planned:
        chunk.append((plan, report))
        sends += plan.action != "unchanged"
        if sends == size:
            records += _deliver(ledger, connector, chunk, states)
            chunk, sends = [], 0
    return records + _deliver(ledger, connector, chunk, states)


def _deliver(
    ledger: Ledger,
    connector: DestinationConnector,
    chunk: list[tuple[PushRecord, RenderedReport]],
    states: dict[Address, TargetState],
) -> list[PushRecord]:
    """Send the chunk's changed reports in one call, then record the whole chunk in one transaction."""
    sends = [report for plan, report in chunk if plan.action != "unchanged"]
    results = iter(_push(connector, sends))
    records, entries = [], []
    for plan, report in chunk:
        if plan.action == "unchanged":
            records.append(replace(plan, outcome=PushOutcome.UNCHANGED))
            entries.append(Entry(plan.address, plan.content_hash, PushOutcome.UNCHANGED))
            continue
        result = next(results)
        state = states.get(plan.address)
        attempt = (state.attempts if state else 0) + 1
        error = result.detail if result.outcome is PushOutcome.FAILED else None
        entries.append(Entry(plan.address, plan.content_hash, result.outcome, attempt, error, sent=True))
        records.append(replace(plan, outcome=result.outcome, detail=result.detail))
        if error:
            log.warning(
                "district %s: push to %s: %s report for %s failed (attempt %d): %s",
                ledger.district_id,
                ledger.destination,
                report.kind,
                report.target,
                attempt,
                error,
            )
    ledger.record(entries)
    return records


def _push(connector: DestinationConnector, reports: list[RenderedReport]) -> list[PushResult]:
    """The reports through the connector, one result each in order; whatever it raises or answers wrongly
    is a failure of every report of the call, not a crash."""
    if not reports:
        return []
    try:
        results = connector.push(reports)
    except Exception as error:  # a connector's bug must not leave the ledger claiming success
        log.debug("%s raised while pushing", connector.name, exc_info=True)
        detail = f"connector error: {type(error).__name__}"
        return [PushResult(report.target, PushOutcome.FAILED, detail) for report in reports]
    if len(results) != len(reports) or any(
        result.target != report.target for result, report in zip(results, reports, strict=False)
    ):
        detail = f"connector answered {len(results)} result(s) for {len(reports)} report(s)"
        return [PushResult(report.target, PushOutcome.FAILED, detail) for report in reports]
    return [
        PushResult(report.target, PushOutcome(result.outcome), result.detail)
        for result, report in zip(results, reports, strict=True)
    ]
