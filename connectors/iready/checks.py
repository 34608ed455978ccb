"""Rejects and warnings about the rows of a stream, each pointing at file, line and column.

Masks are computed in bulk; only the rows that fail become Python objects. A reject stops one row (the
first reason found is the one given); a warning stands for every row of its kind in one file.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from connectors.iready.arrowtools import Column, column_or_null, repeat
from connectors.iready.reading import FILE, LINE
from hub.connector import Issue


class WarningTally:
    """The warnings of a stream checked a block at a time: one per file and kind, as if it were checked
    whole (its first line, that line's value, every row counted), however many blocks its rows lie in."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str, str, str], list] = {}

    def add(
        self, file: str, line: int, column: str, value: str | None, kind: str, reason: str, rows: int
    ) -> None:
        held = self._found.setdefault((file, column, kind, reason), [line, value, 0])
        if line < held[0]:
            held[0], held[1] = line, value
        held[2] += rows

    @property
    def issues(self) -> list[Issue]:
        return [
            _warning(file, line, column, value, kind, reason, rows)
            for (file, column, kind, reason), (line, value, rows) in self._found.items()
        ]


class RowChecks:
    """The findings about one table's rows, and which rows are still kept; its warnings go to ``tally``
    when the table is one block of a stream."""

    def __init__(self, rows: pa.Table, tally: WarningTally | None = None) -> None:
        self.rows = rows
        self.rejected: Column = repeat(False, rows.num_rows, pa.bool_())
        self.issues: list[Issue] = []
        self.tally = tally

    @property
    def kept(self) -> Column:
        return pc.invert(self.rejected)

    def reject(self, mask: Column, column: str, kind: str, reason: Callable[[str | None], str]) -> None:
        """Reject the rows where ``mask`` holds; ``reason`` gets the cell's text."""
        new = pc.and_(pc.fill_null(mask, False), self.kept)
        if not pc.any(new).as_py():
            return
        self.rejected = pc.or_(self.rejected, new)
        failed = self._cells(column, new)
        cells = zip(*(failed.column(name).to_pylist() for name in ("file", "line", "value")), strict=True)
        self.issues.extend(
            Issue(file, line, column, value, kind, reason(value)) for file, line, value in cells
        )

    def warn(self, mask: Column, column: str, kind: str, reason: str) -> None:
        """One warning per file for the kept rows where ``mask`` holds: first line, first value, count."""
        hits = pc.and_(pc.fill_null(mask, False), self.kept)
        if not pc.any(hits).as_py():
            return
        summary = (
            self._cells(column, hits)
            .group_by("file", use_threads=False)
            .aggregate([("line", "first"), ("value", "first"), ("line", "count", pc.CountOptions("all"))])
        )
        names = ("file", "line_first", "value_first", "line_count")
        for file, line, value, count in zip(*(summary.column(n).to_pylist() for n in names), strict=True):
            if self.tally is not None:
                self.tally.add(file, line, column, value, kind, reason, count)
            else:
                self.issues.append(_warning(file, line, column, value, kind, reason, count))

    def _cells(self, column: str, mask: Column) -> pa.Table:
        """File, line and the cell of ``column`` of the rows where ``mask`` holds."""
        cells = {"file": self.rows.column(FILE), "line": self.rows.column(LINE)}
        return pa.table({**cells, "value": column_or_null(self.rows, column)}).filter(mask)


def _warning(
    file: str, line: int, column: str, value: str | None, kind: str, reason: str, count: int
) -> Issue:
    rows = "1 row" if count == 1 else f"{count} rows"
    return Issue(file, line, column, value, kind, f"{reason} ({rows}, first on line {line})", "warning")
