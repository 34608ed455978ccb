"""The diagnostics stage: match vendor results to the roster, gate files that match too few, mark the test
of record over everything stored, and derive skill gaps.

Matching happens before the apply so that a file below the match-rate threshold is not loaded at all; the
test of record and the gaps are recomputed over the district's stored results afterwards, because tonight's
file may complete a window an earlier file began (and a student matched tonight joins their window).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import ColumnElement, and_, func, or_, select

from hub.connector import NormalizedBatch, SyncMode
from hub.diagnostics import (
    DiagnosticsPolicy,
    MatchGateError,
    MatchReport,
    active_identifiers,
    duplicate_tests,
    enforce_match_rate,
    mark_test_of_record,
    match_students,
    rematch,
    skill_gaps,
)
from hub.diagnostics.config import GapThresholds
from hub.diagnostics.gaps import DOMAIN_COLUMNS as GAP_DOMAIN_COLUMNS
from hub.diagnostics.gaps import RESULT_COLUMNS as GAP_RESULT_COLUMNS
from hub.diagnostics.record import RESULT_COLUMNS as RECORD_COLUMNS
from hub.model import sql_table
from hub.pipeline.context import DistrictRun
from hub.pipeline.sources import BatchTransform

log = logging.getLogger(__name__)

FILE_COLUMN = "source_file"
DERIVED = "diagnostics"  # the connector name the hub's own derived writes are recorded under
SETTLED_COLUMNS = [
    *RECORD_COLUMNS,
    "scale_score",  # for the duplicate-test check
    "rushed",
    "rapid_guessing_percent",
    "vendor_most_recent",
    "is_test_of_record",
    "match_status",
]
"""What settling the test of record reads of each stored result: the rule's inputs, not the scores."""


@dataclass(slots=True)
class MatchGate:
    """What matching decided for one source's files, kept for the asset check."""

    reports: list[MatchReport] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # file -> the gate's message


def _identifiers(run: DistrictRun) -> pa.Table:
    return active_identifiers(
        run.warehouse.read(
            "person_identifier", run.district_id, columns=["person_source_id", "id_type", "value"]
        ),
        run.warehouse.read("person", run.district_id, columns=["source_id", "role", "status"]),
    )


def match_transform(policy: DiagnosticsPolicy, gate: MatchGate) -> BatchTransform:
    """Match results to persons, drop the files (their results and domains) that fail the gate, and
    mark the test of record among what is left.

    The roster's identifiers are read once for the whole stage: every source of it matches against the
    same roster, which does not change while the stage runs. Marking here means a first load writes each
    result once, flag included; ``settle_results`` then settles the flag against everything stored.
    """
    roster: dict[str, pa.Table] = {}

    def identifiers(run: DistrictRun) -> pa.Table:
        if "identifiers" not in roster:
            roster["identifiers"] = _identifiers(run)
        return roster["identifiers"]

    def transform(run: DistrictRun, connector: str, batch: NormalizedBatch) -> NormalizedBatch:
        results = batch.tables.get("assessment_result")
        if results is None:
            return batch
        outcome = match_students(results, identifiers(run), policy.id_precedence, file_column=FILE_COLUMN)
        gate.reports.extend(outcome.reports)
        refused: list[str | None] = []
        for report in outcome.reports:
            try:
                enforce_match_rate(report, policy.min_match_rate)
            except MatchGateError as refusal:
                refused.append(report.file)
                gate.refused[report.file or connector] = str(refusal)
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
            lessons = match_students(tables["lesson_evidence"], identifiers(run), policy.id_precedence)
            tables["lesson_evidence"] = lessons.results
        if refused and "domain_result" in tables:  # a refused file's domains go with its results
            loaded = tables["assessment_result"].column("source_id").combine_chunks()
            domains = tables["domain_result"]
            tables["domain_result"] = domains.filter(pc.is_in(domains.column("result_source_id"), loaded))
        # Diagnostic exports are year-to-date or per window: what a file leaves out is not gone.
        return NormalizedBatch(tables, {name: SyncMode.DELTA for name in tables}, {}, batch.issues)

    return transform


