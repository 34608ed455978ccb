"""Reading a district's own CSV format into text columns, each row with the file line it came from.

The hub's own formats (session logs, the tutors list, progress-monitoring scores) are read alike: decoded
by ``hub.decoding``, every column as text (blank = null), a row with the wrong number of fields, an open
quote or an oversized cell rejected with its line while the rest of the file is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
from hub.quotes import lines_parse_alone, open_quotes

LINE = "_line"
BLOCK = 8 << 20
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

    The whole file at once (``csv_blocks`` joined), for a file the hub holds whole anyway (a tutors list).
    """
    tables, issues = [], []
    for table, found in csv_blocks(path, required):
        tables.append(table)
        issues += found
    return pa.concat_tables(tables), in_read_order(issues)


def csv_blocks(path: Path, required: tuple[str, ...]) -> Iterator[tuple[pa.Table, list[Issue]]]:
    """The file's rows a block at a time, as text columns (blank = null) with their ``LINE``, each with
    the issues of reading it (the first with how the file was decoded); at least one block.

    A clean UTF-8 file whose every line closes its quotes and is shorter than a block (most exports) is
    parsed from disk ``BLOCK`` bytes at a time, so that neither the file's bytes nor its rows are ever held
    whole: a session log is gigabytes. Any other file (another encoding, NULs, values spanning lines, a
    quote left open, a line longer than a block) is decoded and mended whole first, as one block.
    """
    try:
        encoding = detect_file(lambda: path.open("rb"), path.name)
        header = header_cells(first_lines(path, path.name), path.name)
    except OSError as error:
        raise _unopened(path, error) from None
    names = _column_names(header, required, path.name)
    if encoding.clean and lines_parse_alone(path, BLOCK):
        blocks = _streamed(path, header, names)
    else:
        blocks = iter([_whole(path, encoding, header, names)])
    decoding = _encoding_warnings(path.name, encoding)
    rows = issues_found = 0
    for table, issues in blocks:
        table, issues = _without_oversized(table, path.name, decoding + issues)
        decoding, rows, issues_found = [], rows + table.num_rows, issues_found + len(issues)
        yield table, issues
    if not rows and not issues_found:
        yield table, [Issue(path.name, 1, None, None, "header_only", HEADER_ONLY, "warning")]


_READ_ORDER = {"column_count": 1, "open_quote": 2, "cell_too_long": 3}


def in_read_order(issues: list[Issue]) -> list[Issue]:
    """A file's read issues in the order a whole read words them: how it was decoded, then kind by kind."""
    return sorted(issues, key=lambda issue: _READ_ORDER.get(issue.kind, 0))


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


def _reader(stream: pa.NativeFile, header: list[str], block_size: int, skipped: Skipped) -> Iterator:
    def skip(row: pacsv.InvalidRow) -> str:
        skipped.append((row.number or 0, row.text, row.expected_columns, row.actual_columns))
        return "skip"

    return pacsv.open_csv(
        stream,
        read_options=pacsv.ReadOptions(use_threads=False, block_size=block_size),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=skip),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header}, strings_can_be_null=False
        ),
    )


def _text(parsed: pa.RecordBatch | pa.Table, names: list[str], lines: np.ndarray) -> pa.Table:
    """Parsed cells trimmed, blanks null, beside the line each row starts on."""
    columns = [pa.chunked_array(blank_to_null(column)) for column in parsed.columns]
    return pa.table([*columns, pa.chunked_array([pa.array(lines, pa.int64())])], names=[*names, LINE])


def _column_counts(name: str, skipped: Skipped, lines: list[int]) -> list[Issue]:
    return [
        Issue(name, line, None, text[:200], "column_count", f"expected {expected} fields, found {actual}")
        for line, (_, text, expected, actual) in zip(lines, skipped, strict=True)
    ]


def _streamed(path: Path, header: list[str], names: list[str]) -> Iterator[tuple[pa.Table, list[Issue]]]:
    """Blocks of whole lines read from disk, each parsed after the header line. No value spans lines
    here, so a block's n-th record is its n-th line. (Arrow's own streaming reader reads far ahead of the
    block it hands over: some forty blocks held at once.)"""
    with path.open("rb") as stream:
        head = stream.readline()
        line, carry = 2, b""  # the line the next block starts on; a line cut by the block's end
        while block := carry + stream.read(BLOCK):
            cut = block.rfind(b"\n") + 1 or len(block)  # a last line without a line break ends the file
            block, carry = block[:cut], block[cut:]
            yield _lines(head + block, header, names, line, path.name)
            line += block.count(b"\n")
    if line == 2:  # no rows: a block of none, for the file's columns
        yield _lines(head, header, names, line, path.name)


