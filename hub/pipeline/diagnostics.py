"""The diagnostics stage's matching: vendor results to roster students, before the apply, so that a file
below the match-rate threshold is not loaded at all.

What follows the apply works over everything stored: ``hub.pipeline.record`` matches stored rows again
against today's roster and settles the test of record (tonight's file may complete a window an earlier
file began, and a student matched tonight joins their window) and ``hub.pipeline.gaps`` derives the skill
gaps.

The gate judges each file whole. A tracked source (``hub.tracked.rows_since``) hands over, of a cumulative
export, only the tests of the students whose rows are new or changed since its last committed apply; the
file's other rows count as matched, as they were when the gate let them in (``as_whole_file``). So a few
new tests of students the roster does not know yet are a few unmatched rows of the file, loaded unmatched
and matched again on later nights (they never hold a night), while a file swapped for another district's,
or keyed by other ids, changes every row and is refused as before. A refused night records no files
read, so the next night judges the same rows again, under the roster of that night.

A source that hands its results in blocks (``NormalizedBatch.blocks``, kept on disk to be read twice) is
judged the same way: a first pass matches every block and adds up each file's counts, and only then are
the blocks matched, gated and marked again on their way into the apply, so that no block of a refused
file is applied, however well its first blocks matched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

import pyarrow as pa
import pyarrow.compute as pc

from hub.connector import NormalizedBatch, SyncMode
from hub.diagnostics import (
    DiagnosticsPolicy,
    MatchGateError,
    MatchOutcome,
    MatchReport,
    RosterIds,
    active_identifiers,
    combined_reports,
    enforce_match_rate,
    mark_test_of_record,
    match_to,
    roster_ids,
)
from hub.pipeline.context import DistrictRun

log = logging.getLogger(__name__)

FILE_COLUMN = "source_file"
RESULTS, DOMAINS = "assessment_result", "domain_result"


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

    The roster's identifiers are read, and what each id could name worked out, once for the whole stage:
    every source (and every block) of it matches against the same roster, which does not change while the
    stage runs. Marking here means a first load writes each result once, flag included;
    ``settle_results`` then settles the flag against everything stored.

    It names no ``reads``: a roster change applies no unchanged file again, since ``settle_results``
    matches every stored row against the new roster (a night's cost follows the files that changed).
    """

    policy: DiagnosticsPolicy
    gate: MatchGate
    reads: tuple[str, ...] = ()
    _roster: RosterIds | None = field(default=None, init=False, repr=False)

    @property
    def settings(self) -> str:
        return self.policy.model_dump_json()

    def held(self, connector: str) -> bool:
        return bool(self.gate.refused_by.get(connector))

    def roster(self, run: DistrictRun) -> RosterIds:
        if self._roster is None:
            self._roster = roster_ids(roster_identifiers(run), self.policy.id_precedence)
        return self._roster

    def __call__(
        self,
        run: DistrictRun,
        connector: str,
        batch: NormalizedBatch,
        whole_files: Mapping[str, int] | None = None,
    ) -> NormalizedBatch:
        tables = dict(batch.tables)
        in_blocks = RESULTS not in tables and RESULTS in batch.modes
        if not in_blocks and RESULTS not in tables:
            return batch
        roster = self.roster(run)
        blocks: Iterable[Mapping[str, pa.Table]] = ()
        if in_blocks:
            if isinstance(batch.blocks, Iterator):
                raise TypeError(
                    f"{connector}: the match gate reads a source's blocks twice; hand in a collection"
                )
            # every file judged whole before any of it is applied: a first pass over the blocks counts
            reports = (
                report
                for block in batch.blocks
                if RESULTS in block
                for report in self._matched(block[RESULTS], roster).reports
            )
            refused = self._judge(run, connector, combined_reports(reports), whole_files)
            blocks = self._gated_blocks(batch.blocks, roster, refused)
        else:
            outcome = self._matched(tables[RESULTS], roster)
            refused = self._judge(run, connector, outcome.reports, whole_files)
            tables.update(self._gated(outcome.results, tables.get(DOMAINS), refused))
        if tables.get("lesson_evidence") is not None and tables["lesson_evidence"].num_rows:
            # evidence of practice, not placement: matched, never gated
            lessons = match_to(tables["lesson_evidence"], roster)
            tables["lesson_evidence"] = lessons.results
        # Diagnostic exports are year-to-date or per window: what a file leaves out is not gone.
        names = [*tables, *((RESULTS, DOMAINS) if in_blocks else ())]
        return NormalizedBatch(tables, dict.fromkeys(names, SyncMode.DELTA), {}, batch.issues, blocks)

    def _matched(self, results: pa.Table, roster: RosterIds) -> MatchOutcome:
        return match_to(results, roster, file_column=FILE_COLUMN)

    def _judge(
        self,
        run: DistrictRun,
        connector: str,
        reports: Iterable[MatchReport],
        whole_files: Mapping[str, int] | None,
    ) -> list[str | None]:
        """The gate's verdict on each file: the files refused, noted in ``gate``."""
        gate, refused = self.gate, []
        judged = [as_whole_file(report, whole_files) for report in reports]
        gate.reports.extend(judged)
        for report in judged:
            try:
                enforce_match_rate(report, self.policy.min_match_rate)
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
        return refused

    def _gated(
        self, matched: pa.Table, domains: pa.Table | None, refused: list[str | None]
    ) -> dict[str, pa.Table]:
        """The results of the files let in, marked, and their domains (a refused file's go with it)."""
        results = mark_test_of_record(
            _without_files(matched, refused), rapid_guessing_threshold=self.policy.rapid_guessing_threshold
        )
        gated = {RESULTS: results}
        if domains is not None and refused:
            loaded = results.column("source_id").combine_chunks()
            domains = domains.filter(pc.is_in(domains.column("result_source_id"), loaded))
        if domains is not None:
            gated[DOMAINS] = domains
        return gated

    def _gated_blocks(
        self, blocks: Iterable[Mapping[str, pa.Table]], roster: RosterIds, refused: list[str | None]
    ) -> Iterator[dict[str, pa.Table]]:
        """The apply pass: each block matched and gated as a whole batch is. A block holds every test of
        its students (``hub.spilled.whole_groups``), so marking a block marks whole windows; what a
        student matched under two vendor ids splits is marked again over every stored row by
        ``settle_results``, after the apply."""
        for block in blocks:
            if RESULTS in block:
                yield {
                    **block,
                    **self._gated(self._matched(block[RESULTS], roster).results, block.get(DOMAINS), refused),
                }
            else:
                yield dict(block)


def as_whole_file(report: MatchReport, whole_files: Mapping[str, int] | None) -> MatchReport:
    """The file ``report`` covers part of, judged whole: the rows it held before tonight's new and
    changed ones count as matched, as they were when the gate let them in (``whole_files``: each file's
    rows in all, given on a night that applies only some). So one new enrollee the roster does not know
    yet is one unmatched row of the file, as reading it whole would count it, not one of one."""
    if not whole_files or report.file not in whole_files:
        return report
    earlier = whole_files[report.file] - report.total
    return replace(report, matched=report.matched + earlier) if earlier > 0 else report


def match_transform(policy: DiagnosticsPolicy, gate: MatchGate) -> MatchTransform:
    """The diagnostics stage's transform (``MatchTransform``), reporting into ``gate``."""
    return MatchTransform(policy, gate)


def _without_files(results: pa.Table, refused: list[str | None]) -> pa.Table:
    if not refused:
        return results
    if None in refused or FILE_COLUMN not in results.column_names:
        return results.slice(0, 0)
    return results.filter(pc.invert(pc.is_in(results.column(FILE_COLUMN), pa.array(refused, pa.string()))))
