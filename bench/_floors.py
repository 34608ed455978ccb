"""Floors the benchmarks print beside the hub's figures: what the bare libraries take for the same work.

- ``bare_parse``: pyarrow.csv reads each file (a zip's CSV members too), every column as text, as the
  connectors read them. Nothing is checked, matched or kept.
- ``bare_writes``: sqlite3 ``executemany`` of rows the warehouse holds, into a fresh database with the
  same tables, indexes and pragmas, in key order; only the inserts and the commit are timed.
- ``bare_adbc_writes``: the same rows into the same kind of fresh database by ADBC's SQLite driver
  (``adbc_ingest``, appending Arrow tables of 50,000 rows, each its own transaction); the rows are read
  into Arrow first, untimed, so only the driver's writes count. The hub cannot write its warehouse this
  way (ADBC links its own SQLite: hub/warehouse/sqlite_stage.py); this is the floor of that library.
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

import adbc_driver_sqlite.dbapi as adbc_sqlite
import pyarrow as pa
import pyarrow.csv as pacsv
from _common import rss_mb

CHUNK_ROWS = 50_000
PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-200000")


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
    ``database`` into a fresh one beside it by executemany; wall and CPU time of the inserts and commits,
    peak RSS, rows."""
    source = sqlite3.connect(database)
    target_path = Path(database).with_name("floor.db")
    target_path.unlink(missing_ok=True)
    target = sqlite3.connect(target_path, isolation_level=None)
    for pragma in PRAGMAS:
        target.execute(f"PRAGMA {pragma}")
    wall, cpu, rows = 0.0, 0.0, 0
    for table, definitions, cursor in _tables_in_key_order(source, rows_by_table):
        for ddl in definitions:
            target.execute(ddl)
        marks = ", ".join("?" for _ in cursor.description)
        target.execute("BEGIN")
        while chunk := cursor.fetchmany(CHUNK_ROWS):
            start, start_cpu = time.perf_counter(), time.process_time()
            target.executemany(f"INSERT INTO {table} VALUES ({marks})", chunk)
            wall, cpu = wall + time.perf_counter() - start, cpu + time.process_time() - start_cpu
            rows += len(chunk)
        start, start_cpu = time.perf_counter(), time.process_time()
        target.execute("COMMIT")
        wall, cpu = wall + time.perf_counter() - start, cpu + time.process_time() - start_cpu
    target.close()
    target_path.unlink()
    return {"wall": wall, "cpu": cpu, "peak_mb": rss_mb(), "rows": rows}


def bare_adbc_writes(database: str, rows_by_table: Mapping[str, int | None]) -> dict[str, Any]:
    """``bare_writes``'s rows into a fresh database by ADBC's ``adbc_ingest``; the same figures.

    Only ADBC opens the fresh database and only sqlite3 the source, so no file is open in both libraries.
    """
    source = sqlite3.connect(database)
    target_path = Path(database).with_name("floor-adbc.db")
    target_path.unlink(missing_ok=True)
    wall, cpu, rows = 0.0, 0.0, 0
    with adbc_sqlite.connect(str(target_path), autocommit=True) as target, target.cursor() as writer:
        for pragma in PRAGMAS:
            writer.execute(f"PRAGMA {pragma}")
            writer.fetchall()
        for table, definitions, cursor in _tables_in_key_order(source, rows_by_table):
            for ddl in definitions:
                writer.execute(ddl)
            types = [_arrow_type(row[2]) for row in source.execute(f"PRAGMA table_info({table})")]
            names = [column[0] for column in cursor.description]
            while chunk := cursor.fetchmany(CHUNK_ROWS):
                arrays = [
                    pa.array(values, kind)
                    for values, kind in zip(zip(*chunk, strict=True), types, strict=True)
                ]
                data = pa.Table.from_arrays(arrays, names=names)
                start, start_cpu = time.perf_counter(), time.process_time()
                writer.adbc_ingest(table, data, mode="append")
                wall, cpu = wall + time.perf_counter() - start, cpu + time.process_time() - start_cpu
                rows += len(chunk)
    target_path.unlink()
    return {"wall": wall, "cpu": cpu, "peak_mb": rss_mb(), "rows": rows}


def _tables_in_key_order(
    source: sqlite3.Connection, rows_by_table: Mapping[str, int | None]
) -> Iterator[tuple[str, list[str], sqlite3.Cursor]]:
    """Each table to write: its definition and its indexes' (as ``source`` holds them), and a cursor over
    its first rows in key order."""
    for table, limit in rows_by_table.items():
        if limit == 0:
            continue
        definitions = [
            ddl
            for (ddl,) in source.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL", (table,)
            )
        ]
        keys = [row[1] for row in source.execute(f"PRAGMA table_info({table})") if row[5]]
        order = f" ORDER BY {', '.join(keys)}" if keys else ""
        limited = -1 if limit is None else limit
        yield table, definitions, source.execute(f"SELECT * FROM {table}{order} LIMIT ?", (limited,))


def _arrow_type(declared: str) -> pa.DataType:
    """The Arrow type of values stored under a declared column type (dates and timestamps are text)."""
    declared = declared.upper()
    if "INT" in declared or "BOOL" in declared:
        return pa.int64()
    if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
        return pa.float64()
    return pa.string()