def _without_files(results: pa.Table, refused: list[str | None]) -> pa.Table:
    if not refused:
        return results
    if None in refused or FILE_COLUMN not in results.column_names:
        return results.slice(0, 0)
    return results.filter(pc.invert(pc.is_in(results.column(FILE_COLUMN), pa.array(refused, pa.string()))))


@dataclass(slots=True)
class RecordSummary:
    rematched: int
    results: int
    tests_of_record: int
    duplicates: int  # tests stored twice (``duplicate_tests``)
    settled: bool = True  # False: nothing it depends on changed since the last settling, so none was done


def _unchanged(run: DistrictRun, derived: str, tables: list[str], policy_key: str) -> dict | None:
    """The state a derived step saved last time, if neither its input tables nor its policy moved since."""
    state = run.warehouse.connector_state(run.district_id, derived)
    if state.get("policy") != policy_key or run.warehouse.changed_since(run.district_id, derived, tables):
        return None
    return state


def settle_results(run: DistrictRun, policy: DiagnosticsPolicy) -> RecordSummary:
    """Match again what was unmatched, then mark the test of record over every stored result.

    Reads only the columns the rule needs and writes back, as a patch, only the rows whose person or flag
    moved: on a night whose files were marked as they loaded, that is none. On a night when no result
    changed (nor the roster, while some results wait for a match) it reads nothing at all.
    """
    derived = f"{DERIVED}_results"
    policy_key = policy.model_dump_json(include={"id_precedence", "rapid_guessing_threshold"})
    last = run.warehouse.connector_state(run.district_id, derived)
    inputs = ["assessment_result", *(["person", "person_identifier"] if last.get("pending") else [])]
    if (state := _unchanged(run, derived, inputs, policy_key)) is not None:
        return RecordSummary(**state["summary"], rematched=0, settled=False)
    stored = run.warehouse.read("assessment_result", run.district_id, columns=SETTLED_COLUMNS)
    before = stored.select(["source_id", "person_source_id", "is_test_of_record"])
    rematched = 0
    if stored.num_rows and pc.any(pc.not_equal(stored.column("match_status"), "matched")).as_py():
        outcome = rematch(stored, _identifiers(run), policy.id_precedence)
        newly = outcome.results.filter(pc.equal(outcome.results.column("match_status"), "matched"))
        rematched = newly.num_rows
        if rematched:
            ids = newly.column("source_id").combine_chunks()
            stored = pa.concat_tables(
                [
                    stored.filter(pc.invert(pc.is_in(stored.column("source_id"), ids))),
                    newly.select(stored.column_names),
                ]
            )
    marked = mark_test_of_record(stored, rapid_guessing_threshold=policy.rapid_guessing_threshold)
    moved = _changed(marked, before).select(
        ["source_id", "person_source_id", "match_status", "is_test_of_record"]
    )
    summary = {
        "results": marked.num_rows,
        "tests_of_record": pc.sum(marked.column("is_test_of_record")).as_py() or 0,
        "duplicates": duplicate_tests(marked).num_rows,
    }
    pending = pc.sum(pc.not_equal(marked.column("match_status"), "matched")).as_py() or 0
    run.warehouse.apply(
        run.district_id,
        derived,
        NormalizedBatch({"assessment_result": moved}, {"assessment_result": SyncMode.PATCH}),
        state={"policy": policy_key, "pending": pending, "summary": summary},
    )
    return RecordSummary(**summary, rematched=rematched)


