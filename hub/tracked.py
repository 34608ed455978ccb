"""Files a source read before, kept so that a next night costs what changed in them.

Two kinds of source use this. Both keep each file version they read as zstd Arrow IPC named by its content
hash (``KeptFiles``), record the files they read (name -> hash) in their connector state, written in the
apply's own commit, and read everything when the version a changed file replaces is not kept (the first
night, a hub upgrade, a lost folder), so nothing is ever lost for want of a kept file:

- session logs (``connectors.session_log.tracked``): unchanged files are not even parsed;
- cumulative diagnostic exports (``rows_since``): every file is parsed (the vendor rewrites it whole), and
  only the rows of the students a new, changed or removed row names go on to normalize, match and apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather

from hub.connector import Extract

FILES = "tracked"
"""The state's key (and the extract info's) for the files read: name -> content hash."""
NARROWED = "narrowed"
"""The extract info's mark of an extract holding only the rows to apply again: its file reports
(``Extract.files``) still count each file whole."""
_ZSTD = pa.ipc.IpcWriteOptions(compression="zstd")
CELLS = "_cells"
"""The column of a kept file version that holds each row's every cell (``_fingerprints``)."""


class KeptFiles:
    """The rows of each file version read, by content hash."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, digest: str) -> Path:
        return self.folder / f"{digest}.arrow"

    def has(self, digest: str) -> bool:
        return self._path(digest).is_file()

    def save(self, digest: str, blocks: Iterable[pa.Table]) -> None:
        """Keep a file version's rows, written a block at a time as ``blocks`` come (at least one)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self._path(digest).with_suffix(".part")
        writer = None
        try:
            for block in blocks:
                writer = writer or pa.ipc.new_file(str(partial), block.schema, options=_ZSTD)
                writer.write_table(block)
        except BaseException:  # blocks that fail to come (an unreadable file) leave nothing kept
            partial.unlink(missing_ok=True)
            raise
        finally:
            if writer is not None:
                writer.close()
        if writer is not None:
            partial.replace(self._path(digest))  # a half-written file is never taken for a kept one

    def load(self, digest: str, columns: list[str] | None = None) -> pa.Table:
        return feather.read_table(self._path(digest), columns=columns)

    def schema(self, digest: str) -> pa.Schema:
        with pa.OSFile(str(self._path(digest))) as source:
            return pa.ipc.open_file(source).schema

    def blocks(self, digest: str, columns: list[str] | None = None) -> Iterator[pa.Table]:
        """The rows kept (only ``columns``, if named), a block (as written) at a time."""
        with pa.OSFile(str(self._path(digest))) as source:
            fields = None if columns is None else [self.schema(digest).get_field_index(c) for c in columns]
            kept = pa.ipc.open_file(source, options=pa.ipc.IpcReadOptions(included_fields=fields))
            for index in range(kept.num_record_batches):
                yield pa.Table.from_batches([kept.get_batch(index)])

    def keep_only(self, digests: set[str]) -> None:
        for path in self.folder.glob("*.arrow") if self.folder.is_dir() else []:
            if path.stem not in digests:
                path.unlink()


def rows_since(
    extract: Extract,
    digests: Mapping[str, str],
    state: Mapping[str, Any] | None,
    kept: KeptFiles,
    keys: Sequence[str],
    *,
    file_column: str = "_file",
    line_column: str = "_line",
) -> Extract:
    """``extract`` (every present file parsed whole) narrowed to what the night must apply again.

    A file whose hash is the one the last committed apply read (``state``) is unchanged. Of a changed or
    removed file, the rows that are not in both its kept earlier version and its present one (compared
    cell by cell, blanks included, lines not: an appended row moves nothing) are the changed rows. Every
    row of every present file that shares a ``keys`` value with a changed row stays, and so, once more,
    every row that shares one with those: all a vendor's rules that look across rows (a test repeated in
    two files, a TestID shared by two students, a grade from the student list) look within these groups,
    so the rows kept normalize as they would in the whole extract. A stream without a key column keeps all
    its rows. ``digests``: each present file's content hash, by its name in ``file_column``.
    """
    applied = dict((state or {}).get(FILES) or {})
    names = {name for table in extract.streams.values() for name in _file_names(table, file_column)}
    digests = {name: digest for name, digest in digests.items() if name in names}  # files holding rows
    fresh = {name for name, digest in digests.items() if applied.get(name) != digest or not kept.has(digest)}
    files = _fingerprints(extract, fresh, keys, file_column, line_column)
    for name in fresh:
        if not kept.has(digests[name]):
            kept.save(digests[name], [files[name]])
    changed = {name: digest for name, digest in applied.items() if digests.get(name) != digest}
    kept.keep_only(set(digests.values()) | set(applied.values()))
    info = {**extract.info, FILES: dict(digests)}
    if FILES not in (state or {}) or not all(kept.has(digest) for digest in changed.values()):
        return Extract(extract.streams, extract.files, extract.issues, info)  # everything, as a first night
    moved = [_changed_rows(files.get(name), kept.load(digest)) for name, digest in changed.items()]
    moved += [files[name] for name in digests if name not in applied]
    reached = [_within(table, _key_values(moved, keys), keys) for table in extract.streams.values()]
    values = _key_values(reached, keys)  # the changed rows' groups, then the groups their rows reach
    streams = {stream: _within(table, values, keys) for stream, table in extract.streams.items()}
    return Extract(streams, extract.files, extract.issues, {**info, NARROWED: True})


