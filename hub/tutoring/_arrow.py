"""Arrow mechanics the tutoring steps share, beside the ones they borrow from hub.diagnostics._arrow."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics._arrow import SortKey, require_columns
from hub.diagnostics.errors import DiagnosticsError
from hub.model import arrow_schema, conform
from hub.tutoring.errors import TutoringError


def require(table: pa.Table, columns: list[str], what: str) -> None:
    """The diagnostics stage's column check, raising the tutoring stage's own error."""
    try:
        require_columns(table, columns, what)
    except DiagnosticsError as error:
        raise TutoringError(str(error)) from None


def optional_text(table: pa.Table, name: str) -> pa.ChunkedArray | pa.Array:
    """Column ``name``, or nulls where a log leaves that optional text column out."""
    return table[name] if name in table.column_names else pa.nulls(table.num_rows, pa.string())


def pick_first(table: pa.Table, keys: list[str], order: list[SortKey]) -> pa.Table:
    """The first row of every ``keys`` group under ``order``, sorted by ``keys`` (nulls last).

    Not ``first_per_group`` from the diagnostics helpers: that one hashes the keys and leaves the chosen
    rows in hash order, and tiers need key order. Here one sort of the key and order columns puts each
    group's rows together, best first, and a group starts where a key changes from the row before: the
    same rows in key order in less than half the time on a district's results.
    """
    if table.num_rows == 0:
        return table
    sort_keys = [(key, "ascending") for key in keys] + [(c, way) for c, way in order if c not in keys]
    columns = list(dict.fromkeys(column for column, _ in sort_keys))
    ordered = pc.sort_indices(table.select(columns), sort_keys=sort_keys)
    starts = np.zeros(table.num_rows, dtype=bool)
    starts[0] = True
    for key in keys:
        values = table.column(key).take(ordered)
        before, after = values[:-1], values[1:]
        differs = pc.or_(
            pc.fill_null(pc.not_equal(after, before), False), pc.xor(pc.is_null(after), pc.is_null(before))
        )
        starts[1:] |= differs.to_numpy(zero_copy_only=False)
    return table.take(ordered.take(pa.array(np.flatnonzero(starts))))


def within(table: pa.Table, column: str, start: date, end: date) -> pa.Table:
    """Rows whose ``column`` falls on ``start``..``end`` (both included; null never does)."""
    return table.filter(pc.and_(pc.greater_equal(table[column], start), pc.less_equal(table[column], end)))


def overlapping(table: pa.Table, first: str, last: str, start: date, end: date) -> pa.Table:
    """Rows whose span from ``first`` up to, not including, ``last`` (null: open) meets ``start``..``end``.

    ``last`` is the first day out: a membership closed on a boundary (an exit, or a move to another group
    that opens on that same day) is not in force on it, so a moved student is in one group on any day.
    """
    return table.filter(
        pc.and_(pc.less_equal(table[first], end), pc.fill_null(pc.greater(table[last], start), True))
    )


def run_starts(key: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Positions where a sorted key column changes value (always including 0 when non-empty)."""
    if len(key) == 0:
        return np.zeros(0, dtype=np.int64)
    changed = pc.not_equal(key[1:], key[:-1]).to_numpy(zero_copy_only=False)
    return np.concatenate([[0], np.flatnonzero(changed) + 1]).astype(np.int64)


def expand_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Row positions of the ranges [start, start + count), concatenated, without a loop."""
    total = int(counts.sum())
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return offsets + np.arange(total, dtype=np.int64)


def history(name: str, table: pa.Table | None) -> pa.Table:
    """``table`` in the model's ``name`` schema; a programme's first run has none, so an empty one."""
    return conform(name, table) if table is not None else arrow_schema(name).empty_table()
