"""Reading i-Ready CSV exports into Arrow: every cell as text, every row traced back to its line.

One stream per report (``diagnostic_results``, ``instruction_by_lesson``) holds the rows of every file of
that report, under the 2025-26 column names, plus three columns of our own: ``_file``, ``_line`` (the
physical line, header = 1, so a reject points where a person can look) and ``_subject`` (from the header).
"""

from __future__ import annotations

import csv
import mmap
import tempfile
import zipfile
from collections import Counter
from pathlib import Path, PurePosixPath

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from connectors.iready.instruction import LINE_COLUMN as ROW
from connectors.iready.instruction import is_diagnostic_and_instruction, one_test_header, tests_as_rows
from connectors.iready.layouts import LESSONS, RESULTS, Recognised, recognise, vendor_name
from hub.connector import ConnectorError, Extract, FileReport, Issue

STREAMS = (RESULTS, LESSONS)
FILE, LINE, SUBJECT = "_file", "_line", "_subject"
_REPORT_NAMES = {RESULTS: "Diagnostic Results", LESSONS: "Personalized Instruction by Lesson"}


def find_exports(path: Path, pattern: str) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ConnectorError(f"{path}: no such file or folder", file=str(path))
    found = sorted(p for p in path.glob(pattern) if p.is_file())
    if not found:
        raise ConnectorError(f"{path}: no file matches {pattern!r}", file=str(path))
    return found


def read_exports(path: Path, pattern: str) -> Extract:
    """Every i-Ready export under ``path`` (a file, a folder or a zip of them); other files in a folder
    are skipped with a warning."""
    if zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="tutorhub-iready-") as scratch:
            return _read_exports(_unzipped(path, pattern, Path(scratch)), pattern)
    return _read_exports(path, pattern)


def _unzipped(archive_path: Path, pattern: str, scratch: Path) -> Path:
    """The zip's members that match ``pattern``, written out: the reader maps files, not streams."""
    with zipfile.ZipFile(archive_path) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        for info in members:
            if PurePosixPath(info.filename).match(pattern) or Path(info.filename).match(pattern):
                archive.extract(info, scratch)  # zipfile drops absolute and ".." parts of names
    return scratch


def _read_exports(path: Path, pattern: str) -> Extract:
    files = find_exports(path, pattern)
    tables: dict[str, list[pa.Table]] = {stream: [] for stream in STREAMS}
    extract = Extract(streams={}, files={}, issues=[], info={"files": {}})
    for file in files:
        name = file.relative_to(path).as_posix() if path.is_dir() else file.name
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
    with file.open("rb") as stream:
        first = stream.readline()
    if not first.strip():
        raise ConnectorError(f"{name}: the file is empty; expected a header row first", file=name)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConnectorError(
            f"{name}: the header is not UTF-8 text ({error.reason} at byte {error.start}); "
            "export the file again as CSV UTF-8",
            file=name,
        ) from None
    return next(csv.reader([text.rstrip("\r\n")]))


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

    try:
        table = pacsv.read_csv(
            file,
            read_options=pacsv.ReadOptions(column_names=columns, skip_rows=1),
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
    lines, bad_rows = _line_numbers(file, table.num_rows, len(columns), bool(skipped))
    issues = [
        Issue(name, line, None, None, "field_count", f"row has {fields} fields, the header {len(columns)}")
        for line, fields in bad_rows
    ]
    if wide_header:
        table, lines = _one_row_per_test(table, lines)
    table = table.append_column(FILE, pa.repeat(pa.scalar(name), table.num_rows))
    table = table.append_column(LINE, lines)
    table = table.append_column(
        SUBJECT, pa.repeat(pa.scalar(recognised.subject, pa.string()), table.num_rows)
    )
    report = FileReport(
        name, rows=table.num_rows + len(skipped), accepted=table.num_rows, rejected=len(skipped)
    )
    return table, report, issues


def _one_row_per_test(wide: pa.Table, lines: pa.Array) -> tuple[pa.Table, pa.Array]:
    """A Diagnostic and Instruction table as Diagnostic Results rows, each keeping its student's line."""
    wide = wide.append_column(ROW, pa.array(np.arange(wide.num_rows, dtype=np.int64)))
    tests = tests_as_rows(wide)
    tests = tests.rename_columns([vendor_name(column) or column for column in tests.column_names])
    return tests.drop_columns([ROW]), lines.take(tests.column(ROW))


def _line_numbers(file: Path, rows: int, fields: int, had_bad_rows: bool) -> tuple[pa.Array, list[tuple]]:
    """Physical line of each row read, and (line, field count) of each row skipped.

    Arrow skips blank lines and bad rows without saying where they were; only then is the file walked
    again line by line (a rare, already broken input), otherwise row i is simply on line i + 2.
    """
    if not had_bad_rows and _data_lines(file) == rows:
        return pa.array(np.arange(2, rows + 2, dtype=np.int64)), []
    good: list[int] = []
    bad: list[tuple[int, int]] = []
    with file.open(encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text)
        next(reader)
        for row in reader:
            if not row:
                continue
            if len(row) == fields:
                good.append(reader.line_num)
            else:
                bad.append((reader.line_num, len(row)))
    if len(good) != rows:  # the two parsers disagree: better no line than a wrong one
        return pa.nulls(rows, pa.int64()), bad
    return pa.array(good, pa.int64()), bad


def _data_lines(file: Path) -> int:
    """Lines after the header, blank ones included: newlines counted in blocks, without decoding."""
    block = 1 << 26
    with file.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
        octets = np.frombuffer(data, dtype=np.uint8)
        newlines = sum(
            int(np.count_nonzero(octets[at : at + block] == 10)) for at in range(0, len(octets), block)
        )
        unterminated = int(octets[-1] != 10)
        del octets  # the mmap cannot close while a view of it is alive
    return newlines + unterminated - 1
