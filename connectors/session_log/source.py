"""``SessionLogSource``: the tutors' own session logs and tutors file, read and normalized."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from connectors.session_log import format as fmt
from connectors.session_log.logfile import (
    is_tutors_file,
    read_session_file,
    read_tutors_file,
    with_file,
)
from connectors.session_log.normalize import (
    ATTENDANCE,
    SESSIONS,
    latest_sessions,
    normalized_blocks,
    normalized_stream,
)
from connectors.session_log.tracked import WITHDRAWN, read_tracked
from connectors.session_log.tutors import tutor_profiles
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
from hub.inputs import files_at
from hub.tracked import KeptFiles

__all__ = ["SessionLogConfig", "SessionLogSource"]


class SessionLogConfig(ConnectorConfig):
    path: ConfigPath
    """A session log file, or a folder or zip of them (``*.csv``, ``*.jsonl``, ``*.ndjson``, and the tutors
    list, told by its header)."""


class SessionLogSource(SourceConnector):
    name: ClassVar[str] = "session_log"
    stage: ClassVar[Stage] = Stage.SESSIONS
    streams: ClassVar[tuple[str, ...]] = ("sessions", "tutors")
    streamed: ClassVar[tuple[str, ...]] = ("sessions",)  # a district's whole log is gigabytes
    tables: ClassVar[tuple[str, ...]] = (
        "tutoring_session",
        "session_attendance",
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

    def read_tracked(self, state: Mapping[str, Any] | None, kept: Path, hashes: Mapping[str, str]) -> Extract:
        """Only the files that changed since the files ``state`` records were applied, and what changed
        and removed files held before (``tracked``); ``kept`` holds each file version read, by hash;
        ``hashes`` are content hashes already taken, by path."""
        nothing = "no session log files (*.csv, *.jsonl)"
        with drop_files(self.config.path, _is_session_file, "session_log path", nothing) as files:
            return read_tracked(files, dict(state or {}), KeptFiles(kept), hashes)

    def next_state(self, extract: Extract, previous: Mapping[str, Any] | None) -> dict[str, Any]:
        """The files a tracked read found (by content hash), once applied; a plain read keeps none."""
        if "logs" not in extract.info:
            return dict(previous or {})
        return {"logs": extract.info["logs"], "tutors": extract.info["tutors"]}

    def _read(self, files: list[Path]) -> Extract:
        streams: dict[str, pa.Table] = {}
        reports: dict[str, FileReport] = {}
        issues: list[Issue] = []
        session_rows: list[pa.Table] = []
        for number, path in enumerate(files):
            report = reports[path.name] = FileReport(path.name)
            try:
                if is_tutors_file(path):
                    streams["tutors"] = read_tutors_file(path, report, issues)
                else:
                    rows = pa.concat_tables(read_session_file(path, number, report, issues))
                    session_rows.append(with_file(rows, path.name))
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
        blocks: Iterator[dict[str, pa.Table]] | tuple[()] = ()
        logged_rows = extract.streams.get("sessions")
        withdrawn = extract.streams.get(WITHDRAWN)
        if logged_rows is not None:
            # sessions are upserts; a changed file's take-backs are the withdrawn pairs (tracked.py)
            modes[SESSIONS] = modes[ATTENDANCE] = SyncMode.DELTA
        if isinstance(logged_rows, pa.RecordBatchReader) and withdrawn is None:
            # a log replayed from disk is applied a block at a time, never held whole; a night that takes
            # sessions back (only what changed, ``tracked``) is put together to tell which are gone
            blocks = normalized_stream(logged_rows)
        elif logged_rows is not None:
            logged = normalized_blocks(logged_rows)
            # the attendance rows carry the mastery checks' points (the view progress_point shows them)
            tables[SESSIONS], tables[ATTENDANCE] = logged.sessions, logged.attendance
            if withdrawn is not None:
                deletes[SESSIONS] = _gone(withdrawn["session_id"], logged.sessions["source_id"])
        if "tutors" in extract.streams:
            # the tutors file is the whole list: a tutor left out of it no longer takes groups
            tables["tutor_profile"] = tutor_profiles(extract.streams["tutors"])
            modes["tutor_profile"] = SyncMode.BULK
        return NormalizedBatch(tables=tables, modes=modes, deletes=deletes, blocks=blocks)


def _is_session_file(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in fmt.SESSION_FILE_SUFFIXES


def _gone(before: pa.Array | pa.ChunkedArray, now: pa.Array | pa.ChunkedArray) -> list[str]:
    """The distinct ids of ``before`` that ``now`` does not hold."""
    ids = pc.unique(before)
    return ids.filter(pc.invert(pc.is_in(ids, now))).to_pylist()
