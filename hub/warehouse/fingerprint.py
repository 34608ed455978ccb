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


def fingerprint(data: pa.Table, mode: SyncMode, deletes: list[str]) -> str:
    sink = _HashSink()
    with pa.ipc.new_stream(pa.PythonFile(sink, mode="w"), data.schema) as writer:
        writer.write_table(data)
    sink.digest.update(mode.value.encode())
    for source_id in sorted(deletes):
        sink.digest.update(source_id.encode() + b"\0")
    return sink.digest.hexdigest()
