"""A table made a part at a time, kept in a scratch Arrow file until it is written as one.

A step that derives a district's rows a student part at a time must still write them in one apply (a
bulk write removes what it does not hand in), with a summary of all of them recorded in that same
commit. Holding the parts in memory until then would hold the district's rows again; set aside on disk,
the parts are counted as they come and handed to the warehouse a part at a time
(``NormalizedBatch.blocks``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pyarrow as pa


class SetAside:
    """Parts of table ``name`` ``add``-ed one at a time, read back by ``blocks`` in the order they came.
    The scratch file goes when the ``with`` block ends."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._writer: pa.ipc.RecordBatchFileWriter | None = None
        self._schema: pa.Schema | None = None

    @property
    def _path(self) -> Path:
        assert self._folder is not None, "SetAside is used inside a with block"
        return Path(self._folder.name) / f"{self.name}.arrow"

    def __enter__(self) -> SetAside:
        self._folder = tempfile.TemporaryDirectory(prefix=f"tutorhub-{self.name}-")
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._folder is not None:
            self._folder.cleanup()

    def add(self, part: pa.Table) -> None:
        """Keep a part's rows (each part with the first one's schema); an empty part keeps only the schema,
        so that a table with no rows is still handed in, and written, as one."""
        if self._schema is None:
            self._schema = part.schema
            self._writer = pa.ipc.new_file(str(self._path), part.schema)
        assert self._writer is not None
        self._writer.write_table(part.cast(self._schema))

    def blocks(self) -> Iterator[dict[str, pa.Table]]:
        """The rows kept, in the order added, as blocks (``{name: rows}``) of at most a part each; call
        once every part is in."""
        if self._writer is None or self._schema is None:
            return
        self._writer.close()
        self._writer = None
        with pa.OSFile(str(self._path)) as source:  # not mapped: mapped pages read stay resident
            kept = pa.ipc.open_file(source)
            if not kept.num_record_batches:
                yield {self.name: self._schema.empty_table()}
            for index in range(kept.num_record_batches):
                yield {self.name: pa.Table.from_batches([kept.get_batch(index)])}
