"""A next night's session logs cost what changed: each file known by its content hash, parsed once.

What the warehouse holds (the truth), when the night reads the logs this way: every session ever logged,
each session id as the last file holding it wrote it (name order; in JSON Lines, its last line), less
what a changed file took back. So:

- an unchanged file (same name, same SHA-256 as at the last committed apply) is neither parsed nor applied;
- a new file is parsed, and only its sessions and their attendance are applied;
- a changed file is parsed again and is the truth for the dates it covers (first to last session date): a
  session of those dates that left it, or a student taken off one of its sessions, goes, unless another
  present file still holds that session; what it held of other dates stays (a rolling export);
- a removed file removes nothing (a drop folder's retention is not a correction);
- a file that cannot be read this night (``FileReport.fatal``) stands as it was last read.

Each file version read is kept in ``kept`` (Arrow IPC, named by content hash) while the folder holds it, so
that a later night knows what a changed file held without the old file. When that is not known (the first
night, a hub upgrade, a lost folder), every present file is read and applied (an upsert: nothing goes).
The files applied are the connector's state (``next_state``), saved in the apply's own commit, so a
refused or failed apply records none of them and the next night works from the last committed ones.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from connectors.session_log.logfile import (
    FILE,
    is_tutors_file,
    read_session_file,
    read_tutors_file,
    with_file,
)
from connectors.session_log.normalize import latest_copies, latest_rows, latest_sessions
from connectors.session_log.reading import FILE_STRIDE, INSTANCE
from hub.connector import ConnectorError, Extract, FileReport, Issue
from hub.inputs import content_hash
from hub.tracked import KeptFiles

WITHDRAWN = "withdrawn"
"""The stream of (session, student) pairs changed files held before this night, within their new dates."""
PAIR = ["session_id", "student_id"]


@dataclass(slots=True)
class _Version:
    name: str
    digest: str
    number: int
    rows: pa.Table | None = None
    """The rows once loaded this night (only the changes a next night applies need them whole)."""


@dataclass(slots=True)
class _Night:
    applied: dict[str, str]
    kept: KeptFiles
    reports: dict[str, FileReport] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    streams: dict[str, pa.Table] = field(default_factory=dict)
    present: list[_Version] = field(default_factory=list)
    tutors: dict[str, str] = field(default_factory=dict)

    def changed(self, version: _Version) -> bool:
        return self.applied.get(version.name) != version.digest

    def rows(self, version: _Version) -> pa.Table:
        if version.rows is None:
            version.rows = self.kept.load(version.digest)
        return version.rows

    def numbered(self, version: _Version, rows: pa.Table) -> pa.Table:
        return with_file(_shifted(version, rows), version.name)


def _shifted(version: _Version, rows: pa.Table) -> pa.Table:
    """The rows' instances after those of the files before the version's file."""
    shifted = pc.add(rows[INSTANCE], version.number * FILE_STRIDE)
    return rows.set_column(rows.schema.get_field_index(INSTANCE), INSTANCE, shifted)


def read_tracked(
    files: list[Path], state: dict[str, Any], kept: KeptFiles, hashes: Mapping[str, str]
) -> Extract:
    """Read only the files that changed since the files ``state`` records were applied (see above);
    ``hashes`` are the content hashes already taken (the read key's), by path."""
    night = _Night(dict(state.get("logs") or {}), kept)
    for number, path in enumerate(files):
        digest = hashes.get(str(path)) or content_hash(path)
        if is_tutors_file(path):
            night.tutors[path.name] = digest
            if (state.get("tutors") or {}).get(path.name) != digest:
                report = night.reports[path.name] = FileReport(path.name)
                night.streams["tutors"] = read_tutors_file(path, report, night.issues)
            continue
        _take(night, path, _Version(path.name, digest, number))
    present = {version.name: version.digest for version in night.present}
    replaced = {name: digest for name, digest in night.applied.items() if present.get(name, digest) != digest}
    complete = "logs" not in state or not all(kept.has(digest) for digest in replaced.values())
    info = _complete(night) if complete else _since(night, replaced)
    kept.keep_only(set(present.values()) | set(night.applied.values()))
    info |= {"logs": present, "tutors": night.tutors}
    return Extract(streams=night.streams, files=night.reports, issues=night.issues, info=info)


def _take(night: _Night, path: Path, version: _Version) -> None:
    """Note one present log file: unchanged or kept (no parse), read, or unreadable (stands as applied)."""
    if night.kept.has(version.digest):
        night.present.append(version)
        return
    report = night.reports[path.name] = FileReport(path.name)
    try:  # kept as it is checked, a block at a time
        night.kept.save(version.digest, read_session_file(path, 0, report, night.issues))
    except ConnectorError as error:
        # one unreadable file is reported; what it held last stands until it reads again
        report.fatal = str(error)
        before = night.applied.get(path.name)
        if before is not None and night.kept.has(before):
            night.present.append(_Version(path.name, before, version.number))
        return
    night.present.append(version)


def _complete(night: _Night) -> dict[str, Any]:
    """Every present file's rows, each session as its last copy wrote it: read from the kept files a
    block at a time as the extract is stored, never held whole (a district's log is gigabytes)."""
    if not night.present:
        return {}
    copies = [  # each block's distinct copies of sessions: a file's rows are many times its sessions
        _shifted(v, rows).group_by(["session_id", INSTANCE]).aggregate([])
        for v in night.present
        for rows in night.kept.blocks(v.digest, ["session_id", INSTANCE])
    ]
    wanted, superseded, sessions = latest_copies(pa.concat_tables(copies))
    schema = pa.unify_schemas(
        [night.kept.schema(v.digest).append(pa.field(FILE, pa.string())) for v in night.present]
    )

    def blocks() -> Iterator[pa.RecordBatch]:
        for version in night.present:
            for rows in night.kept.blocks(version.digest):
                rows = latest_rows(night.numbered(version, rows), wanted)
                columns = [
                    rows[f.name] if f.name in rows.column_names else pa.nulls(rows.num_rows, f.type)
                    for f in schema
                ]
                yield from pa.Table.from_arrays(columns, schema=schema).combine_chunks().to_batches()

    night.streams["sessions"] = pa.RecordBatchReader.from_batches(schema, blocks())
    return {"sessions": sessions, "superseded_sessions": superseded}


def _since(night: _Night, replaced: dict[str, str]) -> dict[str, Any]:
    """The changed sessions only: those the new versions hold and those they took back."""
    changed = [version for version in night.present if night.changed(version)]
    now = {version.name: version for version in night.present}
    before = [
        _within_dates(night.kept.load(digest), night.rows(now[name])) for name, digest in replaced.items()
    ]
    ids = [night.rows(version)["session_id"] for version in changed] + [t["session_id"] for t in before]
    if not ids:
        return {"sessions": 0, "superseded_sessions": 0}
    affected = pc.unique(pa.chunked_array(ids, pa.string()).combine_chunks())
    night.streams[WITHDRAWN] = pa.concat_tables([t.select(PAIR) for t in before]) if before else _pairs()
    tables = []
    for version in night.present:
        if not night.changed(version):  # most nights: a look at one column of each unchanged file
            held = night.kept.load(version.digest, ["session_id"])["session_id"]
            if not pc.any(pc.is_in(held, affected)).as_py():
                continue
        rows = night.rows(version)
        tables.append(night.numbered(version, rows.filter(pc.is_in(rows["session_id"], affected))))
    if not tables:  # only removals: an empty table of the rows' own shape
        tables = [night.numbered(_Version("", "", 0), before[0].slice(0, 0))]
    return _winners(night, tables)


def _within_dates(before: pa.Table, now: pa.Table) -> pa.Table:
    """The rows of a file's earlier version dated within what its new version covers: a file is the
    truth for its own dates only, so a rolling export's earlier weeks are not taken back."""
    if not now.num_rows:
        return before.slice(0, 0)
    span = pc.min_max(now["session_date"])
    dates = before["session_date"]
    return before.filter(pc.and_(pc.greater_equal(dates, span["min"]), pc.less_equal(dates, span["max"])))


def _winners(night: _Night, tables: list[pa.Table]) -> dict[str, Any]:
    rows, superseded = latest_sessions(pa.concat_tables(tables, promote_options="default"))
    night.streams["sessions"] = rows
    return {"sessions": pc.count_distinct(rows["session_id"]).as_py(), "superseded_sessions": superseded}


def _pairs() -> pa.Table:
    return pa.table({name: pa.array([], pa.string()) for name in PAIR})
