"""Reading a district's own CSV format into text columns, each row with the file line it came from.

The hub's own formats (session logs, the tutors list, progress-monitoring scores) are read alike: decoded
by ``hub.decoding``, every column as text (blank = null), a row with the wrong number of fields, an open
quote or an oversized cell rejected with its line while the rest of the file is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from hub.cells import HEADER_ONLY, oversized
from hub.connector import ConnectorError, FileReport, Issue
from hub.decoding import (
    TextEncoding,
    detect_file,
    first_lines,
    header_cells,
    read_utf8,
    to_utf8,
    whole_file_block,
)
from hub.quotes import REASON as OPEN_QUOTE
from hub.quotes import OpenQuotes, open_quotes, quotes_close_on_each_line

LINE = "_line"
BLOCK = 32 << 20
"""Bytes of a CSV file parsed at a time: a step's memory follows a block, not the file."""


def blank_to_null(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def decoded_text(path: Path) -> tuple[bytes, list[Issue]]:
    """The file as UTF-8 (``hub.decoding``), with the warnings of how it was read."""
    try:
        data, encoding = read_utf8(path, path.name)
    except OSError as error:
        raise _unopened(path, error) from None
    return data, _encoding_warnings(path.name, encoding)


def _unopened(path: Path, error: OSError) -> ConnectorError:
    return ConnectorError(f"{path.name}: cannot be opened ({error})", file=path.name)


def _encoding_warnings(name: str, encoding: TextEncoding) -> list[Issue]:
    return [Issue(name, line, None, None, kind, why, "warning") for kind, line, why in encoding.warnings()]


def read_csv(path: Path, required: tuple[str, ...]) -> tuple[pa.Table, list[Issue]]:
    """All columns as text (blank = null); rows with the wrong number of fields become rejects.

    A clean UTF-8 file whose every line closes its quotes (most exports) is parsed from disk a block at a
    time, each block trimmed as it comes, so that the file's bytes are never held beside its table: a
    session log is gigabytes. Any other file (another encoding, NULs, values spanning lines, a quote left
    open, a cell larger than a block) is decoded and mended whole first.
    """
    try:
        encoding = detect_file(lambda: path.open("rb"), path.name)
        header = header_cells(first_lines(path, path.name), path.name)
    except OSError as error:
        raise _unopened(path, error) from None
    names = _column_names(header, required, path.name)
    decoding = _encoding_warnings(path.name, encoding)
    parsed = None
    if encoding.clean and quotes_close_on_each_line(path):
        parsed = _parsed(lambda: pa.OSFile(str(path)), header, names, BLOCK)
    mended = OpenQuotes(b"")
    if parsed is None:
        data = to_utf8(path.read_bytes(), encoding)
        mended = open_quotes(data, len(header))
        parsed = _parsed(lambda: pa.BufferReader(mended.data), header, names, whole_file_block(len(data)))
    if parsed is None:
        raise ConnectorError(f"{path.name}: not a readable CSV file", file=path.name)
    table, skipped = parsed
    lines, skipped_lines = _physical_lines(table, skipped)
    issues = decoding + [
        Issue(
            file=path.name,
            line=line,
            column=None,
            value=text[:200],
            kind="column_count",
            reason=f"expected {expected} fields, found {actual}",
        )
        for line, (_, text, expected, actual) in zip(skipped_lines, skipped, strict=True)
    ]
    table = table.append_column(LINE, pa.array(lines, pa.int64()))
    if mended.lines:
        issues += [Issue(path.name, line, None, None, "open_quote", OPEN_QUOTE) for line in mended.lines]
        table = table.filter(pc.invert(pc.is_in(table.column(LINE), pa.array(mended.lines, pa.int64()))))
    return without_oversized(table, path.name, issues)


def _column_names(header: list[str], required: tuple[str, ...], name: str) -> list[str]:
    """The header's cells as column names (trimmed, lower case); a missing or repeated one fails the file."""
    names = [cell.strip().lower() for cell in header]
    missing = [column for column in required if column not in names]
    if missing:
        raise ConnectorError(
            f"{name}: missing required column(s) {', '.join(missing)} in the header line "
            f"(found: {', '.join(names) or 'nothing'})",
            file=name,
        )
    if len(set(names)) != len(names):
        repeated = sorted({column for column in names if names.count(column) > 1})
        raise ConnectorError(f"{name}: column(s) {', '.join(repeated)} appear twice", file=name)
    return names


Skipped = list[tuple[int, str, int, int]]
"""Rows the parser skipped: (record number, text, fields expected, fields found)."""


def _parsed(
    source: Callable[[], pa.NativeFile], header: list[str], names: list[str], block_size: int
) -> tuple[pa.Table, Skipped] | None:
    """The CSV text of ``source`` as text columns named ``names``, blanks null, parsed ``block_size`` bytes
    at a time; None when it does not parse so (a cell larger than a block, a broken file)."""
    skipped: Skipped = []

    def skip(row: pacsv.InvalidRow) -> str:
        skipped.append((row.number or 0, row.text, row.expected_columns, row.actual_columns))
        return "skip"

    blocks = []
    try:
        with source() as stream:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(use_threads=False, block_size=block_size),
                parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=skip),
                convert_options=pacsv.ConvertOptions(
                    column_types={name: pa.string() for name in header}, strings_can_be_null=False
                ),
            )
            for batch in reader:
                blocks.append(pa.table([blank_to_null(column) for column in batch.columns], names=names))
    except (pa.ArrowInvalid, OSError):
        return None
    schema = pa.schema([(name, pa.string()) for name in names])
    return (pa.concat_tables(blocks) if blocks else schema.empty_table()), skipped


