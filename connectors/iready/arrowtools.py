"""Column operations the i-Ready mapping is built from, all bulk over Arrow arrays.

Vendor columns have few distinct values (a few hundred test dates, five relative placements, scale scores
between 100 and 800), so a value is interpreted once per distinct value in Python and spread back over the
column with ``index_in`` + ``take``: exact parsing at vectorised cost.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Column = pa.ChunkedArray


def column_or_null(rows: pa.Table, name: str) -> Column:
    """The column, or all nulls where this layout does not have it (older exports lack newer columns)."""
    if name in rows.column_names:
        return rows.column(name)
    return repeat(None, rows.num_rows, pa.string())


def recode(values: Column, interpret: Callable[[str], Any], kind: pa.DataType) -> Column:
    """``interpret`` applied to each distinct non-null value; nulls and ``None`` results stay null."""
    distinct = pc.unique(values)
    mapped = pa.array([None if v is None else interpret(v) for v in distinct.to_pylist()], kind)
    return pc.take(mapped, pc.index_in(values, value_set=distinct))


def unreadable(raw: Column, parsed: Column) -> Column:
    """Rows where the export had a value (not just blanks) but it could not be interpreted."""
    lost = pc.and_(pc.is_valid(raw), pc.is_null(parsed))
    if parsed.null_count == raw.null_count:
        return lost
    return pc.and_(lost, pc.not_equal(pc.utf8_trim_whitespace(raw), ""))


def _number(text: str) -> float | None:
    try:
        number = float(text.strip().replace(",", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def to_number(values: Column, *, ignore: frozenset[str] = frozenset()) -> Column:
    """Numbers as float64; unreadable values become null (``ignore``: words that mean "no number")."""
    if not ignore:
        try:  # the common case: clean digits, one cast for the whole column
            numbers = pc.cast(values, pa.float64())
        except pa.ArrowInvalid:
            pass
        else:  # "nan" and "inf" cast too, and are no score
            return pc.if_else(pc.is_finite(numbers), numbers, pa.scalar(None, pa.float64()))
    return recode(values, lambda text: None if text.strip() in ignore else _number(text), pa.float64())


_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p")


def _date(text: str) -> date | None:
    for layout in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), layout).date()
        except ValueError:
            continue
    return None


def to_date(values: Column) -> Column:
    """i-Ready dates are ``M/D/YYYY`` (zero-padded before 2025); ISO dates from re-saved files also pass."""
    return recode(values, _date, pa.date32())


def within(numbers: Column, low: float, high: float) -> Column:
    """The numbers from ``low`` to ``high``; others become null (``unreadable`` then finds them)."""
    inside = pc.and_(pc.greater_equal(numbers, low), pc.less_equal(numbers, high))
    return pc.if_else(inside, numbers, pa.scalar(None, pa.float64()))


def to_int(numbers: Column) -> Column:
    return pc.cast(pc.round(numbers), pa.int64())


def only(table: pa.Table, mask: Column) -> pa.Table:
    """``table.filter(mask)``, skipped when every row stays (the usual night: filtering is not free)."""
    return table if pc.all(mask).as_py() else table.filter(mask)


def rows_where(table: pa.Table, column: str, value: str) -> pa.Table:
    """The rows whose ``column`` equals ``value``, as zero-copy slices of the runs they come in.

    Rows arrive file by file, so a per-file value (the subject) forms a few long runs: slicing them is
    free where a filter would copy every column.
    """
    matches = pc.fill_null(pc.equal(table.column(column), value), False).to_numpy(zero_copy_only=False)
    edges = np.flatnonzero(np.diff(np.concatenate(([False], matches, [False])).astype(np.int8)))
    runs = [table.slice(start, end - start) for start, end in zip(edges[::2], edges[1::2], strict=True)]
    return pa.concat_tables(runs) if runs else table.slice(0, 0)


def school_year_of(dates: Column) -> Column:
    """The school year (its ending year) a date falls in: July onwards belongs to the next one."""
    return pc.add(pc.year(dates), pc.cast(pc.greater_equal(pc.month(dates), 7), pa.int64()))


def repeat(value: Any, rows: int, kind: pa.DataType) -> Column:
    return pa.chunked_array([pa.repeat(pa.scalar(value, kind), rows)], kind)


def json_objects(columns: Mapping[str, Column], rows: int) -> Column:
    """One JSON object per row of the non-null cells of ``columns``; null where a row has none."""
    if not columns:
        return repeat(None, rows, pa.string())
    members = [
        pc.binary_join_element_wise(f", {json.dumps(name)}: ", recode(values, json.dumps, pa.string()), "")
        for name, values in columns.items()
    ]
    # Not null_handling="skip": pyarrow drops the rows whose members are all null, shifting every later row.
    joined = pc.binary_join_element_wise(*members, "", null_handling="replace", null_replacement="")
    wrapped = pc.binary_join_element_wise("{", pc.utf8_slice_codeunits(joined, 2), "}", "")
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), wrapped)
