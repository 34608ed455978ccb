"""Benchmark: import a district-sized OneRoster 1.2 package into a fresh SQLite warehouse.

    .venv/bin/python bench/roster_import.py --students 350000

Generates the synthetic district's package, then measures, each phase in a fresh process so that each
peak RSS is its own: the first sync (read, normalize, apply), a second sync of the unchanged package, and a
bare baseline (pyarrow.csv.read_csv + sqlite3 executemany of the same rows into the same tables).
Targets: first sync <= 30 s and <= 2x the baseline, peak RSS <= 1.5 GB, second sync <= half the first.
"""

from __future__ import annotations

import argparse
import io
import resource
import sqlite3
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

DISTRICT_ID = "bench"
# Package file -> warehouse table, for the baseline (the connector decides its own mapping).
TABLES = {
    "orgs.csv": "school",
    "academicSessions.csv": "academic_session",
    "courses.csv": "course",
    "classes.csv": "section",
    "users.csv": "person",
    "roles.csv": "person_role",
    "enrollments.csv": "enrollment",
    "demographics.csv": "demographics",
}
TARGET_SECONDS = 30.0
TARGET_RSS_MB = 1536.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(students: int, seed: int, out_dir: str) -> dict[str, Any]:
    from connectors.oneroster_csv.writer import write_oneroster
    from testkit.synthetic import DistrictSpec, build_district

    start = time.perf_counter()
    district = build_district(DistrictSpec(students=students, seed=seed, district_id=DISTRICT_ID))
    built = time.perf_counter() - start
    path = write_oneroster(district, Path(out_dir))[0]
    with zipfile.ZipFile(path) as package:
        sizes = {info.filename: info.file_size for info in package.infolist()}
    return {
        "wall": time.perf_counter() - start,
        "build": built,
        "peak_mb": _peak_mb(),
        "path": str(path),
        "csv_mb": sum(sizes.values()) / 2**20,
        "zip_mb": path.stat().st_size / 2**20,
    }


def sync(package: str, url: str) -> dict[str, Any]:
    try:
        from connectors.oneroster_csv import OneRosterCsvConfig, OneRosterCsvSource
    except ImportError as error:
        return {"error": f"connector not available: {error}"}
    from hub.warehouse import Warehouse

    opened = time.perf_counter()
    warehouse = Warehouse(url)
    warehouse.register_district(DISTRICT_ID, "Bench Unified School District", "America/Chicago")
    start = time.perf_counter()
    source = OneRosterCsvSource(OneRosterCsvConfig(path=Path(package)))
    extract = source.read()
    read = time.perf_counter()
    batch = source.normalize(extract)
    issues = len(extract.issues) + len(batch.issues)
    del extract  # the pipeline keeps raw extracts on disk (Parquet), not in memory, while it applies
    normalized = time.perf_counter()
    summary = warehouse.apply(DISTRICT_ID, "roster", batch, allow_deletions=False)
    done = time.perf_counter()
    warehouse.dispose()
    changes = summary.result.changes
    return {
        "wall": done - start,
        "open": start - opened,
        "read": read - start,
        "normalize": normalized - read,
        "apply": done - normalized,
        "peak_mb": _peak_mb(),
        "rows": sum(table.num_rows for table in batch.tables.values()),
        "tables": {name: (change.rows, change.skipped_unchanged) for name, change in changes.items()},
        "issues": issues,
    }


def baseline(package: str, db_path: str, identifiers: int) -> dict[str, Any]:
    """The floor: parse each CSV with Arrow and insert its rows, as wide as the model's table, in one go.

    ``identifiers``: rows the connector derived for person_identifier (several per user); the baseline
    inserts as many, cut from users.csv, so both write the same number of rows.
    """
    import pyarrow.csv as pacsv
    from sqlalchemy import create_engine

    from hub.model import Base

    tables = [*TABLES.values(), "person_identifier"]
    engine = create_engine(f"sqlite:///{db_path}")
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[name] for name in tables])
    engine.dispose()
    connection = sqlite3.connect(db_path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "temp_store=MEMORY", "cache_size=-200000"):
        connection.execute(f"PRAGMA {pragma}")
    start = time.perf_counter()
    parse, rows = 0.0, 0
    connection.execute("BEGIN")
    with zipfile.ZipFile(package) as archive:
        for name, table_name in TABLES.items():
            began = time.perf_counter()
            data = archive.read(name)
            header = data.split(b"\n", 1)[0].decode().split(",")
            options = pacsv.ConvertOptions(column_types=dict.fromkeys(header, "string"))
            table = pacsv.read_csv(io.BytesIO(data), convert_options=options)
            parse += time.perf_counter() - began
            width = len(Base.metadata.tables[table_name].columns)
            for batch in table.to_batches(100_000):
                # district_id first, then the file's columns in order (repeated to the model's width).
                values = [batch.column(i % batch.num_columns).to_pylist() for i in range(width - 1)]
                rows += _insert(connection, table_name, [[DISTRICT_ID] * batch.num_rows, *values])
            if name == "users.csv":
                rows += _identifiers(connection, table, identifiers)
    connection.execute("COMMIT")
    connection.close()
    return {"wall": time.perf_counter() - start, "parse": parse, "peak_mb": _peak_mb(), "rows": rows}


