"""Settling the test of record over every stored result, after the night's files are applied.

Tonight's files were marked as they loaded; a test stored from an earlier file, or a student the roster
now names, can still move a window's test of record, and only those rows are written back.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from hub.connector import NormalizedBatch, SyncMode
from hub.diagnostics import DiagnosticsPolicy, duplicate_tests, mark_test_of_record, rematch
from hub.diagnostics.record import RESULT_COLUMNS as RECORD_COLUMNS
from hub.pipeline.context import DistrictRun
from hub.pipeline.derived import unchanged
from hub.pipeline.diagnostics import roster_identifiers

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
STEP = "assessment_results"  # the night's step that settles, whose step_state keeps what it last settled


@dataclass(slots=True)
class RecordSummary:
    rematched: int
    results: int
    tests_of_record: int
    duplicates: int  # tests stored twice (``duplicate_tests``)
    settled: bool = True  # False: nothing it depends on changed since the last settling, so none was done


def settle_results(run: DistrictRun, policy: DiagnosticsPolicy) -> RecordSummary:
    """Match again what was unmatched, then mark the test of record over every stored result.

    Reads only the columns the rule needs and writes back, as a patch, only the rows whose person or flag
    moved: on a night whose files were marked as they loaded, that is none. On a night when no result
    changed (nor the roster, while some results wait for a match) it reads nothing at all.
    """
    policy_key = policy.model_dump_json(include={"id_precedence", "rapid_guessing_threshold"})
    last = run.warehouse.step_record(run.district_id, STEP)
    inputs = ["assessment_result", *(["person", "person_identifier"] if last.summary.get("pending") else [])]
    if unchanged(run, last, inputs, policy_key):
        return RecordSummary(**last.summary["summary"], rematched=0, settled=False)
    stored = run.warehouse.read("assessment_result", run.district_id, columns=SETTLED_COLUMNS)
    before = stored.select(["source_id", "person_source_id", "is_test_of_record"])
    rematched = 0
    if stored.num_rows and pc.any(pc.not_equal(stored.column("match_status"), "matched")).as_py():
        outcome = rematch(stored, roster_identifiers(run), policy.id_precedence)
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
    run.warehouse.apply_step(
        run.district_id,
        STEP,
        NormalizedBatch({"assessment_result": moved}, {"assessment_result": SyncMode.PATCH}),
        policy_key=policy_key,
        summary={"pending": pending, "summary": summary},
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
