"""One CSV file's bytes to an all-text Arrow table, with the line each row came from.

pyarrow parses; Python only sees the rows whose cell count differs from the header's (see ragged.py).
``line`` counts CSV records with the header as line 1, so a value holding a line break still counts as one
line, and blank lines do not count.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.oneroster.report import FileLog
from connectors.oneroster_csv.ragged import OddRow, fit_rows

BOM = b"\xef\xbb\xbf"
_HEADER_PREFIX = 1 << 16
# Past this many rows of another width, re-read the file at that width rather than take a Python call each.
_ODD_ROWS_BEFORE_REREAD = 20_000


@dataclass(slots=True)
class CsvTable:
    header: list[str]  # header cells, trailing empty cells dropped
    table: pa.Table  # one string column per header cell, named by position ("0", "1", ...)
    lines: pa.ChunkedArray  # int64, ascending


@dataclass(slots=True)
class _Parsed:
    table: pa.Table
    lines: pa.ChunkedArray
    odd: list[OddRow]  # rows of another width than the table's, left out of it
    records: int  # data rows in the file, whether in the table, odd or not text


class _TooManyOddRows(Exception):
    pass


def read_csv(data: bytes, log: FileLog) -> CsvTable | None:
    """Parse ``data``; None (with ``log.report.fatal`` set) when it has no header row at all."""
    buffer = pa.py_buffer(data)
    if data.startswith(BOM):
        buffer = buffer.slice(len(BOM))
        log.warn("bom", "starts with a UTF-8 byte order mark; ignored")
    prefix = buffer[:_HEADER_PREFIX].to_pybytes()
    if not prefix.strip():
        log.fatal(f"{log.file} is empty: it has no header row")
        return None
    header = read_header(prefix)
    _check_line_ends(data, prefix, log)
    named = len(header)
    while named and not header[named - 1].strip():
        named -= 1
    if named < len(header):
        log.warn("empty_header_column", f"header ends with {len(header) - named} empty cell(s); ignored")
        del header[named:]
    if not header:
        log.fatal(f"{log.file} has an empty header row")
        return None
    width = len(header)
    if not _has_data(data):
        empty = pa.table({str(i): pa.array([], pa.string()) for i in range(width)})
        return CsvTable(header, empty, pa.chunked_array([], pa.int64()))
    parsed = _parse_any_width(buffer, width, log)
    log.report.rows = parsed.records
    return CsvTable(header, *fit_rows(parsed.table, parsed.lines, parsed.odd, width, log))


def read_header(head: bytes) -> list[str]:
    """The header cells of a file, from its first bytes (a BOM is ignored)."""
    text = head.removeprefix(BOM)[:_HEADER_PREFIX].decode("utf-8", errors="replace")
    return next(csv.reader(io.StringIO(text, newline="")), [])


def _check_line_ends(data: bytes, prefix: bytes, log: FileLog) -> None:
    end = prefix.find(b"\n")
    if end > 0 and prefix[end - 1 : end] == b"\r":
        log.warn("crlf", "uses CRLF (Windows) line endings; read as usual")
    if not data.endswith(b"\n"):
        log.warn("no_final_newline", "does not end with a line break; last row read as usual")


def _has_data(data: bytes) -> bool:
    """Whether anything follows the header row (without copying the data to find out)."""
    end = len(data)
    while end and data[end - 1] in b"\r\n":
        end -= 1
    return data.find(b"\n", 0, end) >= 0 or data.find(b"\r", 0, end) >= 0


def _parse_any_width(buffer: pa.Buffer, width: int, log: FileLog) -> _Parsed:
    try:
        return _parse(buffer, width, log, _ODD_ROWS_BEFORE_REREAD)
    except _TooManyOddRows as many:
        common = Counter(row.width for row in many.args[0]).most_common(1)[0][0]
        return _parse(buffer, max(common, width), log, None)


def _parse(buffer: pa.Buffer, width: int, log: FileLog, give_up_after: int | None) -> _Parsed:
    odd: list[OddRow] = []

    def on_odd_row(row: pacsv.InvalidRow) -> str:
        odd.append(OddRow(row.number, row.text, row.actual_columns))
        return "error" if give_up_after is not None and len(odd) > give_up_after else "skip"

    names = [str(i) for i in range(width)]
    try:
        table = _arrow_read(buffer, names, pa.string(), on_odd_row)
    except pa.ArrowInvalid as error:
        if give_up_after is not None and len(odd) > give_up_after:
            raise _TooManyOddRows(odd) from None
        if "invalid UTF8" not in str(error):
            raise
        odd.clear()
        raw = _arrow_read(buffer, names, pa.binary(), on_odd_row)
        table, lines = _decode(raw, _lines(raw.num_rows, odd), log)
        return _Parsed(table, lines, odd, raw.num_rows + len(odd))
    return _Parsed(table, _lines(table.num_rows, odd), odd, table.num_rows + len(odd))


def _arrow_read(buffer: pa.Buffer, names: list[str], kind: pa.DataType, on_odd_row) -> pa.Table:
    # Single-threaded: only then does pyarrow know an odd row's line (and on 2 cores it is no slower).
    return pacsv.read_csv(
        pa.BufferReader(buffer),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_odd_row),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, kind),
            null_values=[""],  # only a blank is blank: "NA" or "NULL" may be someone's name
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )


def _decode(table: pa.Table, lines: pa.ChunkedArray, log: FileLog) -> tuple[pa.Table, pa.ChunkedArray]:
    """Binary columns to text, rejecting the rows that are not UTF-8 (rare: a file saved as ANSI)."""
    bad = np.zeros(table.num_rows, dtype=bool)
    for column in table.columns:
        try:
            column.cast(pa.string())
            continue  # this column is fine; only the failing ones are looked at value by value
        except pa.ArrowInvalid:
            pass
        for index, value in enumerate(column.to_pylist()):
            if value is not None and not bad[index]:
                try:
                    value.decode("utf-8")
                except UnicodeDecodeError:
                    bad[index] = True
    for line in pc.filter(lines, pa.array(bad)).to_pylist():
        log.reject(line, None, None, "encoding", "is not UTF-8 text; save the file as UTF-8 (CSV UTF-8)")
    kept = pa.array(~bad)
    text = table.filter(kept)
    return pa.table({name: text.column(name).cast(pa.string()) for name in text.column_names}), lines.filter(
        kept
    )


def _lines(rows: int, odd: list[OddRow]) -> pa.ChunkedArray:
    total = rows + len(odd)
    numbers = np.arange(2, total + 2, dtype=np.int64)
    if odd:
        keep = np.ones(total, dtype=bool)
        keep[np.array([row.line for row in odd]) - 2] = False
        numbers = numbers[keep]
    return pa.chunked_array([numbers])
