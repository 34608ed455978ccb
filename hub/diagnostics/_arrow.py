"""Arrow helpers the diagnostics steps share: checking inputs, picking one row per group, text columns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics.errors import DiagnosticsError

NULL_TEXT = pa.scalar(None, pa.string())
SortKey = tuple[str, str]  # (column, "ascending" | "descending"); nulls always sort last


def require_columns(table: pa.Table, columns: Iterable[str], what: str) -> None:
    missing = [column for column in columns if column not in table.column_names]
    if missing:
        raise DiagnosticsError(
            f"{what}: missing column(s) {', '.join(missing)}; present: {', '.join(table.column_names)}"
        )


def put_column(table: pa.Table, name: str, values: pa.Array | pa.ChunkedArray) -> pa.Table:
    """``table`` with column ``name`` set to ``values``, replaced in place or appended."""
    if name in table.column_names:
        return table.set_column(table.column_names.index(name), name, values)
    return table.append_column(name, values)


def row_numbers(num_rows: int) -> pa.Array:
    return pa.array(np.arange(num_rows, dtype=np.uint64))


def first_per_group(table: pa.Table, keys: Sequence[str], order: Sequence[SortKey]) -> pa.Array:
    """Row numbers of ``table`` holding the first row of each ``keys`` group under ``order``.

    Rows are sorted once, then the ordered ``first`` aggregation takes each group's head: one pass over
    the table however many groups there are. Null keys form a group of their own.
    """
    if order:
        ranked = pc.sort_indices(table, sort_keys=[(column, way, "at_end") for column, way in order])
    else:
        ranked = row_numbers(table.num_rows)
    heads = (
        table.select(list(keys))
        .take(ranked)
        .append_column("__position", ranked)
        .group_by(list(keys), use_threads=False)
        .aggregate([("__position", "first")])
    )
    return heads.column("__position_first").combine_chunks()


def rows_mask(num_rows: int, rows: pa.Array) -> pa.Array:
    """A boolean column, true exactly at ``rows``."""
    return pc.is_in(row_numbers(num_rows), value_set=rows.cast(pa.uint64()))


def join_present(parts: Sequence[pa.Array | pa.ChunkedArray], separator: str) -> pa.Array:
    """Join the non-null strings of each row with ``separator``; null where every part is null.

    Written out because ``binary_join_element_wise(null_handling="skip")`` drops rows whose parts are
    all null in pyarrow 26, shifting every later row.
    """
    joined = parts[0]
    for part in parts[1:]:
        both = pc.binary_join_element_wise(joined, part, separator)
        joined = pc.coalesce(both, joined, part)
    return joined


def number_text(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Scores as people write them: ``412``, not ``412.0``."""
    return pc.cast(pc.round(values), pa.int64()).cast(pa.string())


def student_columns(results: pa.Table) -> tuple[pa.ChunkedArray, pa.Array]:
    """Who took a test: the roster person, or while nobody matches, the vendor's own student id."""
    person = results.column("person_source_id")
    unmatched_id = pc.if_else(pc.is_null(person), results.column("vendor_student_id"), NULL_TEXT)
    return person, unmatched_id


def concat(*parts: pa.Array | pa.ChunkedArray | str) -> pa.Array:
    """Row-wise string concatenation; null where any part is null."""
    return pc.binary_join_element_wise(*parts, "")
