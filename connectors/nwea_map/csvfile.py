"""Reading one export file into an all-text Arrow table that remembers each row's line.

Everything is read as text: MAP ids have leading zeros, and dates come in several formats; typing is the
normalizer's job, where a bad cell becomes an ``Issue`` instead of failing the whole file. Parsing is
multi-threaded; only a file with ragged rows is read a second time, single-threaded, because only then do
the row numbers of the rows that were set aside matter.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from hub.cells import HEADER_ONLY, oversized
from hub.connector import ConnectorError, Issue
from hub.decoding import UNREADABLE_ROW, header_cells, record_cells
from hub.quotes import REASON as OPEN_QUOTE
from hub.quotes import open_quotes

LINE = "_line"
FILE = "_file"
PROVENANCE = (LINE, FILE)
"""Columns the reader adds to every stream: where each row came from, for the messages that cite it."""

_BLOCK_BYTES = 16 << 20  # MAP rows are wide: big blocks keep the per-block overhead of 143 columns down

Opener = Callable[[], AbstractContextManager[IO[bytes]]]


@dataclass(slots=True)
class TextFile:
    table: pa.Table
    header: list[str]
    issues: list[Issue] = field(default_factory=list)


def read_header(open_file: Opener, name: str) -> tuple[list[str], str]:
    """The header's cells and the delimiter, from a file already decoded to UTF-8 (``hub.decoding``)."""
    with open_file() as stream:
        first = stream.read(1 << 20).split(b"\n", 1)[0]
    line = first.decode("utf-8-sig", errors="replace")
    if not line.strip():
        raise ConnectorError(f"{name}: the file is empty (no header row)", file=name)
    delimiter = "\t" if line.count("\t") > line.count(",") else ","
    return header_cells([line.strip("\r")], name, delimiter), delimiter


def read_text_table(open_file: Opener, name: str, header: list[str], delimiter: str) -> TextFile:
    """Read the rows under ``header`` (already renamed); ragged rows are padded or rejected, never lost,
    and a row with a cell no export holds is rejected (``hub.cells``)."""
    text = _read_rows(open_file, name, header, delimiter)
    if not text.table.num_rows and not text.issues:
        text.issues.append(Issue(name, 1, None, None, "header_only", HEADER_ONLY, "warning"))
    found = oversized(text.table)
    if not found:
        return text
    lines = text.table.column(LINE)
    rejects = [
        Issue(name, lines[row].as_py(), found.columns[i], None, "cell_too_long", found.reason(i))
        for i, row in enumerate(found.rows)
    ]
    return TextFile(text.table.filter(found.keep), header, text.issues + rejects)


def _read_rows(open_file: Opener, name: str, header: list[str], delimiter: str) -> TextFile:
    duplicates = sorted({column for column in header if header.count(column) > 1})
    if duplicates:
        raise ConnectorError(f"{name}: the header repeats column(s) {', '.join(duplicates)}", file=name)
    try:
        table, ragged = _parse(open_file, header, delimiter, use_threads=True)
    except pa.ArrowInvalid as error:
        raise ConnectorError(f"{name}: cannot be read as CSV: {error}", file=name) from None
    if not ragged:
        lines = pa.array(np.arange(2, table.num_rows + 2, dtype=np.int64))
        return TextFile(_with_provenance(table, lines, name), header)
    # Ragged rows: a quote left open is the likeliest cause, so those lines are neutralised first.
    with open_file() as stream:
        mended = open_quotes(stream.read(), len(header), delimiter)
    if mended.lines:
        open_file = partial(io.BytesIO, mended.data)
    table, ragged = _parse(open_file, header, delimiter, use_threads=False)
    text = _mend_ragged(table, ragged, name, header, delimiter)
    if not mended.lines:
        return text
    broken = pc.is_in(text.table.column(LINE), pa.array(mended.lines, pa.int64()))
    opened = [Issue(name, line, None, None, "open_quote", OPEN_QUOTE) for line in mended.lines]
    return TextFile(text.table.filter(pc.invert(broken)), header, text.issues + opened)


def _parse(
    open_file: Opener, header: list[str], delimiter: str, *, use_threads: bool
) -> tuple[pa.Table, list[pv.InvalidRow]]:
    ragged: list[pv.InvalidRow] = []

    def set_aside(row: pv.InvalidRow) -> str:
        ragged.append(row)
        return "skip"

    with open_file() as stream:
        table = pv.read_csv(
            stream,
            read_options=pv.ReadOptions(
                column_names=header,
                skip_rows=1,
                use_threads=use_threads,
                block_size=_BLOCK_BYTES,
            ),
            # Blank lines stay rows, so that a row's index still gives its line number.
            parse_options=pv.ParseOptions(
                delimiter=delimiter, invalid_row_handler=set_aside, ignore_empty_lines=False
            ),
            convert_options=pv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                null_values=[""],  # only blanks: "NA" may be a name, and "n/a" is a bad cell to report
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    return table, ragged


def _mend_ragged(
    table: pa.Table, ragged: list[pv.InvalidRow], name: str, header: list[str], delimiter: str
) -> TextFile:
    """Short rows (trailing empty fields left off) are padded; long rows cut only if the extra is empty."""
    issues: list[Issue] = []
    mended: list[list[str | None]] = []
    mended_lines: list[int] = []
    short = 0
    for row in ragged:
        line = int(row.number)
        fields = record_cells(row.text, delimiter)
        if fields is None:
            issues.append(Issue(name, line, None, None, "unreadable_row", UNREADABLE_ROW))
            continue
        if len(fields) <= 1 and not "".join(fields).strip():
            fields = []  # a whitespace-only line: an empty row, dropped later like any blank row
        if len(fields) > len(header) and any(value.strip() for value in fields[len(header) :]):
            issues.append(
                Issue(
                    name,
                    line,
                    None,
                    None,
                    "field_count",
                    f"row has {len(fields)} fields but the header has {len(header)}; "
                    "the extra fields are not empty, so the columns cannot be trusted",
                )
            )
            continue
        short += 0 < len(fields) < len(header)
        padded = fields[: len(header)] + [""] * (len(header) - len(fields))
        mended.append([value or None for value in padded])
        mended_lines.append(line)
    if short:
        issues.append(
            Issue(
                name,
                mended_lines[0],
                None,
                None,
                "short_row",
                f"{short} row(s) have fewer fields than the header; the missing trailing ones read as blank",
                "warning",
            )
        )
    total = table.num_rows + len(ragged)
    set_aside = np.array(sorted({int(row.number) for row in ragged}), dtype=np.int64)
    kept_lines = np.setdiff1d(np.arange(2, total + 2, dtype=np.int64), set_aside)
    patch = pa.Table.from_pylist([dict(zip(header, values, strict=True)) for values in mended], table.schema)
    combined = pa.concat_tables([table, patch])
    lines = pa.array(np.concatenate([kept_lines, np.array(mended_lines, dtype=np.int64)]))
    order = pc.sort_indices(lines)
    result = _with_provenance(combined.take(order), lines.take(order), name)
    return TextFile(result, header, issues)


def _with_provenance(table: pa.Table, lines: pa.Array, name: str) -> pa.Table:
    files = pa.DictionaryArray.from_arrays(pa.array(np.zeros(table.num_rows, dtype=np.int32)), [name])
    return table.append_column(LINE, lines).append_column(FILE, files)
