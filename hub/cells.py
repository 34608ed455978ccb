"""Cells no vendor export holds: past this length a value is a hostile file or a quote left open.

Every CSV connector reads a whole file as text and then asks ``oversized`` which rows to reject, so that a
10 MB test name costs its own row (with its line and column) rather than the file, and never reaches the
warehouse or a report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["HEADER_ONLY", "MAX_CELL_BYTES", "Oversized", "oversized"]

MAX_CELL_BYTES = 64 << 10  # a session note of a few pages fits; no id, name or score comes near
HEADER_ONLY = (
    "holds no rows, a header at most: an export cut short? Nothing of it is loaded, and where the file is "
    "the whole list (a roster, the tutors) the deletion guard stops it from removing what the hub holds"
)


@dataclass(frozen=True, slots=True)
class Oversized:
    """Rows with a cell past the limit: ``rows`` (indices), the first such ``columns`` and ``sizes``."""

    keep: pa.Array  # boolean, one per row of the table
    rows: list[int]
    columns: list[str]
    sizes: list[int]

    def reason(self, index: int) -> str:
        return (
            f"{self.columns[index]} holds {self.sizes[index]:,} bytes, more than the {MAX_CELL_BYTES:,} any "
            "field of an export holds (a quote left open?); the row is not loaded"
        )

    def __len__(self) -> int:
        return len(self.rows)


def oversized(table: pa.Table, names: Sequence[str] | None = None) -> Oversized:
    """The rows of ``table`` holding a text cell longer than ``MAX_CELL_BYTES`` bytes; ``names`` are the
    columns as the file calls them, where the table's own names are not (positions, say)."""
    shown = list(names or table.column_names)
    first = np.full(table.num_rows, -1, dtype=np.int64)
    size = np.zeros(table.num_rows, dtype=np.int64)
    for position, column in enumerate(table.columns):
        if not pa.types.is_string(column.type):
            continue
        lengths = pc.fill_null(pc.binary_length(column), 0).to_numpy()
        new = (lengths > MAX_CELL_BYTES) & (first < 0)
        first[new], size[new] = position, lengths[new]
    rows = np.flatnonzero(first >= 0)
    return Oversized(
        pa.array(first < 0),
        rows.tolist(),
        [shown[int(first[row])] for row in rows],
        size[rows].tolist(),
    )