def tracked_state(extract: Extract, previous: Mapping[str, Any] | None) -> dict[str, Any]:
    """The state to keep once ``extract`` is applied: the files it read; a plain read keeps the last."""
    if FILES not in extract.info:
        return dict(previous or {})
    return {**(previous or {}), FILES: extract.info[FILES]}


def _file_names(table: pa.Table, file_column: str) -> list[str]:
    if file_column not in table.column_names:
        return []
    return pc.unique(table[file_column].cast(pa.string())).to_pylist()


def _fingerprints(
    extract: Extract, wanted: set[str], keys: Sequence[str], file_column: str, line_column: str
) -> dict[str, pa.Table]:
    """Each ``wanted`` file's rows as what compares them: the key cells, and in one string ``CELLS``
    every cell of the row (not where it lies) joined by NUL, which no decoded cell holds, then which
    cells are blank (a bit each), so two rows have the same string only when every cell is the same."""
    files: dict[str, pa.Table] = {}
    for table in extract.streams.values():
        present = _file_names(table, file_column)
        here = [name for name in present if name in wanted]
        if not here:
            continue
        names = table[file_column].cast(pa.string())
        if len(here) < len(present):  # a filter copies every row, even when it keeps them all
            table = table.filter(pc.is_in(names, pa.array(here, pa.string())))
            names = table[file_column].cast(pa.string())
        content = [
            table[name].cast(pa.string()).cast(pa.binary())
            for name in table.column_names
            if name not in (file_column, line_column)
        ]
        cells = pc.binary_join_element_wise(
            *content, _blanks(content), b"\x00", null_handling="replace", null_replacement=b""
        )
        prints = pa.table(
            {**{key: _key(table, key) for key in keys if key in table.column_names}, CELLS: cells}
        )
        for name in here:
            files[name] = prints if len(here) == 1 else prints.filter(pc.equal(names, name))
    return files


def _blanks(columns: list[pa.ChunkedArray]) -> pa.Array:
    """Per row, a bit per column set where the cell is blank: a blank is told from an empty text."""
    blank = np.stack([pc.is_null(column).to_numpy(zero_copy_only=False) for column in columns], axis=1)
    packed = np.packbits(blank, axis=1)
    width = packed.shape[1]
    binary = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), len(packed), [None, pa.py_buffer(packed.tobytes())]
    )
    return binary.cast(pa.binary())


def _changed_rows(now: pa.Table | None, before: pa.Table) -> pa.Table:
    """The rows of ``now`` that ``before`` does not hold and those of ``before`` that ``now`` does not."""
    if now is None:
        return before
    return pa.concat_tables(
        [
            now.filter(pc.invert(pc.is_in(now[CELLS], before[CELLS]))),
            before.filter(pc.invert(pc.is_in(before[CELLS], now[CELLS]))),
        ],
        promote_options="default",
    )


def _key_values(tables: list[pa.Table], keys: Sequence[str]) -> dict[str, pa.Array]:
    """The distinct values of each key column among ``tables``' rows (blank ones included)."""
    return {
        key: pc.unique(
            pa.chunked_array(
                [chunk for table in tables if key in table.column_names for chunk in _key(table, key).chunks],
                pa.string(),
            ).combine_chunks()
        )
        for key in keys
    }


def _within(table: pa.Table, values: dict[str, pa.Array], keys: Sequence[str]) -> pa.Table:
    """The rows of ``table`` one of whose key cells is in ``values``; all rows without a key column."""
    present = [key for key in keys if key in table.column_names]
    if not present:
        return table
    mask = pc.is_in(_key(table, present[0]), values[present[0]])
    for key in present[1:]:
        mask = pc.or_(mask, pc.is_in(_key(table, key), values[key]))
    return table.filter(mask)


def _key(table: pa.Table, key: str) -> pa.ChunkedArray:
    return pc.utf8_trim_whitespace(table[key].cast(pa.string()))
