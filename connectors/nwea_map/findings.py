"""Masks over a stream as the ``Issue``s an IT person reads: a line per reject, a count per warning."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.nwea_map.csvfile import FILE, LINE
from connectors.nwea_map.values import Column, invalid, numbers
from hub.connector import Issue


class Findings:
    """Issues about the rows of one table; a row is rejected once, for the first reason found."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self.issues: list[Issue] = []
        self.rejected: Column = pa.array(np.zeros(table.num_rows, dtype=bool))
        self._numbers: dict[str, Column] = {}
        self.scope: Column | None = None
        """Once set, warnings count only these rows: fields are parsed for every row, kept or not."""

    @property
    def kept(self) -> Column:
        return pc.invert(self.rejected)

    def drop(self, mask: Column) -> None:
        """Leave rows out without a word (blank lines)."""
        self.rejected = pc.or_(self.rejected, pc.fill_null(mask, False))

    def reject(self, mask: Column, column: str, kind: str, reason: str) -> None:
        """Reject the rows under ``mask`` (not already rejected), citing the cell of ``column``."""
        mask = pc.fill_null(mask, False)
        fresh = pc.and_not(mask, self.rejected)
        if pc.any(fresh).as_py():
            rows = pa.table(
                {
                    "file": pc.cast(pc.filter(self.table.column(FILE), fresh), pa.string()),
                    "line": pc.filter(self.table.column(LINE), fresh),
                    "value": pc.filter(self.text(column), fresh),
                }
            )
            for row in rows.to_pylist():
                self.issues.append(Issue(row["file"], row["line"], column, row["value"], kind, reason))
        self.rejected = pc.or_(self.rejected, mask)

    def warn(self, mask: Column, column: str | None, kind: str, reason: str) -> None:
        """One warning per file for the rows under ``mask``: the first line and how many rows."""
        mask = pc.fill_null(mask, False)
        if self.scope is not None:
            mask = pc.and_(mask, self.scope)
        if not pc.any(mask).as_py():
            return
        hits = pa.table(
            {"file": pc.cast(self.table.column(FILE), pa.string()), "line": self.table.column(LINE)}
        )
        grouped = hits.filter(mask).group_by("file").aggregate([("line", "min"), ("line", "count")])
        for row in grouped.sort_by("file").to_pylist():
            count, line = row["line_count"], row["line_min"]
            self.issues.append(
                Issue(row["file"], line, column, None, kind, f"{count} row(s): {reason}", "warning", count)
            )

    def text(self, name: str) -> Column:
        """A column by name; a layout without it reads as all blank."""
        if name in self.table.column_names:
            return self.table.column(name)
        return pa.nulls(self.table.num_rows, pa.string())

    def number(self, name: str) -> Column:
        """An optional numeric column as float64; unreadable cells are left blank with one warning."""
        if name not in self._numbers:
            raw = self.text(name)
            values = numbers(raw)
            self.warn(invalid(raw, values), name, "bad_number", f"{name} is not a number; left blank")
            self._numbers[name] = values
        return self._numbers[name]
