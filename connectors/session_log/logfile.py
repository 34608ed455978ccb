"""Reading one file of a session-log drop: a session log (CSV or JSON Lines) or the tutors list."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from connectors.session_log import format as fmt
from connectors.session_log.mastery import check_issues
from connectors.session_log.reading import read_csv, read_jsonl
from connectors.session_log.tutors import check_tutors
from connectors.session_log.validate import check_sessions
from hub.connector import FileReport, Issue
from hub.csvtext import count_read_issues, unknown_columns
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


def read_session_file(path: Path, number: int, report: FileReport, issues: list[Issue]) -> pa.Table:
    """The file's checked rows (without ``_file``); ``number`` orders its copies of a session after
    those of the files before it."""
    if path.suffix.lower() == ".csv":
        table, unreadable = read_csv(path, fmt.REQUIRED, number)
        unknown = set(table.column_names) - set(fmt.COLUMNS) - {"_line", "_instance"}
    else:
        table, unreadable, unknown = read_jsonl(path, number)
    for column in fmt.COLUMNS:
        if column not in table.column_names:
            table = table.append_column(column, pa.nulls(table.num_rows, pa.string()))
    if unknown:
        issues.append(unknown_columns(path.name, unknown, "session log"))
        report.warn("unknown_column")
    checked = check_sessions(table, path.name)
    issues.extend(unreadable)
    issues.extend(checked.issues)
    for issue in check_issues(checked.table, path.name):
        # the row still loads: a check that makes no point is counted by kind, not as a rejected row
        issues.append(issue)
        report.warn(issue.kind, issue.rows)
    unread = count_read_issues(unreadable, report)
    report.rows = table.num_rows + unread
    report.accepted = checked.table.num_rows
    report.rejected = checked.rejected + unread
    for kind, count in checked.warnings.items():
        report.warn(kind, count)
    return checked.table