def _changed(marked: pa.Table, before: pa.Table) -> pa.Table:
    """Only the rows whose person or test-of-record flag moved: the rest are already stored as they are."""
    was = before.rename_columns(["source_id", "_person_before", "_record_before"])
    joined = marked.join(was, "source_id", join_type="left outer")
    person, person_before = joined["person_source_id"], joined["_person_before"]
    same_person = pc.coalesce(
        pc.equal(person, person_before), pc.and_(pc.is_null(person), pc.is_null(person_before))
    )
    moved = pc.or_(
        pc.fill_null(pc.not_equal(joined["is_test_of_record"], joined["_record_before"]), True),
        pc.invert(same_person),
    )
    return joined.filter(moved).drop_columns(["_person_before", "_record_before"])


@dataclass(frozen=True, slots=True)
class GapSummary:
    """What the district's skill_gap table holds after ``derive_skill_gaps``."""

    by_domain: pa.Table  # subject, canonical_domain, gaps
    students: int
    derived: bool  # False: nothing the gaps depend on changed since they were last derived

    @property
    def rows(self) -> int:
        return pc.sum(self.by_domain.column("gaps")).as_py() or 0


def derive_skill_gaps(run: DistrictRun, policy: DiagnosticsPolicy) -> GapSummary:
    """Skill gaps from every test of record; the gap table is rebuilt whole (bulk) when a result or domain
    changed since the last time, or the thresholds did.

    SQL hands over only tests of record and the domain rows that are behind by the thresholds: most of a
    district's domain rows are not, and carrying them through Python is most of the cost.
    """
    derived = f"{DERIVED}_gaps"
    thresholds = policy.gap_thresholds
    policy_key = thresholds.model_dump_json()
    inputs = ["assessment_result", "domain_result"]
    unchanged = _unchanged(run, derived, inputs, policy_key) is not None
    if not unchanged:
        results = sql_table("assessment_result")
        of_record = and_(results.c.is_test_of_record.is_(True), results.c.person_source_id.is_not(None))
        gaps = skill_gaps(
            run.warehouse.read(
                "assessment_result", run.district_id, columns=GAP_RESULT_COLUMNS, where=of_record
            ),
            run.warehouse.read(
                "domain_result", run.district_id, columns=GAP_DOMAIN_COLUMNS, where=_may_be_gaps(thresholds)
            ),
            thresholds,
        )
        run.warehouse.apply(
            run.district_id,
            derived,
            NormalizedBatch({"skill_gap": gaps}, {"skill_gap": SyncMode.BULK}),
            state={"policy": policy_key},
            max_delete_fraction=1.0,  # gaps close as students grow: removals here are the point, not a risk
        )
    return _gap_summary(run, derived=not unchanged)


def _gap_summary(run: DistrictRun, *, derived: bool) -> GapSummary:
    """Counted in SQL from the stored gaps, whether derived tonight or kept from an earlier night."""
    gaps = sql_table("skill_gap")
    mine = and_(gaps.c.district_id == run.district_id, gaps.c.status == "active")
    by_domain = run.warehouse.query(
        select(gaps.c.subject, gaps.c.canonical_domain, func.count().label("gaps"))
        .where(mine)
        .group_by(gaps.c.subject, gaps.c.canonical_domain)
        .order_by(gaps.c.subject, gaps.c.canonical_domain)
    )
    students = run.warehouse.query(
        select(func.count(gaps.c.person_source_id.distinct()).label("students")).where(mine)
    )
    return GapSummary(by_domain, students.column("students")[0].as_py(), derived)


def _may_be_gaps(thresholds: GapThresholds) -> ColumnElement[bool]:
    """Domain rows that may be gaps: a superset of what ``skill_gaps`` keeps. Whether their test is the
    test of record is left to ``skill_gaps``: nearly every test is, and joining in SQL costs a lookup for
    each of the district's domain rows."""
    domains = sql_table("domain_result")
    adjectives = [name.strip().lower() for name in thresholds.adjectives]
    return and_(
        domains.c.canonical_domain.is_not(None),
        or_(
            domains.c.grade_levels_below >= thresholds.min_grade_levels_below,
            func.lower(func.trim(domains.c.goal_adjective)).in_(adjectives),
        ),
    )
