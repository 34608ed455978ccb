"""Reading i-Ready CSV exports into Arrow: every cell as text, every row traced back to its line.

One stream per report (``diagnostic_results``, ``instruction_by_lesson``) holds the rows of every file of
that report, under the 2025-26 column names, plus three columns of our own: ``_file``, ``_line`` (the
physical line, header = 1, so a reject points where a person can look) and ``_subject`` (from the header).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.iready.instruction import LINE_COLUMN as ROW
from connectors.iready.instruction import is_diagnostic_and_instruction, one_test_header, tests_as_rows
from connectors.iready.layouts import LESSONS, RESULTS, Recognised, recognise, vendor_name
from hub.archives import inside, unzipped
from hub.cells import HEADER_ONLY, oversized
from hub.connector import ConnectorError, Extract, FileReport, Issue
from hub.decoding import first_lines, header_cells, read_utf8, whole_file_block
from hub.quotes import REASON as OPEN_QUOTE
from hub.quotes import open_quotes

STREAMS = (RESULTS, LESSONS)
FILE, LINE, SUBJECT = "_file", "_line", "_subject"
_REPORT_NAMES = {RESULTS: "Diagnostic Results", LESSONS: "Personalized Instruction by Lesson"}


def find_exports(path: Path, pattern: str) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ConnectorError(f"{path}: no such file or folder", file=str(path))
    found = sorted(inside(path, p) for p in path.glob(pattern) if p.is_file())
    if not found:
        raise ConnectorError(f"{path}: no file matches {pattern!r}", file=str(path))
    return found


def read_exports(path: Path, pattern: str) -> Extract:
    """Every i-Ready export under ``path`` (a file, a folder or a zip of them); other files in a folder
    are skipped with a warning."""
    with exports_at(path, pattern) as where:
        return read_files(where, pattern)


@contextmanager
def exports_at(path: Path, pattern: str) -> Iterator[Path]:
    """The file or folder to read: ``path``, or for a zip a scratch folder of its matching members."""
    if zipfile.is_zipfile(path):
        with unzipped(path, lambda name: PurePosixPath(name).match(pattern)) as folder:
            yield folder
        return
    yield path


def exports_by_name(path: Path, pattern: str) -> dict[str, Path]:
    """The files ``read_files`` reads, by the name their rows carry in ``_file``."""
    return {
        (file.relative_to(path).as_posix() if path.is_dir() else file.name): file
        for file in find_exports(path, pattern)
    }


def read_files(path: Path, pattern: str) -> Extract:
    """Every export of a file or folder (``exports_at``) read whole."""
    tables: dict[str, list[pa.Table]] = {stream: [] for stream in STREAMS}
    extract = Extract(streams={}, files={}, issues=[], info={"files": {}})
    for name, file in exports_by_name(path, pattern).items():
        header = _header(file, name)
        recognised = recognise(
            one_test_header(header) if is_diagnostic_and_instruction(header) else header, name
        )
        if recognised is None:
            if path.is_file():
                raise ConnectorError(f"{name}: {_not_ours(header)}", file=name)
            extract.files[name] = FileReport(name, warnings={"unsupported_export": 1})
            extract.issues.append(
                Issue(
                    name, None, None, None, "unsupported_export", f"skipped: {_not_ours(header)}", "warning"
                )
            )
            continue
        _check(recognised, name)
        wide = recognised.layout.tests_side_by_side
        table, report, issues = _read_rows(file, name, recognised, header if wide else None)
        tables[recognised.layout.kind].append(table)
        extract.files[name] = report
        extract.issues.extend(issues)
        extract.info["files"][name] = {
            "kind": recognised.layout.kind,
            "layout": recognised.layout.label,
            "subject": recognised.subject,
            "extras": list(recognised.extras),
        }
    extract.streams = {
        stream: pa.concat_tables(parts, promote_options="default")
        for stream, parts in tables.items()
        if parts
    }
    return extract


def _not_ours(header: list[str]) -> str:
    shown = ", ".join(header[:4])
    return (
        "not an i-Ready Diagnostic Results or Personalized Instruction by Lesson export "
        f"(header: {shown}, ...; Spanish reading and i-Ready Pro exports are not read)"
    )


def _header(file: Path, name: str) -> list[str]:
    first = first_lines(file, name)
    if not first or not first[0].strip():
        raise ConnectorError(f"{name}: the file is empty; expected a header row first", file=name)
    return header_cells(first, name)


def _check(recognised: Recognised, name: str) -> None:
    layout = recognised.layout
    report = _REPORT_NAMES[layout.kind]
    if layout.kind == RESULTS and recognised.subject is None:
        raise ConnectorError(
            f"{name}: i-Ready {report}, but neither the header (no Lexile/Quantile or domain columns) nor "
            "the file name says whether it is ELA or Math",
            file=name,
        )
    if recognised.missing:
        subject = f" {recognised.subject.upper()}" if recognised.subject else ""
        missing = ", ".join(repr(column) for column in recognised.missing)
        raise ConnectorError(
            f"{name}: looks like i-Ready {report}{subject} (closest layout: {layout.label}) but the header "
            f"lacks required column(s) {missing}",
            file=name,
        )
    repeated = sorted(column for column, count in Counter(recognised.columns).items() if count > 1)
    if repeated:
        raise ConnectorError(f"{name}: column(s) {repeated} appear more than once in the header", file=name)


def _read_rows(
    file: Path, name: str, recognised: Recognised, wide_header: list[str] | None = None
) -> tuple[pa.Table, FileReport, list[Issue]]:
    """The file's rows as text; a Diagnostic and Instruction file (``wide_header``) becomes a row per test."""
    columns = [column.strip() for column in wide_header] if wide_header else list(recognised.columns)
    skipped: list[int] = []

    def skip_row(row: pacsv.InvalidRow) -> str:
        skipped.append(row.actual_columns)
        return "skip"

    data, encoding = read_utf8(file, name)
    mended = open_quotes(data, len(columns))
    data = mended.data
    decoding = [
        Issue(name, line, None, None, kind, reason, "warning") for kind, line, reason in encoding.warnings()
    ]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(
                column_names=columns, skip_rows=1, block_size=whole_file_block(len(data))
            ),
            parse_options=pacsv.ParseOptions(invalid_row_handler=skip_row),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(columns, pa.string()),
                null_values=[""],  # not Arrow's default list: a student may well be called "Null" or "NA"
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as error:
        raise ConnectorError(f"{name}: cannot be read as CSV: {error}", file=name) from None
    lines, bad_rows = _line_numbers(data, table.num_rows, len(columns), skipped)
    issues = decoding + [
        Issue(name, line, None, None, "field_count", f"row has {fields} fields, the header {len(columns)}")
        for line, fields in bad_rows
    ]
    if mended.lines:
        broken = pc.is_in(lines, pa.array(mended.lines, pa.int64()))
        issues += [Issue(name, line, None, None, "open_quote", OPEN_QUOTE) for line in mended.lines]
        table, lines = table.filter(pc.invert(broken)), lines.filter(pc.invert(broken))
    found = oversized(table)
    if found:
        issues += [
            Issue(name, lines[row].as_py(), found.columns[i], None, "cell_too_long", found.reason(i))
            for i, row in enumerate(found.rows)
        ]
        table, lines = table.filter(found.keep), lines.filter(found.keep)
    students = table.num_rows
    if wide_header:
        table, lines = _one_row_per_test(table, lines)
    table = table.append_column(FILE, pa.repeat(pa.scalar(name), table.num_rows))
    table = table.append_column(LINE, lines)
    table = table.append_column(
        SUBJECT, pa.repeat(pa.scalar(recognised.subject, pa.string()), table.num_rows)
    )
    rejected = len(skipped) + len(mended.lines) + len(found)
    if not students and not rejected:
        issues.append(Issue(name, 1, None, None, "header_only", HEADER_ONLY, "warning"))
    report = FileReport(name, rows=table.num_rows + rejected, accepted=table.num_rows, rejected=rejected)
    for warning in issues:
        if warning.severity == "warning":
            report.warn(warning.kind)
    return table, report, issues


