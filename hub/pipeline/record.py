"""Settling matches and the test of record over every stored row, after the night's files are applied.

Tonight's rows were matched and marked as they loaded; once the roster changed, every row stored on an
earlier night is matched again against today's roster (a student added tonight takes their old results,
one who left gives theirs up, as a load of the same files from scratch would decide), and a test stored
from an earlier file can still move a window's test of record. Only the rows whose match or flag moved
are written back.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from hub.connector import NormalizedBatch, SyncMode
from hub.diagnostics import DiagnosticsPolicy, duplicate_tests, mark_test_of_record, match_students
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
ROSTER = ["person", "person_identifier"]
MATCHED = ["source_id", "vendor_student_id", "person_source_id", "match_status"]
"""What matching again reads of each stored lesson_evidence row."""


@dataclass(slots=True)
class RecordSummary:
    rematched: int
    results: int
    tests_of_record: int
    duplicates: int  # tests stored twice (``duplicate_tests``)
    settled: bool = True  # False: nothing it depends on changed since the last settling, so none was done


def settle_results(run: DistrictRun, policy: DiagnosticsPolicy) -> RecordSummary:
    """Match stored results and lesson summaries again (all of them after a roster change, else those
    still waiting for a student), then mark the test of record over every result.

    Reads only the columns the rules need and writes back, as a patch, only the rows whose person, match
    or flag moved: on a night whose rows were matched and marked as they loaded, under an unchanged roster,
    that is none. On a night when no diagnostic row changed, nor the roster, it reads nothing at all.
    """
    policy_key = policy.model_dump_json(include={"id_precedence", "rapid_guessing_threshold"})
    last = run.warehouse.step_record(run.district_id, STEP)
    if unchanged(run, last, ["assessment_result", "lesson_evidence", *ROSTER], policy_key):
        return RecordSummary(**last.summary["summary"], rematched=0, settled=False)
    # rows are matched as they load: only a roster change since the last settling (or none yet) can move
    # a stored row's match; else only the rows still waiting for a student are tried again
    every = last.through_run is None or run.warehouse.changed_after(run.district_id, last.through_run, ROSTER)
    stored = run.warehouse.read("assessment_result", run.district_id, columns=SETTLED_COLUMNS)
    before = stored.select(["source_id", "person_source_id", "match_status", "is_test_of_record"])
    waiting = pc.not_equal(stored["match_status"], "matched")
    identifiers = roster_identifiers(run) if every or pc.any(waiting).as_py() else None
    stored, rematched = _match_again(stored, identifiers, policy, None if every else waiting)
    marked = mark_test_of_record(stored, rapid_guessing_threshold=policy.rapid_guessing_threshold)
    moved = _changed(marked, before, "is_test_of_record").select(
        ["source_id", "person_source_id", "match_status", "is_test_of_record"]
    )
    lessons = pa.table({name: pa.array([], pa.string()) for name in MATCHED})
    if every:
        lessons = run.warehouse.read("lesson_evidence", run.district_id, columns=MATCHED)
        matched, _ = _match_again(lessons, identifiers, policy, None)
        lessons = _changed(matched, lessons.select(["source_id", "person_source_id", "match_status"]))
    summary = {
        "results": marked.num_rows,
        "tests_of_record": pc.sum(marked.column("is_test_of_record")).as_py() or 0,
        "duplicates": duplicate_tests(marked).num_rows,
    }
    tables = {"assessment_result": moved, "lesson_evidence": lessons.drop_columns(["vendor_student_id"])}
    run.warehouse.apply_step(
        run.district_id,
        STEP,
        NormalizedBatch(tables, dict.fromkeys(tables, SyncMode.PATCH)),
        policy_key=policy_key,
        summary={"summary": summary},
    )
    return RecordSummary(**summary, rematched=rematched)


def _match_again(
    stored: pa.Table, identifiers: pa.Table | None, policy: DiagnosticsPolicy, only: pa.ChunkedArray | None
) -> tuple[pa.Table, int]:
    """``stored`` with every row (or the ``only`` rows) matched against today's roster ``identifiers``,
    and how many rows found a student they had not."""
    if identifiers is None or not stored.num_rows:
        return stored, 0
    again = stored if only is None else stored.filter(only)
    matched = match_students(again, identifiers, policy.id_precedence).results.select(stored.column_names)
    found = pc.and_(
        pc.equal(matched["match_status"], "matched"), pc.not_equal(again["match_status"], "matched")
    )
    rest = [] if only is None else [stored.filter(pc.invert(only))]
    return pa.concat_tables([*rest, matched]), pc.sum(found).as_py() or 0


def _changed(now: pa.Table, before: pa.Table, *flags: str) -> pa.Table:
    """Only the rows whose person, match status or ``flags`` moved: the rest are stored as they are."""
    compared = ["person_source_id", "match_status", *flags]
    was = before.select(["source_id", *compared]).rename_columns(
        ["source_id", *(f"_{name}_before" for name in compared)]
    )
    joined = now.join(was, "source_id", join_type="left outer")
    moved = pa.array([False] * joined.num_rows, pa.bool_())
    for name in compared:
        value, previous = joined[name], joined[f"_{name}_before"]
        same = pc.coalesce(pc.equal(value, previous), pc.and_(pc.is_null(value), pc.is_null(previous)))
        moved = pc.or_(moved, pc.invert(same))
    return joined.filter(moved).drop_columns([f"_{name}_before" for name in compared])
