"""A table made one student part at a time, kept as one Parquet file in the order one sort of the whole
district's table would give it: by person id in Arrow's byte order.

The parts come in the warehouse's order of ids, which on PostgreSQL is its collation's, not Arrow's: part
after part is not always byte order. So each part, sorted within itself, is set aside as an Arrow IPC file
(read back a few batches at a time), with where each of its persons' rows begin; the persons of all parts
are then put in byte order (one small sort of ids), and the file is written a slice of persons at a time,
each slice taking its rows from the parts' files as contiguous ranges. No row is sorted twice.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import TracebackType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hub.tutoring._arrow import expand_ranges, run_starts

PERSON = "person_source_id"
BATCH_ROWS = 8192
"""Rows per batch, at most, of a part's set-aside file: a range is read with two batches' rows to spare."""


class PersonSortedFile:
    """``path`` written from parts ``add``-ed one at a time, each sorted with ``person_source_id`` first and
    holding persons no other part holds; written out ``persons`` persons at a time by ``finish``."""

    def __init__(self, path: Path, persons: int) -> None:
        self.path = path
        self.persons = persons
        self._spill = path.with_name(f".{path.stem}.parts")
        self._files: list[tuple[Path, np.ndarray]] = []  # per part: its file, where each batch begins
        self._runs: list[pa.Table] = []  # per part: person, part, start, rows
        self._empty: pa.Table | None = None

    def __enter__(self) -> PersonSortedFile:
        shutil.rmtree(self._spill, ignore_errors=True)
        self._spill.mkdir(parents=True)
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        shutil.rmtree(self._spill, ignore_errors=True)

    def add(self, table: pa.Table) -> None:
        """Set a part's table aside (an empty one only keeps its schema, for a district with no rows)."""
        if self._empty is None:
            self._empty = table.schema.empty_table()
        if table.num_rows == 0:
            return
        part = len(self._files)
        path = self._spill / f"{part}.arrow"
        batches = table.to_batches(max_chunksize=BATCH_ROWS)
        with pa.ipc.new_file(path, table.schema) as writer:
            for batch in batches:
                writer.write_batch(batch)
        self._files.append((path, np.cumsum([0] + [batch.num_rows for batch in batches[:-1]])))
        persons = table[PERSON].combine_chunks()
        starts = run_starts(persons)
        counts = np.diff(np.append(starts, table.num_rows))
        self._runs.append(
            pa.table(
                {
                    PERSON: persons.take(pa.array(starts)),
                    "part": pa.array(np.full(len(starts), part, dtype=np.int64)),
                    "start": pa.array(starts),
                    "rows": pa.array(counts),
                }
            )
        )

    def finish(self) -> Path:
        """Write the file (a temporary name, then a rename): the parts' rows with persons in byte order."""
        if self._empty is None:
            raise ValueError(f"{self.path.name}: no part was added")
        runs = pa.concat_tables(self._runs) if self._runs else None
        partial = self.path.with_name(f".{self.path.name}.partial")
        with pq.ParquetWriter(partial, self._empty.schema, compression="zstd") as writer:
            if runs is None:
                writer.write_table(self._empty)
            else:
                runs = runs.take(pc.sort_indices(runs, [(PERSON, "ascending")]))
                for first in range(0, runs.num_rows, self.persons):
                    writer.write_table(self._slice(runs.slice(first, self.persons)))
        return partial.replace(self.path)

    def _slice(self, runs: pa.Table) -> pa.Table:
        """The rows of ``runs``' persons, in their order: per part one contiguous range, then interleaved."""
        part = runs["part"].to_numpy()
        start = runs["start"].to_numpy()
        rows = runs["rows"].to_numpy()
        ranges, offset = [], np.zeros(len(self._files), dtype=np.int64)
        placed = 0
        for number in np.unique(part):
            mine = part == number
            low, high = int(start[mine].min()), int((start[mine] + rows[mine]).max())
            ranges.append(self._read(self._files[number], low, high))
            offset[number] = placed - low
            placed += high - low
        return pa.concat_tables(ranges).take(pa.array(expand_ranges(start + offset[part], rows)))

    @staticmethod
    def _read(file: tuple[Path, np.ndarray], low: int, high: int) -> pa.Table:
        """Rows ``low`` up to ``high`` of a set-aside part, reading only the batches that hold them."""
        path, begins = file
        first, last = np.searchsorted(begins, [low, high - 1], side="right") - 1
        with pa.OSFile(str(path)) as source:
            reader = pa.ipc.open_file(source)
            batches = [reader.get_batch(int(index)) for index in range(first, last + 1)]
            schema = reader.schema
        return pa.Table.from_batches(batches, schema).slice(low - int(begins[first]), high - low)
