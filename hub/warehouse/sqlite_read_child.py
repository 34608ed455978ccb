"""Reads a SQLite warehouse into Arrow for the process that started it (hub.warehouse.child_reads).

Run as a script (by path, so that the hub package and its imports stay out of it), with the database
file as its one argument. Requests come on stdin, each a 4-byte big-endian length and that much SQL in
UTF-8; each answer on stdout is ``A`` and an Arrow IPC stream of the rows, or ``E``, a 4-byte length and
the error's text. End of input ends the process, so it never outlives the one that reads through it.

ADBC's SQLite driver builds Arrow arrays in C, three times faster than Python's sqlite3 making a tuple a
row; it runs here, in a process of its own, because it is a second copy of the SQLite library, and two
copies in one process release each other's POSIX locks (the write lock, the WAL index's) when either
closes the file.
"""

import struct
import sys

import adbc_driver_sqlite.dbapi
import pyarrow as pa

BATCH_ROWS = 65_536  # rows a batch: what the child holds at a time, whatever the read's size
LENGTH = struct.Struct(">I")


def serve(path: str) -> None:
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    # autocommit: every read sees what was committed before it, never a snapshot held from an earlier one
    with adbc_driver_sqlite.dbapi.connect(f"file:{path}?mode=ro", autocommit=True) as connection:
        while header := requests.read(LENGTH.size):
            (size,) = LENGTH.unpack(header)
            statement = requests.read(size).decode()
            with connection.cursor() as cursor:
                cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
                try:
                    cursor.execute(statement)
                    batches = cursor.fetch_record_batch()
                except Exception as error:  # the parent reads the rows its own way and says why
                    message = str(error).encode()
                    answers.write(b"E" + LENGTH.pack(len(message)) + message)
                    answers.flush()
                    continue
                answers.write(b"A")
                with pa.ipc.new_stream(answers, batches.schema) as stream:
                    for batch in batches:
                        stream.write_batch(batch)
                answers.flush()


if __name__ == "__main__":
    serve(sys.argv[1])
