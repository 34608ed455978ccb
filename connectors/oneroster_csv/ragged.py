"""Rows whose cell count differs from the header's: a trailing comma is repaired, anything else rejected.

pyarrow hands these rows over one by one (or, after a re-read at their width, as extra columns); a row
whose extra cells are all empty means what it says, a row with values beyond the header or too few cells
cannot be placed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from connectors.oneroster.report import FileLog
from hub.decoding import UNREADABLE_ROW, record_cells

_TRAILING_REASON = "has more cells than the header, all of the extra ones empty; extra cells ignored"


@dataclass(slots=True)
class OddRow:
    line: int
    text: str
    width: int


def fit_rows(
    table: pa.Table, lines: pa.ChunkedArray, odd: list[OddRow], width: int, log: FileLog
) -> tuple[pa.Table, pa.ChunkedArray]:
    """The table cut to the header's ``width``, with the repairable odd rows back in their places."""
    table, lines = _drop_extra_columns(table, lines, width, log)
    return _merge_repaired(table, lines, _repair(odd, width, log))


def _drop_extra_columns(
    table: pa.Table, lines: pa.ChunkedArray, width: int, log: FileLog
) -> tuple[pa.Table, pa.ChunkedArray]:
    """After a re-read at a wider width: keep rows whose extra cells are empty, reject the others."""
    if table.num_columns == width:
        return table, lines
    extra = [table.column(i) for i in range(width, table.num_columns)]
    filled = pc.is_valid(extra[0])
    for column in extra[1:]:
        filled = pc.or_(filled, pc.is_valid(column))
    for line in pc.filter(lines, filled).to_pylist():
        log.reject(line, None, None, "ragged_row", _ragged_reason(width))  # the row text is not at hand
    kept = pc.invert(filled)
    log.warn_rows("trailing_empty_cells", _TRAILING_REASON, kept, lines)
    table = table.select(list(range(width))).filter(kept)
    return table, pc.filter(lines, kept)


def _ragged_reason(width: int) -> str:
    return f"has more cells than the header's {width}, and the extra cells hold values"


def _repair(odd: list[OddRow], width: int, log: FileLog) -> list[tuple[int, list[str]]]:
    """Rows whose extra cells are all empty, cut to the header's width; the other odd rows rejected."""
    repaired = []
    for row in odd:
        cells = record_cells(row.text)
        if cells is None:
            log.reject(row.line, None, None, "unreadable_row", UNREADABLE_ROW)
        elif len(cells) < width:
            log.reject(
                row.line,
                None,
                row.text,
                "short_row",
                f"has {len(cells)} cells where the header has {width}",
            )
        elif any(cell.strip() for cell in cells[width:]):
            log.reject(row.line, None, row.text, "ragged_row", _ragged_reason(width))
        else:
            if len(cells) > width:
                log.warn("trailing_empty_cells", _TRAILING_REASON, line=row.line)
            repaired.append((row.line, cells[:width]))
    return repaired


def _merge_repaired(
    table: pa.Table, lines: pa.ChunkedArray, repaired: list[tuple[int, list[str]]]
) -> tuple[pa.Table, pa.ChunkedArray]:
    if not repaired:
        return table, lines
    columns = {
        name: pa.array([cells[i] or None for _, cells in repaired], pa.string())
        for i, name in enumerate(table.column_names)
    }
    merged = pa.concat_tables([table, pa.table(columns)])
    merged_lines = pa.chunked_array([*lines.chunks, pa.array([line for line, _ in repaired], pa.int64())])
    order = pc.sort_indices(merged_lines)
    return merged.take(order), merged_lines.take(order)