def _one_row_per_test(wide: pa.Table, lines: pa.Array) -> tuple[pa.Table, pa.Array]:
    """A Diagnostic and Instruction table as Diagnostic Results rows, each keeping its student's line."""
    wide = wide.append_column(ROW, pa.array(np.arange(wide.num_rows, dtype=np.int64)))
    tests = tests_as_rows(wide)
    tests = tests.rename_columns([vendor_name(column) or column for column in tests.column_names])
    return tests.drop_columns([ROW]), lines.take(tests.column(ROW))


def _line_numbers(data: bytes, rows: int, fields: int, skipped: list[int]) -> tuple[pa.Array, list[tuple]]:
    """Physical line of each row read, and (line, field count) of each row skipped.

    Arrow skips blank lines and bad rows without saying where they were; only then is the file walked
    again line by line (a rare, already broken input), otherwise row i is simply on line i + 2.
    """
    if not skipped and _data_lines(data) == rows:
        return pa.array(np.arange(2, rows + 2, dtype=np.int64)), []
    good: list[int] = []
    bad: list[tuple[int, int]] = []
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    try:
        next(reader)
        for row in reader:
            if not row:
                continue
            if len(row) == fields:
                good.append(reader.line_num)
            else:
                bad.append((reader.line_num, len(row)))
    except csv.Error:  # a cell past the csv module's size limit: Arrow's rows stand, without lines
        return pa.nulls(rows, pa.int64()), [(None, actual) for actual in skipped]
    if len(good) != rows:  # the two parsers disagree: better no line than a wrong one
        return pa.nulls(rows, pa.int64()), bad
    return pa.array(good, pa.int64()), bad


def _data_lines(data: bytes) -> int:
    """Lines after the header, blank ones included."""
    return data.count(b"\n") + int(not data.endswith(b"\n")) - 1
