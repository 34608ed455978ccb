"""Checking one log file a block at a time, so that a log of gigabytes is never held whole.

Two passes. The first checks what each row answers alone (``validate.row_checks``), block by block as
the file is read, and spills the rows with their verdict to a temporary Arrow file, noting which sessions
each block holds. The checks over a whole session then run over the spilled blocks: a session's rows must
agree on its fields, and a student appears once in it. Only the rows of the sessions that lie in more than
one block, or disagree within one, are ever held together, to compare them whole and to word why. Issues
come out in the order a check of the whole file words them; the fixes (``fixes``) and the mastery checks
(``mastery``) run on each block of checked rows.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from connectors.session_log.fixes import Warnings, fix
from connectors.session_log.mastery import check_issues
from connectors.session_log.reading import INSTANCE
from connectors.session_log.validate import conflict_reasons, conflicting, row_checks, session_keys
from hub.connector import Issue
from hub.csvtext import Rejects, repeats

REJECTED = "_rejected"  # the spill's verdict of the first pass


@dataclass(slots=True)
class Checks:
    """What checking one file found, complete once its checked blocks are read."""

    rows: int = 0
    rejected: int = 0
    issues: list[Issue] = field(default_factory=list)
    """rejects (check by check), then the fixes' warnings"""
    mastery: list[Issue] = field(default_factory=list)
    """the mastery checks that make no point (their rows load)"""
    warnings: Warnings = field(default_factory=Warnings)


@dataclass(slots=True)
class _Spilled:
    blocks: int = 0
    found: list[list[Issue]] = field(default_factory=list)
    keys: list[pa.Array] = field(default_factory=list)
    disagree: list[pa.Array] = field(default_factory=list)


def checked_blocks(blocks: Iterable[pa.Table], file: str, checks: Checks) -> Iterator[pa.Table]:
    """The rows of ``blocks`` (one file's, in order) that pass every check, fixed, a block at a time."""
    with tempfile.TemporaryDirectory(prefix="session-log-") as folder:
        spill = Path(folder) / "rows.arrow"
        first = _first_pass(blocks, file, spill, checks)
        with pa.OSFile(str(spill)) as source:
            spilled = pa.ipc.open_file(source)
            yield from _second_pass(spilled, first, file, checks)


def _first_pass(blocks: Iterable[pa.Table], file: str, spill: Path, checks: Checks) -> _Spilled:
    first = _Spilled()
    writer = None
    try:
        for block in blocks:
            rejects = row_checks(block, file)
            _gather(first.found, rejects.checks)
            keys = session_keys(rejects.table)
            first.keys.append(pc.unique(keys.combine_chunks()).drop_null())
            first.disagree.append(conflicting(rejects.table, keys))
            rows = rejects.table.append_column(REJECTED, pa.array(rejects.rejected))
            writer = writer or pa.ipc.new_file(str(spill), rows.schema)
            writer.write_batch(_one_batch(rows))
            first.blocks += 1
            checks.rows += block.num_rows
    finally:
        if writer is not None:
            writer.close()
    return first


def _second_pass(
    spilled: pa.ipc.RecordBatchFileReader, first: _Spilled, file: str, checks: Checks
) -> Iterator[pa.Table]:
    """The checks over whole sessions, block by block; then the fixes and the mastery checks."""
    counts = pc.value_counts(pa.chunked_array(first.keys, pa.string()))
    spanning = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    watched = pc.unique(pa.chunked_array([spanning, *first.disagree], pa.string()).combine_chunks())
    story = _rows_of(spilled, watched)  # every row of the sessions that span blocks or disagree
    story_keys = session_keys(story)
    disagree = conflicting(story, story_keys)
    reasons = conflict_reasons(story.filter(pc.is_in(story_keys, value_set=disagree)))
    seen = pa.array([], pa.string())  # students of the spanning sessions in the blocks before
    found: list[list[Issue]] = []
    for index in range(spilled.num_record_batches):
        rows = pa.Table.from_batches([spilled.get_batch(index)])
        table = rows.drop_columns([REJECTED])
        rejects = Rejects(table, file, rows[REJECTED].to_numpy())
        keys = session_keys(table)
        rejects.add(
            pc.is_in(keys, value_set=disagree),
            "session_conflict",
            None,
            lambda r: reasons[(r[INSTANCE], r["session_id"])],
        )
        students = pc.binary_join_element_wise(keys, table["student_id"], "\x1f")
        live = ~rejects.rejected
        twice = repeats(students, live)
        across = live & pc.is_in(keys, value_set=spanning).to_numpy(zero_copy_only=False)
        if across.any():
            twice |= across & pc.is_in(students, value_set=seen).to_numpy(zero_copy_only=False)
            more = students.filter(pa.array(across)).chunks
            seen = pc.unique(pa.chunked_array([seen, *more], pa.string()).combine_chunks())
        rejects.add(
            pa.array(twice),
            "duplicate_student",
            "student_id",
            lambda r: (
                f"student {r['student_id']} is listed twice in session {r['session_id']}; "
                "the first row is kept"
            ),
        )
        _gather(found, rejects.checks)
        checks.rejected += int(rejects.rejected.sum())
        kept = table.filter(pa.array(~rejects.rejected)) if rejects.rejected.any() else table
        kept = fix(kept, file, checks.warnings)
        checks.mastery += check_issues(kept, file)
        yield kept
    checks.issues = [issue for bucket in first.found + found for issue in bucket] + checks.warnings.issues()


def _rows_of(spilled: pa.ipc.RecordBatchFileReader, keys: pa.Array) -> pa.Table:
    """Every spilled row (rejected ones too) of the sessions ``keys`` names, in file order."""
    tables = []
    for index in range(spilled.num_record_batches if len(keys) else 0):
        rows = pa.Table.from_batches([spilled.get_batch(index)])
        tables.append(rows.filter(pc.is_in(session_keys(rows), value_set=keys)))
    return pa.concat_tables(tables) if tables else spilled.schema.empty_table()


def _gather(buckets: list[list[Issue]], checks: list[list[Issue]]) -> None:
    """Add a block's issues to the file's, check by check (every block runs the same checks in turn)."""
    buckets.extend([] for _ in range(len(checks) - len(buckets)))
    for bucket, found in zip(buckets, checks, strict=False):
        bucket.extend(found)


def _one_batch(table: pa.Table) -> pa.RecordBatch:
    batches = table.combine_chunks().to_batches()
    return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)
