"""Reading one file of a session-log drop: a session log (CSV or JSON Lines) or the tutors list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from connectors.session_log import format as fmt
from connectors.session_log.checking import Checks, checked_blocks
from connectors.session_log.reading import INSTANCE, LINE, csv_blocks, read_jsonl
from connectors.session_log.tutors import check_tutors
from hub.connector import FileReport, Issue
from hub.csvtext import count_read_issues, in_read_order, unknown_columns
from hub.sniff import header_cells

FILE = "_file"


def is_tutors_file(path: Path) -> bool:
    """The tutors list is told by its header (tutor columns, no session columns), under any name."""
    if path.suffix.lower() != ".csv":
        return False
    with path.open("rb") as stream:
        header = {cell.strip().lower() for cell in header_cells(stream, path.name)}
    return set(fmt.TUTOR_REQUIRED) <= header and "session_id" not in header


def with_file(table: pa.Table, name: str) -> pa.Table:
    return table.append_column(FILE, pa.array([name] * table.num_rows, pa.string()))


def read_tutors_file(path: Path, report: FileReport, issues: list[Issue]) -> pa.Table:
    checked, report.rows = check_tutors(path)
    count_read_issues([issue for issue in checked.issues if issue.severity == "warning"], report)
    report.accepted, report.rejected = checked.table.num_rows, checked.rejected
    issues.extend(checked.issues)
    return with_file(checked.table, path.name)


def read_session_file(path: Path, number: int, report: FileReport, issues: list[Issue]) -> Iterator[pa.Table]:
    """The file's checked rows (without ``_file``), a block at a time (``checking``); ``number`` orders
    its copies of a session after those of the files before it. ``report`` and ``issues`` are complete
    once every block is read."""
    unreadable: list[Issue] = []
    unknown: set[str] = set()
    if path.suffix.lower() == ".csv":
        read = csv_blocks(path, fmt.REQUIRED, number)
    else:
        table, found, unknown = read_jsonl(path, number)
        read = iter([(table, found)])
    checks = Checks()
    yield from checked_blocks(_log_blocks(read, unreadable, unknown), path.name, checks)
    if unknown:
        issues.append(unknown_columns(path.name, unknown, "session log"))
        report.warn("unknown_column")
    issues.extend(in_read_order(unreadable))
    issues.extend(checks.issues)
    for issue in checks.mastery:
        # the row still loads: a check that makes no point is counted by kind, not as a rejected row
        issues.append(issue)
        report.warn(issue.kind, issue.rows)
    unread = count_read_issues(unreadable, report)
    report.rows = checks.rows + unread
    report.accepted = checks.rows - checks.rejected
    report.rejected = checks.rejected + unread
    for kind, count in checks.warnings.counts.items():
        report.warn(kind, count)


def _log_blocks(
    read: Iterator[tuple[pa.Table, list[Issue]]], unreadable: list[Issue], unknown: set[str]
) -> Iterator[pa.Table]:
    """The blocks read, with every column of the format (blank where the file has none); what reading
    found goes to ``unreadable``, and the file's columns outside the format to ``unknown``."""
    for table, found in read:
        unreadable.extend(found)
        unknown |= set(table.column_names) - set(fmt.COLUMNS) - {LINE, INSTANCE}
        for column in fmt.COLUMNS:
            if column not in table.column_names:
                table = table.append_column(column, pa.nulls(table.num_rows, pa.string()))
        yield table
