"""The diagnostics stage's matching: vendor results to roster students, before the apply, so that a file
below the match-rate threshold is not loaded at all.

What follows the apply works over everything stored: ``hub.pipeline.record`` matches stored rows again
against today's roster and settles the test of record (tonight's file may complete a window an earlier
file began, and a student matched tonight joins their window) and ``hub.pipeline.gaps`` derives the skill
gaps.

The gate judges the rows a night applies. A tracked source (``hub.tracked.rows_since``) hands over, of a
cumulative export, only the tests of the students whose rows are new or changed since its last committed
apply, so on a next night the gate judges tonight's new and changed rows (with their students' other
tests), not the rows it judged and loaded on earlier nights: a file swapped for another district's or
keyed by other ids changes every row and is judged whole, while old rows that stopped matching (a student
who left) cannot refuse tonight's new tests. A refused night records no files read, so the next night
judges the same rows again, with whatever has changed since, under the roster of that night.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from hub.connector import NormalizedBatch, SyncMode
from hub.diagnostics import (
    DiagnosticsPolicy,
    MatchGateError,
    MatchReport,
    active_identifiers,
    enforce_match_rate,
    mark_test_of_record,
    match_students,
)
from hub.pipeline.context import DistrictRun

log = logging.getLogger(__name__)

FILE_COLUMN = "source_file"


@dataclass(slots=True)
class MatchGate:
    """What matching decided for one source's files, kept for the asset check."""

    reports: list[MatchReport] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # file -> the gate's message
    refused_by: dict[str, list[str]] = field(default_factory=dict)  # source -> its refused files


def roster_identifiers(run: DistrictRun) -> pa.Table:
    """The identifiers of the roster's active students: what vendor ids are matched against."""
    return active_identifiers(
        run.warehouse.read(
            "person_identifier", run.district_id, columns=["person_source_id", "id_type", "value"]
        ),
        run.warehouse.read("person", run.district_id, columns=["source_id", "role", "status"]),
    )


@dataclass
class MatchTransform:
    """Match results to persons, drop the files (their results and domains) that fail the gate, and
    mark the test of record among what is left.

    The roster's identifiers are read once for the whole stage: every source of it matches against the
    same roster, which does not change while the stage runs. Marking here means a first load writes each
    result once, flag included; ``settle_results`` then settles the flag against everything stored.

    It names no ``reads``: a roster change applies no unchanged file again, since ``settle_results``
    matches every stored row against the new roster (a night's cost follows the files that changed).
    """

    policy: DiagnosticsPolicy
    gate: MatchGate
    reads: tuple[str, ...] = ()
    _identifiers: pa.Table | None = field(default=None, init=False, repr=False)

    @property
    def settings(self) -> str:
        return self.policy.model_dump_json()

    def held(self, connector: str) -> bool:
        return bool(self.gate.refused_by.get(connector))

    def identifiers(self, run: DistrictRun) -> pa.Table:
        if self._identifiers is None:
            self._identifiers = roster_identifiers(run)
        return self._identifiers

    def __call__(self, run: DistrictRun, connector: str, batch: NormalizedBatch) -> NormalizedBatch:
        policy, gate = self.policy, self.gate
        results = batch.tables.get("assessment_result")
        if results is None:
            return batch
        identifiers = self.identifiers(run)
        outcome = match_students(results, identifiers, policy.id_precedence, file_column=FILE_COLUMN)
        gate.reports.extend(outcome.reports)
        refused: list[str | None] = []
        for report in outcome.reports:
            try:
                enforce_match_rate(report, policy.min_match_rate)
            except MatchGateError as refusal:
                refused.append(report.file)
                gate.refused[report.file or connector] = str(refusal)
                gate.refused_by.setdefault(connector, []).append(report.file or connector)
                log.warning(
                    "district %s: %s not loaded: match rate %.1f%%",
                    run.district_id,
                    report.file or connector,
                    100 * report.match_rate,
                )
        tables = dict(batch.tables)
        tables["assessment_result"] = mark_test_of_record(
            _without_files(outcome.results, refused),
            rapid_guessing_threshold=policy.rapid_guessing_threshold,
        )
        if tables.get("lesson_evidence") is not None and tables["lesson_evidence"].num_rows:
            # evidence of practice, not placement: matched, never gated
            lessons = match_students(tables["lesson_evidence"], identifiers, policy.id_precedence)
            tables["lesson_evidence"] = lessons.results
        if refused and "domain_result" in tables:  # a refused file's domains go with its results
            loaded = tables["assessment_result"].column("source_id").combine_chunks()
            domains = tables["domain_result"]
            tables["domain_result"] = domains.filter(pc.is_in(domains.column("result_source_id"), loaded))
        # Diagnostic exports are year-to-date or per window: what a file leaves out is not gone.
        return NormalizedBatch(tables, {name: SyncMode.DELTA for name in tables}, {}, batch.issues)


def match_transform(policy: DiagnosticsPolicy, gate: MatchGate) -> MatchTransform:
    """The diagnostics stage's transform (``MatchTransform``), reporting into ``gate``."""
    return MatchTransform(policy, gate)


def _without_files(results: pa.Table, refused: list[str | None]) -> pa.Table:
    if not refused:
        return results
    if None in refused or FILE_COLUMN not in results.column_names:
        return results.slice(0, 0)
    return results.filter(pc.invert(pc.is_in(results.column(FILE_COLUMN), pa.array(refused, pa.string()))))
