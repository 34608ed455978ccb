"""What matching found, per source file, and the gate that stops a file too few of whose students match."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics.errors import MatchGateError

SAMPLE_IDS = 10
"""How many unmatched vendor ids a report keeps: enough to spot the pattern, few enough to read."""


@dataclass(frozen=True, slots=True)
class MatchReport:
    """How one source file (or all results, when they name no file) matched. Counts are result rows."""

    file: str | None
    matched: int
    unmatched: int
    ambiguous: int
    unmatched_ids: tuple[str, ...]  # the first distinct ones, in file order; ids only, never names
    ambiguous_ids: tuple[str, ...]
    id_types: tuple[str, ...]  # the precedence that was tried

    @property
    def total(self) -> int:
        return self.matched + self.unmatched + self.ambiguous

    @property
    def match_rate(self) -> float:
        """Share of rows that found exactly one person; an empty file has nothing wrong with it (1.0)."""
        return self.matched / self.total if self.total else 1.0

    def passes(self, min_rate: float) -> bool:
        return self.match_rate >= min_rate


def enforce_match_rate(report: MatchReport, min_rate: float = 0.95) -> None:
    """Raise ``MatchGateError`` when fewer than ``min_rate`` of the report's rows matched."""
    if report.passes(min_rate):
        return
    where = report.file or "diagnostic results"
    lines = [
        f"{where}: {report.match_rate:.1%} of {report.total} results matched a roster student "
        f"({report.unmatched} unmatched, {report.ambiguous} ambiguous); at least {min_rate:.1%} must match "
        "before the file is loaded."
    ]
    if report.unmatched_ids:
        lines.append(f"First unmatched vendor student ids: {', '.join(report.unmatched_ids)}.")
    if report.ambiguous_ids:
        lines.append(f"Vendor student ids naming two or more people: {', '.join(report.ambiguous_ids)}.")
    lines.append(
        f"Tried id types, in order: {', '.join(report.id_types)}. To fix: run the roster sync first so "
        "that new students are on the roster, or set diagnostics.id_precedence in hub.yaml to the id type "
        "this vendor's student ids are."
    )
    raise MatchGateError("\n".join(lines), file=report.file)


def build_reports(
    status: pa.ChunkedArray | pa.Array,
    vendor_ids: pa.ChunkedArray | pa.Array,
    files: pa.ChunkedArray | None,
    id_types: tuple[str, ...],
    sample_size: int = SAMPLE_IDS,
) -> tuple[MatchReport, ...]:
    """One report per distinct file in ``files`` (first seen first), or a single one without files."""
    if files is None:
        return (_report(None, status, vendor_ids, id_types, sample_size),)
    reports = []
    for file in pc.unique(files).to_pylist():  # one pass per file, not per row
        in_file = pc.is_null(files) if file is None else pc.fill_null(pc.equal(files, file), False)
        reports.append(
            _report(file, status.filter(in_file), vendor_ids.filter(in_file), id_types, sample_size)
        )
    return tuple(reports)


def _report(
    file: str | None,
    status: pa.ChunkedArray | pa.Array,
    vendor_ids: pa.ChunkedArray | pa.Array,
    id_types: tuple[str, ...],
    sample_size: int,
) -> MatchReport:
    def first_ids(kind: str) -> tuple[str, ...]:
        ids = pc.unique(pc.drop_null(vendor_ids.filter(pc.equal(status, kind))))
        return tuple(ids.slice(0, sample_size).to_pylist())

    def count(kind: str) -> int:
        return pc.sum(pc.equal(status, kind)).as_py() or 0

    return MatchReport(
        file=file,
        matched=count("matched"),
        unmatched=count("unmatched"),
        ambiguous=count("ambiguous"),
        unmatched_ids=first_ids("unmatched"),
        ambiguous_ids=first_ids("ambiguous"),
        id_types=id_types,
    )


def combined_reports(reports: Iterable[MatchReport], sample_size: int = SAMPLE_IDS) -> list[MatchReport]:
    """One report per file of ``reports``, which are those of consecutive blocks of the same rows: the
    counts added, the ids the first distinct ones over the blocks in order (first seen file first)."""
    by_file: dict[str | None, MatchReport] = {}
    for report in reports:
        held = by_file.get(report.file)
        by_file[report.file] = (
            report
            if held is None
            else replace(
                held,
                matched=held.matched + report.matched,
                unmatched=held.unmatched + report.unmatched,
                ambiguous=held.ambiguous + report.ambiguous,
                unmatched_ids=_first(held.unmatched_ids + report.unmatched_ids, sample_size),
                ambiguous_ids=_first(held.ambiguous_ids + report.ambiguous_ids, sample_size),
            )
        )
    return list(by_file.values())


def _first(ids: tuple[str, ...], sample_size: int) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))[:sample_size]
