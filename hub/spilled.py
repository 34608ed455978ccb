"""Rows too large to hold whole, kept on local disk a block at a time and read back as often as needed.

A stream replayed from the stored extract can be read only once; the diagnostics stage reads its rows
twice (the match gate judges each file whole before anything of it is applied), and grouping a stream
by student needs the whole key column before the first block. Both spill to a temporary folder as Arrow
IPC (no compression: it is read back within the step) that goes when its owner does.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


class SpilledBlocks:
    """Blocks of named tables, written once (``add``) and read back in order on every iteration."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="tutorhub-spill-")
        self._blocks: list[dict[str, Path]] = []

    def add(self, block: Mapping[str, pa.Table]) -> None:
        number = len(self._blocks)
        paths = {}
        for name, rows in block.items():
            paths[name] = Path(self._folder.name) / f"{number}-{name}.arrow"
            with pa.ipc.new_file(paths[name], rows.schema) as writer:
                writer.write_table(rows)
        self._blocks.append(paths)

    def __iter__(self) -> Iterator[dict[str, pa.Table]]:
        for paths in self._blocks:
            yield {name: _read(path) for name, path in paths.items()}

    def __len__(self) -> int:
        return len(self._blocks)


def _read(path: Path) -> pa.Table:
    with pa.OSFile(str(path)) as stored:
        return pa.ipc.open_file(stored).read_all()


def whole_groups(reader: pa.RecordBatchReader, key: str, rows: int) -> Iterator[pa.Table]:
    """The rows of ``reader`` in blocks of about ``rows`` rows, each holding every row of the values of
    ``key`` it holds (compared with surrounding blanks removed, as students are matched), and those rows
    in the order they came. Groups are taken in the order they first appear, so a stream whose groups
    already lie together comes out in its own order; a group larger than ``rows`` is one block.
    """
    spill = tempfile.TemporaryDirectory(prefix="tutorhub-groups-")
    with spill:
        path = Path(spill.name) / "rows.arrow"
        keys, starts = _spill(reader, key, path, max(rows // 8, 1))
        group_of_row = _first_seen(keys)
        block_of_group = _ranges(np.bincount(group_of_row), rows)
        block_of_row = block_of_group[group_of_row]
        with pa.OSFile(str(path)) as stored:
            spilled = pa.ipc.open_file(stored)
            for block in range(int(block_of_group[-1]) + 1 if len(block_of_group) else 0):
                yield _gather(spilled, starts, block_of_row == block)


def _spill(
    reader: pa.RecordBatchReader, key: str, path: Path, rows: int
) -> tuple[pa.ChunkedArray, np.ndarray]:
    """Write ``reader`` to ``path`` in batches of at most ``rows`` rows (an eighth of a block: a block's
    groups may lie in a few runs, one per file and window of a vendor's export, and each run reads little
    more than itself); returns its ``key`` column, trimmed, and where each written batch starts (and the
    last ends)."""
    keys, starts = [], [0]
    with pa.ipc.new_file(path, reader.schema) as writer:
        for batch in reader:
            for offset in range(0, batch.num_rows, rows):
                piece = batch.slice(offset, rows)
                writer.write_batch(piece)
                starts.append(starts[-1] + piece.num_rows)
            keys.append(pc.utf8_trim_whitespace(batch.column(key).cast(pa.string())))
    return pa.chunked_array(keys, pa.string()), np.array(starts, dtype=np.int64)


def _first_seen(keys: pa.ChunkedArray) -> np.ndarray:
    """Each row's group, numbered in the order groups first appear (a null key is a group of its own)."""
    seen = pc.unique(keys)
    return pc.index_in(keys, value_set=seen, skip_nulls=False).to_numpy(zero_copy_only=False).astype(np.int64)


def _ranges(group_rows: np.ndarray, rows: int) -> np.ndarray:
    """Each group's block: runs of consecutive groups of about ``rows`` rows in all."""
    started = (np.cumsum(group_rows) - group_rows) // max(rows, 1)
    # numbered without gaps: a group larger than ``rows`` would otherwise leave empty block numbers behind
    return np.cumsum(np.diff(started, prepend=started[:1]) > 0)


def _gather(spilled: pa.ipc.RecordBatchFileReader, starts: np.ndarray, rows: np.ndarray) -> pa.Table:
    """The spilled rows where ``rows`` holds, in order, reading only the batches that hold some."""
    parts = []
    for number in range(spilled.num_record_batches):
        here = rows[starts[number] : starts[number + 1]]
        if here.any():
            parts.append(pa.Table.from_batches([spilled.get_batch(number)]).filter(pa.array(here)))
    return pa.concat_tables(parts) if parts else spilled.schema.empty_table()