def _lines(
    data: bytes, header: list[str], names: list[str], line: int, name: str
) -> tuple[pa.Table, list[Issue]]:
    """A header line and the lines after it, the first of them line ``line`` of the file."""
    skipped: Skipped = []
    try:
        with pa.BufferReader(data) as stream:
            batches = list(_reader(stream, header, whole_file_block(len(data)), skipped))
    except pa.ArrowInvalid as error:
        raise ConnectorError(f"{name}: not a readable CSV file ({error})", file=name) from None
    parsed = pa.Table.from_batches(batches, pa.schema([(cell, pa.string()) for cell in header]))
    records = np.arange(2, parsed.num_rows + len(skipped) + 2)  # the header is record 1
    gone = [number for number, _, _, _ in skipped]
    lines = records[~np.isin(records, gone)] - 2 + line
    return _text(parsed, names, lines), _column_counts(name, skipped, [number - 2 + line for number in gone])


def _whole(
    path: Path, encoding: TextEncoding, header: list[str], names: list[str]
) -> tuple[pa.Table, list[Issue]]:
    """The file decoded and its open quotes mended (``hub.quotes``), then parsed as one block."""
    data = to_utf8(path.read_bytes(), encoding)
    mended = open_quotes(data, len(header))
    skipped: Skipped = []
    try:
        with pa.BufferReader(mended.data) as stream:
            batches = list(_reader(stream, header, whole_file_block(len(data)), skipped))
    except (pa.ArrowInvalid, OSError) as error:
        raise ConnectorError(f"{path.name}: not a readable CSV file ({error})", file=path.name) from None
    parsed = pa.Table.from_batches(batches, pa.schema([(name, pa.string()) for name in header]))
    lines, skipped_lines = _physical_lines(parsed, skipped)
    table = _text(parsed, names, lines)
    issues = _column_counts(path.name, skipped, skipped_lines)
    if mended.lines:
        issues += [Issue(path.name, line, None, None, "open_quote", OPEN_QUOTE) for line in mended.lines]
        table = table.filter(pc.invert(pc.is_in(table.column(LINE), pa.array(mended.lines, pa.int64()))))
    return table, issues


def _without_oversized(table: pa.Table, name: str, issues: list[Issue]) -> tuple[pa.Table, list[Issue]]:
    """Rows with a cell no log holds are rejects (``hub.cells``), the others stay."""
    found = oversized(table)
    if not found:
        return table, issues
    lines = table.column(LINE)
    issues = issues + [
        Issue(name, lines[row].as_py(), found.columns[i], None, "cell_too_long", found.reason(i))
        for i, row in enumerate(found.rows)
    ]
    return table.filter(found.keep), issues


def without_oversized(table: pa.Table, name: str, issues: list[Issue]) -> tuple[pa.Table, list[Issue]]:
    """Rows with a cell no log holds are rejects (``hub.cells``), the others stay; no rows is a warning."""
    if not table.num_rows and not issues:
        return table, [Issue(name, 1, None, None, "header_only", HEADER_ONLY, "warning")]
    return _without_oversized(table, name, issues)


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

    def __init__(self, table: pa.Table, file: str, rejected: np.ndarray | None = None) -> None:
        self.table = table
        self.file = file
        self.rejected = np.zeros(table.num_rows, dtype=bool) if rejected is None else rejected.copy()
        self.checks: list[list[Issue]] = []
        """Each check's issues in the order checked: a file checked in blocks gathers them check by check."""

    @property
    def issues(self) -> list[Issue]:
        return [issue for found in self.checks for issue in found]

    def add(
        self, failing: pa.ChunkedArray | pa.Array, kind: str, column: str | None, reason: Callable
    ) -> None:
        """``reason(row)`` words the issue from the row's text values (called for failing rows only)."""
        mask = pc.fill_null(failing, False).to_numpy(zero_copy_only=False) & ~self.rejected
        self.checks.append(
            [
                Issue(self.file, row[LINE], column, row.get(column) if column else None, kind, reason(row))
                for row in self.table.take(pa.array(np.flatnonzero(mask))).to_pylist()
            ]
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

    def dates(self, column: str, earliest: date, ahead: timedelta, holder: str) -> pa.Array:
        """``column`` as dates; a value that is no real YYYY-MM-DD date rejects its row (``bad_date``), and so
        does one before ``earliest`` or more than ``ahead`` past today (``implausible_date``: a typing error,
        since ``holder``, "a log", is written after the fact). Each distinct text is parsed once: a file of
        millions of rows holds a school year's few hundred dates."""
        values = self.table[column]
        encoded = pc.dictionary_encode(
            values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        )
        text = encoded.dictionary
        parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
        # the round trip refuses what strptime rolls over (2025-02-30 would become March 2)
        real = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), text).take(encoded.indices)
        parsed = parsed.take(encoded.indices)
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
