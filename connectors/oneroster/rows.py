"""One file's rows while they are checked: which are still in, which are deletions, and why rows left."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.oneroster.report import FileLog
from connectors.oneroster.schema import FileSpec
from connectors.oneroster.vocab import REWRITE_REASONS, Mapped

Reason = str | Callable[[str | None], str]
"""A reject's reason, or a function of the rejected value that words it."""
Column = pa.Array | pa.ChunkedArray


class Rows:
    """Checks narrow ``ok`` with boolean masks; Python only loops over the rows a check rejects."""

    def __init__(self, spec: FileSpec, table: pa.Table, lines: pa.ChunkedArray, mode: str, log: FileLog):
        self.spec = spec
        self.mode = mode  # "bulk" | "delta"
        self.log = log
        self.table = table
        self.lines = lines
        self.ok = pa.array(np.ones(table.num_rows, dtype=bool))
        self.deleting = pa.array(np.zeros(table.num_rows, dtype=bool))  # status tobedeleted
        self.rejected_ids: dict[str, int] = {}  # sourcedId -> line, for the reasons of cascading rejects

    def col(self, name: str) -> pa.ChunkedArray:
        return self.table.column(name)

    def set(self, name: str, values: Column) -> None:
        self.table = self.table.set_column(self.table.column_names.index(name), name, values)

    @property
    def live(self) -> Column:
        """Rows still in that are not deletions: the ones whose fields matter."""
        return pc.and_(self.ok, pc.invert(self.deleting))

    def reject(
        self,
        mask: Column,
        kind: str,
        reason: Reason,
        *,
        column: str | None = None,
        values: Column | None = None,
    ) -> None:
        """Reject the rows under ``mask`` that are still in, one issue each; ``values`` (default: the
        column's) are what the issues show."""
        bad = pc.and_(self.ok, pc.fill_null(mask, False))
        if not pc.any(bad).as_py():
            return
        if values is None and column is not None:
            values = self.col(column)
        lines = pc.filter(self.lines, bad).to_pylist()
        shown = pc.filter(values, bad).to_pylist() if values is not None else [None] * len(lines)
        ids = pc.filter(self.col("sourcedId"), bad).to_pylist()
        for line, value, source_id in zip(lines, shown, ids, strict=True):
            self.log.reject(line, column, value, kind, reason if isinstance(reason, str) else reason(value))
            if source_id is not None:
                self.rejected_ids.setdefault(source_id, line)
        self.ok = pc.and_(self.ok, pc.invert(bad))

    def warn(
        self, mask: Column, kind: str, reason: str, *, column: str | None = None, values: Column | None = None
    ) -> None:
        """One folded warning for the rows under ``mask`` that are still in."""
        if values is None and column is not None:
            values = self.col(column)
        shown = pc.and_(self.ok, pc.fill_null(mask, False))
        self.log.warn_rows(kind, reason, shown, self.lines, column=column, values=values)

    def warn_rewrites(self, column: str, mapped: Mapped) -> None:
        """One folded warning per kind of rewriting ``mapped`` did to ``column``."""
        original = self.col(column)
        for kind in pc.unique(mapped.kinds).drop_null().to_pylist():
            reason = f"{column}: {REWRITE_REASONS[kind]}"
            self.warn(pc.equal(mapped.kinds, kind), kind, reason, column=column, values=original)

    def ids(self, mask: Column) -> Column:
        return pc.filter(self.col("sourcedId"), pc.and_(self.ok, mask))

    def accepted(self) -> pa.Table:
        self.log.report.accepted = pc.sum(self.ok).as_py() or 0
        return self.table if self.log.report.accepted == self.table.num_rows else self.table.filter(self.ok)
