"""Floors the benchmarks print beside the hub's figures: what the bare libraries take for the same work.

- ``bare_parse``: pyarrow.csv reads each file (a zip's CSV members too), every column as text, as the
  connectors read them. Nothing is checked, matched or kept.
- ``bare_writes``: sqlite3 ``executemany`` of rows the warehouse holds, into a fresh database with the
  same tables, indexes and pragmas, in key order; only the inserts and the commit are timed.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import time
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import pyarrow.csv as pacsv
from _common import rss_mb


def _csv_streams(paths: list[str]) -> Iterator[IO[bytes]]:
    for path in paths:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    if name.lower().endswith(".csv"):
                        with archive.open(name) as member:
                            yield member
        else:
            with open(path, "rb") as stream:
                yield stream


def bare_parse(paths: list[str]) -> dict[str, Any]:
    """Parse every CSV in ``paths`` (files or zips); wall time, peak RSS, rows."""
    start, rows, files = time.perf_counter(), 0, 0
    for stream in _csv_streams(paths):
        data = stream.read()  # one read, as the connectors map a file: the parse is what is timed
        header = next(csv.reader([data[:65536].decode("utf-8-sig").splitlines()[0]]))
        options = pacsv.ConvertOptions(column_types=dict.fromkeys(header, "string"))
        rows += pacsv.read_csv(io.BytesIO(data), convert_options=options).num_rows
        files += 1
    return {"wall": time.perf_counter() - start, "peak_mb": rss_mb(), "rows": rows, "files": files}


def bare_writes(database: str, rows_by_table: Mapping[str, int | None]) -> dict[str, Any]:
    """Write the first ``rows_by_table[table]`` rows of each table (None: all of them) of the SQLite
    ``database`` into a fresh one beside it; wall time of the inserts and commits, peak RSS, rows."""
    source = sqlite3.connect(database)
    target_path = Path(database).with_name("floor.db")
    target_path.unlink(missing_ok=True)
    target = sqlite3.connect(target_path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-200000"):
        target.execute(f"PRAGMA {pragma}")
    wall, rows = 0.0, 0
    for table, limit in rows_by_table.items():
        if limit == 0:
            continue
        for (ddl,) in source.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL", (table,)
        ):
            target.execute(ddl)
        keys = [row[1] for row in source.execute(f"PRAGMA table_info({table})") if row[5]]
        order = f" ORDER BY {', '.join(keys)}" if keys else ""
        cursor = source.execute(f"SELECT * FROM {table}{order} LIMIT ?", (-1 if limit is None else limit,))
        marks = ", ".join("?" for _ in cursor.description)
        target.execute("BEGIN")
        while chunk := cursor.fetchmany(50_000):
            start = time.perf_counter()
            target.executemany(f"INSERT INTO {table} VALUES ({marks})", chunk)
            wall += time.perf_counter() - start
            rows += len(chunk)
        start = time.perf_counter()
        target.execute("COMMIT")
        wall += time.perf_counter() - start
    target.close()
    target_path.unlink()
    return {"wall": wall, "peak_mb": rss_mb(), "rows": rows}
