"""Large SQLite reads through a reader process of the warehouse's own (hub/warehouse/sqlite_read_child.py).

A process keeps one reader per database file, started the first time a read turns out large (the caller
decides), and sends it every later read: the reader costs a quarter second of CPU to start, which a
night's small reads would not repay, and reads rows three times faster once running.

The reader's driver infers each column's Arrow type from the values it meets, and a column whose first
batch holds only NULLs would be taken for integers. So each read is sent behind one row of typed values
(``''``, ``0``, ``0.0`` by the column's stored type) that fixes every column's type, and that row is
dropped from the answer.

A reader that fails (it could not start, it stopped, or its driver refused the statement) is given up
for the rest of the process, and the caller reads as before: the rows are the same either way.
"""

from __future__ import annotations

import atexit
import logging
import os
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pyarrow as pa
from sqlalchemy import Engine

log = logging.getLogger(__name__)

CHILD = Path(__file__).with_name("sqlite_read_child.py")
LENGTH = struct.Struct(">I")


class ReaderFailed(Exception):
    """The reader process could not answer; the caller reads the rows itself."""


class ChildReader:
    """One reader process for one database file, owned by the process that started it."""

    def __init__(self, path: str) -> None:
        self.owner = os.getpid()
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            [sys.executable, str(CHILD), path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def read(self, statement: str, schema: pa.Schema) -> pa.Table:
        """The rows of ``statement`` (SQL with its values written in), as the reader's driver types them;
        raises ``ReaderFailed``."""
        sent = f"SELECT {_typed_row(schema)} UNION ALL SELECT * FROM ({statement})".encode()
        with self._lock:
            requests, answers = self._pipes()
            try:
                requests.write(LENGTH.pack(len(sent)) + sent)
                requests.flush()
                status = answers.read(1)
                if status == b"A":
                    return pa.ipc.open_stream(answers).read_all().slice(1)
                if status == b"E":
                    (size,) = LENGTH.unpack(answers.read(LENGTH.size))
                    raise ReaderFailed(answers.read(size).decode(errors="replace"))
                raise ReaderFailed("the reader process stopped")
            except (OSError, pa.ArrowException) as error:
                raise ReaderFailed(str(error)) from error

    @property
    def pid(self) -> int:
        return self._process.pid

    def _pipes(self) -> tuple[IO[bytes], IO[bytes]]:
        assert self._process.stdin is not None and self._process.stdout is not None
        return self._process.stdin, self._process.stdout

    def close(self) -> None:
        """End the reader (its input closed, it exits), if this process started it."""
        if self.owner == os.getpid() and self._process.poll() is None:
            self._pipes()[0].close()
            self._process.wait(timeout=10)


_readers: dict[str, ChildReader | None] = {}
"""This process's reader of each database file; None where one failed and was given up."""
_starting = threading.Lock()


def database_file(engine: Engine) -> str | None:
    """The SQLite database's file, which a reader process can open too; None for a database in memory or
    on a server."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return str(Path(database).resolve())


def running_reader(path: str) -> ChildReader | None:
    """The reader of ``path`` already running in this process, if any."""
    reader = _readers.get(path)
    return reader if reader is not None and reader.owner == os.getpid() else None


def read_large(path: str, statement: str, schema: pa.Schema) -> pa.Table | None:
    """The rows of ``statement`` read by ``path``'s reader (started if need be); None where no reader can
    answer, so that the caller reads them itself."""
    reader = _reader_of(path)
    if reader is None:
        return None
    try:
        return reader.read(statement, schema)
    except ReaderFailed as error:
        reader.close()
        return _given_up(path, error)


def _reader_of(path: str) -> ChildReader | None:
    """``path``'s running reader, started if none runs and none was given up (one per file, whichever
    thread asks first)."""
    with _starting:
        reader = running_reader(path)
        if reader is None and not (path in _readers and _readers[path] is None):
            try:
                reader = _readers[path] = ChildReader(path)
            except OSError as error:
                return _given_up(path, error)
        return reader


def close(path: str) -> None:
    """End ``path``'s reader, if this process runs one (its warehouse is disposed of)."""
    reader = running_reader(path)
    if reader is not None:
        reader.close()
        del _readers[path]


def _given_up(path: str, error: Exception) -> None:
    _readers[path] = None
    # the error may quote a value of the statement: kept out of the warning, which goes to the run's log
    log.warning("the warehouse's reader process failed; this process reads SQLite itself from now on")
    log.debug("reader failure: %s", error)
    return None


def _typed_row(schema: pa.Schema) -> str:
    """One row of a value of each column's stored type, named as the columns."""
    return ", ".join(f"{_stored_literal(field.type)} AS {_quote(field.name)}" for field in schema)


def _stored_literal(kind: pa.DataType) -> str:
    """A value of the type SQLite stores ``kind`` as: integers (booleans too), reals, or text (dates and
    timestamps are ISO text)."""
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        return "0"
    if pa.types.is_floating(kind):
        return "0.0"
    return "''"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@atexit.register
def _close_all() -> None:
    for reader in _readers.values():
        if reader is not None:
            reader.close()
