"""A collection's rows as one all-text Arrow table, built page by page so that pages of JSON do not pile up.

Columns are the CSV binding's in its order, then ``metadata.*`` columns in the order they first appear; a
row without an extension another row has is blank there, as in a CSV file.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from connectors.oneroster_api.flatten import Row


class StreamBuilder:
    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = list(columns)
        self._extensions: dict[str, None] = {}  # an ordered set
        self._tables: list[pa.Table] = []
        self._lines: list[np.ndarray] = []

    def add(self, rows: list[Row], lines: list[int]) -> None:
        """One page's rows, and each row's position in the collection (1 = its first object)."""
        if not rows:
            return
        names = dict.fromkeys(self.columns)
        for row in rows:
            names.update(dict.fromkeys(row))
        self._extensions.update(dict.fromkeys(name for name in names if name not in self.columns))
        schema = pa.schema([(name, pa.string()) for name in names])
        self._tables.append(pa.Table.from_pylist(rows, schema=schema))
        self._lines.append(np.asarray(lines, dtype=np.int64))

    def build(self) -> tuple[pa.Table, pa.ChunkedArray]:
        """The table and its lines; every column is text, even one that is blank throughout."""
        names = [*self.columns, *self._extensions]
        if not self._tables:
            empty = pa.table({name: pa.array([], pa.string()) for name in names})
            return empty, pa.chunked_array([], pa.int64())
        # A page without an extension another page has gets it blank (promotion fills it with nulls).
        table = pa.concat_tables(self._tables, promote_options="default")
        return table.select(names), pa.chunked_array(self._lines)