def without_oversized(table: pa.Table, name: str, issues: list[Issue]) -> tuple[pa.Table, list[Issue]]:
    """Rows with a cell no log holds are rejects (``hub.cells``), the others stay; no rows is a warning."""
    if not table.num_rows and not issues:
        return table, [Issue(name, 1, None, None, "header_only", HEADER_ONLY, "warning")]
    found = oversized(table)
    if not found:
        return table, issues
    lines = table.column(LINE)
    issues = issues + [
        Issue(name, lines[row].as_py(), found.columns[i], None, "cell_too_long", found.reason(i))
        for i, row in enumerate(found.rows)
    ]
    return table.filter(found.keep), issues


def _physical_lines(
    table: pa.Table, skipped: list[tuple[int, str, int, int]]
) -> tuple[np.ndarray, list[int]]:
    """The file line each record starts on, counting line breaks inside quoted values (notes often have them).

    Arrow numbers records, not lines, so the line of record r is 1 + the lines taken by every record before
    it; skipped records are placed by their record number among the kept ones.
    """
    records = table.num_rows + len(skipped) + 1  # + the header record
    breaks = np.zeros(records, dtype=np.int64)
    kept = np.ones(records, dtype=bool)
    kept[0] = False
    for number, text, _, _ in skipped:
        kept[number - 1] = False
        breaks[number - 1] = text.count("\n")
    if table.num_rows:
        inside = np.zeros(table.num_rows, dtype=np.int64)
        for column in table.columns:
            inside += pc.fill_null(pc.count_substring(column, "\n"), 0).to_numpy()
        breaks[kept] = inside
    starts = 1 + np.concatenate([[0], np.cumsum(breaks + 1)[:-1]])
    return starts[kept], [int(starts[number - 1]) for number, _, _, _ in skipped]


class Rejects:
    """Collects rejects check by check; a row is named by the first check it fails."""

    def __init__(self, table: pa.Table, file: str) -> None:
        self.table = table
        self.file = file
        self.rejected = np.zeros(table.num_rows, dtype=bool)
        self.issues: list[Issue] = []

    def add(
        self, failing: pa.ChunkedArray | pa.Array, kind: str, column: str | None, reason: Callable
    ) -> None:
        """``reason(row)`` words the issue from the row's text values (called for failing rows only)."""
        mask = pc.fill_null(failing, False).to_numpy(zero_copy_only=False) & ~self.rejected
        for row in self.table.take(pa.array(np.flatnonzero(mask))).to_pylist():
            self.issues.append(
                Issue(self.file, row[LINE], column, row.get(column) if column else None, kind, reason(row))
            )
        self.rejected |= mask

    def required(self, columns: tuple[str, ...]) -> None:
        """A blank in any of ``columns`` rejects its row (``missing_required``)."""
        for column in columns:
            self.add(
                pc.is_null(self.table[column]),
                "missing_required",
                column,
                lambda r, c=column: f"{c} is blank",
            )

    def dates(self, column: str, earliest: date, ahead: timedelta, holder: str) -> pa.ChunkedArray:
        """``column`` as dates; a value that is no real YYYY-MM-DD date rejects its row (``bad_date``), and so
        does one before ``earliest`` or more than ``ahead`` past today (``implausible_date``: a typing error,
        since ``holder``, "a log", is written after the fact)."""
        text = self.table[column]
        parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
        # the round trip refuses what strptime rolls over (2025-02-30 would become March 2)
        real = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), text)
        self.add(
            pc.invert(pc.fill_null(real, False)),
            "bad_date",
            column,
            lambda r: f"{r[column]!r} is not a YYYY-MM-DD date",
        )
        days = pc.cast(parsed, pa.date32())
        latest = date.today() + ahead
        self.add(
            pc.fill_null(pc.or_(pc.less(days, earliest), pc.greater(days, latest)), False),
            "implausible_date",
            column,
            lambda r: (
                f"{r[column]!r} is not inside a school year {holder} can hold ({earliest.year} to next month)"
            ),
        )
        return days


def first_rows(keys: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Each row's key as a number, numbered in order of first appearance, and per number the row where it
    first appears (a null is a key like any other).

    Grouping by position: a row compared with its key's first row, or the first rows taken whole, costs a
    ``take`` per column, where a hash group-by aggregating every column costs several times more.
    """
    numbers = codes(keys)
    _, first = np.unique(numbers, return_index=True)
    return numbers, first


def codes(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Each value as a number, numbered in order of first appearance: equal values (blanks too) alike."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return pc.dictionary_encode(values, null_encoding="encode").indices.to_numpy()


def repeats(values: pa.ChunkedArray, live: np.ndarray) -> np.ndarray:
    """True for every live row whose value already appeared on an earlier live row."""
    positions = np.flatnonzero(live)
    codes, first = first_rows(values.take(pa.array(positions)))
    flags = np.zeros(len(live), dtype=bool)
    flags[positions[np.arange(len(positions)) != first[codes]]] = True
    return flags


def unknown_columns(file: str, unknown: set[str], format_name: str) -> Issue:
    """The one warning for columns a hub format does not hold (kept in the raw extract, not loaded)."""
    names = ", ".join(sorted(unknown))
    return Issue(
        file,
        1,
        ",".join(sorted(unknown)),
        None,
        "unknown_column",
        f"column(s) {names} are not part of the {format_name} format; kept in the raw extract, not loaded "
        "(a misspelt column name?)",
        "warning",
    )


def count_read_issues(found: list[Issue], report: FileReport) -> int:
    """Warnings of reading (the file's encoding, NUL bytes) go on the report; returns the rows rejected."""
    for issue in found:
        if issue.severity == "warning":
            report.warn(issue.kind)
    return sum(issue.severity == "reject" for issue in found)
