"""Arrow rows into the SQLite warehouse without binding them one by one in Python.

ADBC's SQLite driver writes a batch into a private scratch file in C; the warehouse's own sqlite3 connection
then attaches that file and copies the rows with one ``INSERT ... SELECT`` inside the caller's transaction,
which still commits or rolls back as a whole.

ADBC links its own copy of SQLite, and POSIX locks belong to the process: a second library opening and
closing the warehouse file would silently drop the first one's locks (sqlite.org/howtocorrupt.html, 2.2.1).
So ADBC only ever opens a fresh scratch file that no sqlite3 connection has open, and closes it before the
ATTACH. The file's name is unlinked as soon as it is attached: the open descriptor keeps it readable, and a
process killed later leaves nothing behind (only one killed while ADBC writes it does). SQLite refuses to
detach a schema the open transaction has read, so it is detached once the transaction is over: ``release``
runs when the connection goes back to the pool or begins its next transaction (see hub.warehouse.engine).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterable, MutableMapping
from itertools import count
from pathlib import Path
from typing import Any

import adbc_driver_sqlite.dbapi as adbc_sqlite
import pyarrow as pa

ATTACHED = "tutorhub_scratch"  # key in the pooled connection's info: the scratch files it has attached
_names = count()


def scratch_dir() -> Path:
    """Where SQLite puts its own temporary files (temp_store=FILE) on Unix: the scratch copy of a batch is
    as large as the batch, so it goes where an operator already expects large temporary files."""
    for candidate in (os.environ.get("SQLITE_TMPDIR"), os.environ.get("TMPDIR"), "/var/tmp", "/usr/tmp"):
        if candidate and os.access(candidate, os.W_OK | os.X_OK):
            return Path(candidate)
    return Path(tempfile.gettempdir())


def has_free_slot(dbapi_connection: sqlite3.Connection) -> bool:
    """Whether one more database may be attached (SQLite allows 10 by default): a transaction that has used
    them all loads the rest by executemany."""
    names = [row[1] for row in dbapi_connection.execute("PRAGMA database_list")]
    attached = len([name for name in names if name not in ("main", "temp")])
    return attached < dbapi_connection.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED)


def copy_in(
    dbapi_connection: sqlite3.Connection,
    info: MutableMapping[str, Any],
    target: str,
    select_list: str,
    schema: pa.Schema,
    batches: Iterable[pa.RecordBatch],
) -> None:
    """``INSERT INTO target SELECT select_list`` over ``batches``, staged through a scratch file.

    ``select_list`` names the scratch columns (as ``schema`` does) or holds literals; rows keep their order.
    """
    scratch = ScratchRows(schema)
    scratch.append(batches)
    scratch.copy_into(dbapi_connection, info, target, select_list)


class ScratchRows:
    """A scratch file written a part at a time (rows handed in blocks), then copied in at once: one file
    attached per table, however many parts (SQLite attaches at most ten files to a transaction). Until it
    is attached the file has a name: a process killed while the parts are written leaves it behind."""

    def __init__(self, schema: pa.Schema) -> None:
        descriptor, name = tempfile.mkstemp(prefix="tutorhub-stage-", suffix=".sqlite", dir=scratch_dir())
        os.close(descriptor)
        self.path, self.schema, self._created = Path(name), schema, False

    def append(self, batches: Iterable[pa.RecordBatch]) -> None:
        try:
            reader = pa.RecordBatchReader.from_batches(self.schema, iter(batches))
            _ingest(self.path, reader, "append" if self._created else "create")
        except BaseException:
            _unlink(self.path)
            raise
        self._created = True

    def discard(self) -> None:
        """The file removed unread (the apply it was for failed before the copy)."""
        _unlink(self.path)

    def copy_into(
        self,
        dbapi_connection: sqlite3.Connection,
        info: MutableMapping[str, Any],
        target: str,
        select_list: str,
    ) -> None:
        """``INSERT INTO target SELECT select_list`` over the rows appended, in their order."""
        rows = self.attach(dbapi_connection, info)
        dbapi_connection.execute(f"INSERT INTO {target} SELECT {select_list} FROM {rows} ORDER BY rowid")
        if not dbapi_connection.in_transaction:
            release(dbapi_connection, info)

    def attach(self, dbapi_connection: sqlite3.Connection, info: MutableMapping[str, Any]) -> str:
        """The file attached to the connection (its name gone); returns its table of the rows appended, as
        ``schema.rows``, which the transaction may read, index and change until ``release``."""
        schema_name = f"tutorhub_stage_{next(_names)}"
        try:
            if not self._created:
                self.append(())
            dbapi_connection.execute(f"ATTACH DATABASE ? AS {schema_name}", (str(self.path),))
        finally:
            _unlink(self.path)
        info.setdefault(ATTACHED, []).append((schema_name, self.path))
        # what the transaction changes in a file read once and deleted needs no journal to roll back
        dbapi_connection.execute(f"PRAGMA {schema_name}.journal_mode = OFF")
        return f"{schema_name}.rows"


def _ingest(path: Path, reader: pa.RecordBatchReader, mode: str) -> None:
    """The rows into the table ``rows`` of the scratch file (``mode``: create it, or append to it); ADBC's
    connection is closed on return."""
    # Autocommit: ADBC's ingest is one transaction of its own, and the pragmas below refuse to run in one.
    with adbc_sqlite.connect(str(path), autocommit=True) as connection, connection.cursor() as cursor:
        # A private file read once and deleted: no journal, no fsync (a crash leaves nothing to recover).
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.fetchall()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.adbc_ingest("rows", reader, mode=mode)


def _unlink(path: Path) -> None:
    """Delete the scratch file's name; Windows refuses while SQLite has it open, and ``release`` retries."""
    with contextlib.suppress(PermissionError):
        path.unlink(missing_ok=True)


def release(dbapi_connection: sqlite3.Connection | None, info: MutableMapping[str, Any]) -> None:
    """Detach and delete the scratch files of a finished transaction (``None``: the connection is gone,
    and its attachments with it)."""
    for schema_name, path in info.pop(ATTACHED, []):
        if dbapi_connection is not None:
            dbapi_connection.execute(f"DETACH DATABASE {schema_name}")
        path.unlink(missing_ok=True)
