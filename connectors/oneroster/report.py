"""Findings about one file: one reject per row, and warnings folded to one per kind."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from hub.connector import FileReport, Issue


@dataclass(slots=True)
class _Folded:
    reason: str
    count: int
    line: int | None
    column: str | None
    value: str | None
    columns: list[str]  # every column the kind was seen in, the first row's column first


class FileLog:
    """Collects what checking one file found, for its ``FileReport`` and the extract's issue list."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.report = FileReport(file)
        self.rejects: list[Issue] = []
        self._warnings: dict[str, _Folded] = {}

    def fatal(self, message: str) -> None:
        if self.report.fatal is None:
            self.report.fatal = message

    def warn(
        self,
        kind: str,
        reason: str,
        *,
        count: int = 1,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        folded = self._warnings.get(kind)
        if folded is None:
            self._warnings[kind] = _Folded(reason, count, line, column, value, [column] if column else [])
        else:
            folded.count += count
            if column and column not in folded.columns:
                folded.columns.append(column)
            if line is not None and (folded.line is None or line < folded.line):
                # The issue shows its first row; its reason and column go with that row.
                folded.reason, folded.line, folded.column, folded.value = reason, line, column, value
                if column:
                    folded.columns.remove(column)
                    folded.columns.insert(0, column)
        self.report.warn(kind, count)

    def warn_rows(
        self,
        kind: str,
        reason: str,
        mask: pa.Array,
        lines: pa.Array,
        *,
        column: str | None = None,
        values: pa.Array | None = None,
    ) -> None:
        """One folded warning for the rows under ``mask`` (a boolean array, null counts as false)."""
        count = pc.sum(mask).as_py() or 0
        if not count:
            return
        first = pc.index(mask, True).as_py()
        value = values[first].as_py() if values is not None else None
        self.warn(kind, reason, count=count, line=lines[first].as_py(), column=column, value=value)

    def reject(self, line: int | None, column: str | None, value: str | None, kind: str, reason: str) -> None:
        self.rejects.append(Issue(self.file, line, column, value, kind, reason, "reject"))
        self.report.rejected += 1

    def issues(self) -> list[Issue]:
        warnings = [
            Issue(self.file, w.line, w.column, w.value, kind, _counted(w), "warning")
            for kind, w in self._warnings.items()
        ]
        return [*self.rejects, *warnings]


def _counted(warning: _Folded) -> str:
    reason = warning.reason
    if len(warning.columns) > 1:
        reason += f"; also in {', '.join(warning.columns[1:])}"
    if warning.line is None:
        return reason if warning.count == 1 else f"{reason} ({warning.count} times)"
    rows = "1 row" if warning.count == 1 else f"{warning.count} rows"
    return f"{reason} ({rows}, first at line {warning.line})"


class Logs:
    """One ``FileLog`` per file name, made on first use, in the order files were first mentioned."""

    def __init__(self) -> None:
        self._by_file: dict[str, FileLog] = {}

    def __getitem__(self, file: str) -> FileLog:
        if file not in self._by_file:
            self._by_file[file] = FileLog(file)
        return self._by_file[file]

    def reports(self) -> dict[str, FileReport]:
        return {file: log.report for file, log in self._by_file.items()}

    def issues(self) -> list[Issue]:
        return [issue for log in self._by_file.values() for issue in log.issues()]
