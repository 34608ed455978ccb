"""One CSV file's bytes to an all-text Arrow table, with the line each row came from.

pyarrow parses; Python only sees the rows whose cell count differs from the header's (see ragged.py).
``line`` counts CSV records with the header as line 1, so a value holding a line break still counts as one
line, and blank lines do not count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.oneroster.report import FileLog
from connectors.oneroster_csv.ragged import OddRow, fit_rows
from hub.cells import HEADER_ONLY, oversized
from hub.decoding import UndecodableFile, detect_bytes, first_lines, header_cells, to_utf8, whole_file_block
from hub.quotes import REASON as OPEN_QUOTE
from hub.quotes import open_quotes

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
    """Parse ``data``; None (with ``log.report.fatal`` set) when it has no header row or is not text."""
    try:
        encoding = detect_bytes(data, log.file)
    except UndecodableFile as error:
        log.fatal(str(error))
        return None
    if encoding.is_utf8 and encoding.bom:  # the OneRoster spec's files have none; harmless all the same
        log.warn("bom", "starts with a UTF-8 byte order mark; ignored")
    for kind, line, reason in encoding.warnings():
        log.warn(kind, reason, line=line)
    data = to_utf8(data, encoding)
    buffer = pa.py_buffer(data)
    prefix = buffer[:_HEADER_PREFIX].to_pybytes()
    if not prefix.strip():
        log.fatal(f"{log.file} is empty: it has no header row")
        return None
    header = read_header(prefix, log.file)
    cells = len(header)  # what a row holds, trailing empty header cells included
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
        log.warn("header_only", HEADER_ONLY, line=1)
        empty = pa.table({str(i): pa.array([], pa.string()) for i in range(width)})
        return CsvTable(header, empty, pa.chunked_array([], pa.int64()))
    mended = open_quotes(data, cells)
    parsed = _parse_any_width(pa.py_buffer(mended.data), width, log)
    log.report.rows = parsed.records
    table, lines = fit_rows(parsed.table, parsed.lines, parsed.odd, width, log)
    table, lines = _without_open_quotes(table, lines, mended.records, log)
    return CsvTable(header, *_without_oversized(table, lines, header, log))


def _without_open_quotes(
    table: pa.Table, lines: pa.ChunkedArray, broken: list[int], log: FileLog
) -> tuple[pa.Table, pa.ChunkedArray]:
    if not broken:
        return table, lines
    for line in broken:
        log.reject(line, None, None, "open_quote", OPEN_QUOTE)
    keep = pc.invert(pc.is_in(lines, pa.array(broken, pa.int64())))
    return table.filter(keep), lines.filter(keep)


def _without_oversized(
    table: pa.Table, lines: pa.ChunkedArray, header: list[str], log: FileLog
) -> tuple[pa.Table, pa.ChunkedArray]:
    found = oversized(table, header)
    if not found:
        return table, lines
    for index, row in enumerate(found.rows):
        log.reject(lines[row].as_py(), found.columns[index], None, "cell_too_long", found.reason(index))
    return table.filter(found.keep), lines.filter(found.keep)


def read_header(head: bytes, name: str) -> list[str]:
    """The header cells of a file, from its first bytes, decoded as the whole file will be."""
    return header_cells(first_lines(head, name), name)


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
        table = _arrow_read(buffer, names, on_odd_row)
    except pa.ArrowInvalid:
        if give_up_after is not None and len(odd) > give_up_after:
            raise _TooManyOddRows(odd) from None
        raise
    return _Parsed(table, _lines(table.num_rows, odd), odd, table.num_rows + len(odd))


def _arrow_read(buffer: pa.Buffer, names: list[str], on_odd_row) -> pa.Table:
    # Single-threaded: only then does pyarrow know an odd row's line (and on 2 cores it is no slower).
    # One block for the whole buffer: a cell larger than a block would otherwise fail the whole file.
    return pacsv.read_csv(
        pa.BufferReader(buffer),
        read_options=pacsv.ReadOptions(
            column_names=names, skip_rows=1, use_threads=False, block_size=whole_file_block(buffer.size)
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_odd_row),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            null_values=[""],  # only a blank is blank: "NA" or "NULL" may be someone's name
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )


def _lines(rows: int, odd: list[OddRow]) -> pa.ChunkedArray:
    total = rows + len(odd)
    numbers = np.arange(2, total + 2, dtype=np.int64)
    if odd:
        keep = np.ones(total, dtype=bool)
        keep[np.array([row.line for row in odd]) - 2] = False
        numbers = numbers[keep]
    return pa.chunked_array([numbers])