def _insert(connection: sqlite3.Connection, table_name: str, columns: list[list[Any]]) -> int:
    sql = f"INSERT INTO {table_name} VALUES ({', '.join('?' * len(columns))})"
    connection.executemany(sql, zip(*columns, strict=True))
    return len(columns[0])


def _identifiers(connection: sqlite3.Connection, users: Any, wanted: int) -> int:
    """(district, user, id type, value) rows: pass k takes users' column k as the value."""
    rows = 0
    for copy in range(1, users.num_columns):
        for batch in users.to_batches(100_000):
            take = min(batch.num_rows, wanted - rows)
            if take <= 0:
                return rows
            person = batch.column(0).to_pylist()[:take]
            value = batch.column(copy).to_pylist()[:take]
            rows += _insert(
                connection, "person_identifier", [[DISTRICT_ID] * take, person, [str(copy)] * take, value]
            )
    return rows


def _in_fresh_process(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def _line(label: str, result: dict[str, Any], rows: int | None = None, extra: str = "") -> None:
    rate = f"{rows / result['wall']:>12,.0f} rows/s" if rows else ""
    print(f"{label:<14}{result['wall']:>8.2f} s  peak {result['peak_mb']:>7.0f} MB  {rate}  {extra}")


def _check(label: str, ok: bool, detail: str) -> bool:
    print(f"  [{'ok' if ok else 'MISSED'}] {label}: {detail}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=350_000)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tutorhub-bench-") as work:
        made = _in_fresh_process(generate, arguments.students, arguments.seed, work)
        _line("generate", made, extra=f"(build {made['build']:.2f} s; {made['csv_mb']:.0f} MB CSV, "
              f"{made['zip_mb']:.0f} MB zip)")  # fmt: skip
        url = f"sqlite:///{Path(work) / 'warehouse.db'}"
        first = _in_fresh_process(sync, made["path"], url)
        identifiers = first.get("tables", {}).get("person_identifier", (0, False))[0]
        floor = _in_fresh_process(baseline, made["path"], str(Path(work) / "baseline.db"), identifiers)
        _line("baseline", floor, floor["rows"], f"(parse {floor['parse']:.2f} s)")
        if "error" in first:
            print(f"first sync    skipped: {first['error']}")
            return 1
        second = _in_fresh_process(sync, made["path"], url)
        for label, run in (("first sync", first), ("second sync", second)):
            phases = f"(read {run['read']:.2f}, normalize {run['normalize']:.2f}, apply {run['apply']:.2f} s)"
            _line(label, run, run["rows"], phases)
        skipped = [name for name, (_, unchanged) in second["tables"].items() if unchanged]
        print(f"  tables (rows, skipped unchanged): {first['tables']}; issues: {first['issues']}")
        print(f"  second sync skipped as unchanged: {skipped}")
        peak = max(first["peak_mb"], second["peak_mb"])
        results = [
            _check(
                "first sync",
                first["wall"] <= TARGET_SECONDS,
                f"{first['wall']:.1f} s <= {TARGET_SECONDS:.0f} s",
            ),
            _check("peak RSS", peak <= TARGET_RSS_MB, f"{peak:.0f} MB <= {TARGET_RSS_MB:.0f} MB"),
            _check(
                "vs baseline",
                first["wall"] <= 2 * floor["wall"],
                f"{first['wall'] / floor['wall']:.2f}x <= 2x",
            ),
            _check(
                "second sync",
                second["wall"] <= first["wall"] / 2,
                f"{second['wall']:.1f} s <= half the first",
            ),
        ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
