"""Reading one log file into text columns, each row with the file line it came from.

Both shapes end in the same flat table, one row per student per session, so that everything after this
module (validation, normalization) is written once. ``_instance`` tells which rows were written together
as one session: a CSV file's rows of one session id, or one JSON line.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.session_log.format import SESSION_COLUMNS, STUDENT_COLUMNS
from hub.cells import HEADER_ONLY, oversized
from hub.connector import ConnectorError, Issue
from hub.decoding import first_lines, header_cells, read_utf8, whole_file_block
from hub.quotes import REASON as OPEN_QUOTE
from hub.quotes import open_quotes

LINE, INSTANCE = "_line", "_instance"
FILE_STRIDE = 1_000_000_000  # _instance = file number * stride + JSON line; keeps later files larger


def blank_to_null(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _text_of(path: Path) -> tuple[bytes, list[Issue]]:
    """The file as UTF-8 (``hub.decoding``), with the warnings of how it was read."""
    try:
        data, encoding = read_utf8(path, path.name)
    except OSError as error:
        raise ConnectorError(f"{path.name}: cannot be opened ({error})", file=path.name) from None
    warnings = [
        Issue(path.name, line, None, None, kind, why, "warning") for kind, line, why in encoding.warnings()
    ]
    return data, warnings


def read_csv(path: Path, required: tuple[str, ...], file_number: int) -> tuple[pa.Table, list[Issue]]:
    """All columns as text (blank = null); rows with the wrong number of fields become rejects."""
    data, decoding = _text_of(path)
    header = header_cells(first_lines(data, path.name), path.name)
    names = [name.strip().lower() for name in header]
    missing = [column for column in required if column not in names]
    if missing:
        raise ConnectorError(
            f"{path.name}: missing required column(s) {', '.join(missing)} in the header line "
            f"(found: {', '.join(names) or 'nothing'})",
            file=path.name,
        )
    if len(set(names)) != len(names):
        repeated = sorted({name for name in names if names.count(name) > 1})
        raise ConnectorError(f"{path.name}: column(s) {', '.join(repeated)} appear twice", file=path.name)
    mended = open_quotes(data, len(header))
    skipped: list[tuple[int, str, int, int]] = []

    def skip(row: pacsv.InvalidRow) -> str:
        skipped.append((row.number or 0, row.text, row.expected_columns, row.actual_columns))
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(mended.data),
            read_options=pacsv.ReadOptions(use_threads=False, block_size=whole_file_block(len(data))),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=skip),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, OSError) as error:
        raise ConnectorError(f"{path.name}: not a readable CSV file ({error})", file=path.name) from None
    table = table.rename_columns(names)
    table = pa.table({name: blank_to_null(table.column(name)) for name in names})
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
    table = table.append_column(INSTANCE, pa.array(np.full(table.num_rows, file_number * FILE_STRIDE)))
    if mended.lines:
        issues += [Issue(path.name, line, None, None, "open_quote", OPEN_QUOTE) for line in mended.lines]
        table = table.filter(pc.invert(pc.is_in(table.column(LINE), pa.array(mended.lines, pa.int64()))))
    return _without_oversized(table, path.name, issues)


def _without_oversized(table: pa.Table, name: str, issues: list[Issue]) -> tuple[pa.Table, list[Issue]]:
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


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 30.0 from a JSON writer is the whole number 30
    return str(value).strip() or None


def read_jsonl(path: Path, file_number: int) -> tuple[pa.Table, list[Issue], set[str]]:
    """One session per line, students in a ``students`` list; returns rows, rejects and unknown keys.

    A per-line loop is needed here: one malformed line must become one reject, not a failed file.
    """
    rows: dict[str, list[str | None]] = {name: [] for name in SESSION_COLUMNS + STUDENT_COLUMNS}
    lines: list[int] = []
    data, issues = _text_of(path)
    unknown: set[str] = set()
    for line, text in enumerate(io.StringIO(data.decode("utf-8"), newline=None), start=1):
        if not text.strip():
            continue
        session, problem = _session_object(text)
        if problem:
            issues.append(Issue(path.name, line, None, text.strip()[:200], "bad_json", problem))
            continue
        unknown |= set(session) - set(SESSION_COLUMNS) - {"students"}
        for student in session["students"]:
            unknown |= set(student) - set(STUDENT_COLUMNS)
            for name in SESSION_COLUMNS:
                rows[name].append(_text(session.get(name)))
            for name in STUDENT_COLUMNS:
                rows[name].append(_text(student.get(name)))
            lines.append(line)
    table = pa.table({name: pa.array(values, pa.string()) for name, values in rows.items()})
    table = table.append_column(LINE, pa.array(lines, pa.int64()))
    instances = file_number * FILE_STRIDE + np.asarray(lines, dtype=np.int64)
    table, issues = _without_oversized(
        table.append_column(INSTANCE, pa.array(instances, pa.int64())), path.name, issues
    )
    return table, issues, unknown


def _session_object(text: str) -> tuple[dict, str | None]:
    try:
        session = json.loads(text)
    except json.JSONDecodeError as error:
        return {}, f"not valid JSON ({error.msg} at character {error.pos + 1})"
    except RecursionError:
        return {}, "not a session: the JSON is nested deeper than Python reads"
    except ValueError as error:  # an integer past Python's digit limit
        return {}, f"not a session: {error}"
    if not isinstance(session, dict):
        return {}, "each line must be one JSON object (a session)"
    students = session.get("students")
    if not isinstance(students, list) or not students:
        return {}, 'the session has no "students" list (list every student scheduled, absent ones too)'
    if not all(isinstance(student, dict) for student in students):
        return {}, '"students" must be a list of objects'
    return session, None
