"""Content fingerprints of normalized tables: an unchanged table is not applied again."""

from __future__ import annotations

import hashlib

import pyarrow as pa

from hub.connector import SyncMode


class _HashSink:
    """A write-only file that only hashes what is written (Arrow IPC streams into it, no copy kept)."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.closed = False

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


class Fingerprint:
    """A table's fingerprint taken a block at a time, so that a table given in blocks is never held whole:
    the same rows in the same blocks give the same fingerprint."""

    def __init__(self, schema: pa.Schema) -> None:
        self._sink = _HashSink()
        self._writer = pa.ipc.new_stream(pa.PythonFile(self._sink, mode="w"), schema)

    def add(self, data: pa.Table) -> None:
        self._writer.write_table(data)

    def hexdigest(self, mode: SyncMode, deletes: list[str]) -> str:
        self._writer.close()
        self._sink.digest.update(mode.value.encode())
        for source_id in sorted(deletes):
            self._sink.digest.update(source_id.encode() + b"\0")
        return self._sink.digest.hexdigest()


def fingerprint(data: pa.Table, mode: SyncMode, deletes: list[str]) -> str:
    whole = Fingerprint(data.schema)
    whole.add(data)
    return whole.hexdigest(mode, deletes)
