"""``SessionLogSource``: the tutors' own session logs and tutors file, read and normalized."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from connectors.session_log import format as fmt
from connectors.session_log.mastery import check_issues
from connectors.session_log.normalize import (
    attendance_table,
    latest_sessions,
    progress_points,
    sessions_table,
)
from connectors.session_log.reading import read_csv, read_jsonl
from connectors.session_log.tutors import check_tutors, tutor_profiles
from connectors.session_log.validate import check_sessions
from hub.archives import drop_files
from hub.connector import (
    ConfigPath,
    ConnectorConfig,
    ConnectorError,
    Extract,
    FileReport,
    Issue,
    NormalizedBatch,
    SourceConnector,
    Stage,
    SyncMode,
)
from hub.csvtext import count_read_issues, unknown_columns
from hub.inputs import files_at
from hub.sniff import header_cells

FILE = "_file"


class SessionLogConfig(ConnectorConfig):
    path: ConfigPath
    """A session log file, or a folder or zip of them (``*.csv``, ``*.jsonl``, ``*.ndjson``, and the tutors
    list, told by its header)."""


class SessionLogSource(SourceConnector):
    name: ClassVar[str] = "session_log"
    stage: ClassVar[Stage] = Stage.SESSIONS
    streams: ClassVar[tuple[str, ...]] = ("sessions", "tutors")
    tables: ClassVar[tuple[str, ...]] = (
        "tutoring_session",
        "session_attendance",
        "progress_point",
        "tutor_profile",
    )
    config_model: ClassVar[type[ConnectorConfig]] = SessionLogConfig
    config: SessionLogConfig

    def input_files(self) -> list[Path] | None:
        return files_at(self.config.path)

    def read(self, state: Mapping[str, Any] | None = None) -> Extract:
        """Every file of the configured file, folder or zip, in the order later copies of a session win
        (by name)."""
        nothing = "no session log files (*.csv, *.jsonl)"
        with drop_files(self.config.path, _is_session_file, "session_log path", nothing) as files:
            return self._read(files)

    def _read(self, files: list[Path]) -> Extract:
        streams: dict[str, pa.Table] = {}
        reports: dict[str, FileReport] = {}
        issues: list[Issue] = []
        session_rows: list[pa.Table] = []
        for number, path in enumerate(files):
            report = reports[path.name] = FileReport(path.name)
            try:
                if _is_tutors_file(path):
                    streams["tutors"] = _read_tutors_file(path, report, issues)
                else:
                    session_rows.append(_read_session_file(path, number, report, issues))
            except ConnectorError as error:
                # one unreadable file is reported; the others still load (sessions are upserts)
                report.fatal = str(error)
        info: dict[str, Any] = {}
        if session_rows:
            rows, superseded = latest_sessions(pa.concat_tables(session_rows, promote_options="default"))
            streams["sessions"] = rows
            info = {
                "sessions": pc.count_distinct(rows["session_id"]).as_py(),
                "superseded_sessions": superseded,
            }
        return Extract(streams=streams, files=reports, issues=issues, info=info)

    def normalize(self, extract: Extract) -> NormalizedBatch:
        tables: dict[str, pa.Table] = {}
        modes: dict[str, SyncMode] = {}
        deletes: dict[str, list[str]] = {}
        if "sessions" in extract.streams:
            rows = extract.streams["sessions"]
            # DELTA: a log that holds only this week's sessions must not remove earlier weeks
            tables["tutoring_session"] = sessions_table(rows)
            tables["session_attendance"] = attendance_table(rows)
            # the mastery checks that read as a percent; a corrected log's dropped checks are removed
            tables["progress_point"], deletes["progress_point"] = progress_points(rows)
            modes["tutoring_session"] = modes["session_attendance"] = SyncMode.DELTA
            modes["progress_point"] = SyncMode.DELTA
        if "tutors" in extract.streams:
            # the tutors file is the whole list: a tutor left out of it no longer takes groups
            tables["tutor_profile"] = tutor_profiles(extract.streams["tutors"])
            modes["tutor_profile"] = SyncMode.BULK
        return NormalizedBatch(tables=tables, modes=modes, deletes=deletes)


def _is_session_file(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in fmt.SESSION_FILE_SUFFIXES


def _is_tutors_file(path: Path) -> bool:
    """The tutors list is told by its header (tutor columns, no session columns), under any name."""
    if path.suffix.lower() != ".csv":
        return False
    with path.open("rb") as stream:
        header = {cell.strip().lower() for cell in header_cells(stream, path.name)}
    return set(fmt.TUTOR_REQUIRED) <= header and "session_id" not in header


def _with_file(table: pa.Table, path: Path) -> pa.Table:
    return table.append_column(FILE, pa.array([path.name] * table.num_rows, pa.string()))


def _read_tutors_file(path: Path, report: FileReport, issues: list[Issue]) -> pa.Table:
    checked, report.rows = check_tutors(path)
    count_read_issues([issue for issue in checked.issues if issue.severity == "warning"], report)
    report.accepted, report.rejected = checked.table.num_rows, checked.rejected
    issues.extend(checked.issues)
    return _with_file(checked.table, path)


def _read_session_file(path: Path, number: int, report: FileReport, issues: list[Issue]) -> pa.Table:
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
    return _with_file(checked.table, path)
