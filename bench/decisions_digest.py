"""Nothing decided changes: a digest of every warehouse table and report of a `tutorhub demo` night.

    .venv/bin/python bench/decisions_digest.py --students 2000 --out before.json
    (change the code)
    .venv/bin/python bench/decisions_digest.py --students 2000 --compare before.json
    .venv/bin/python bench/decisions_digest.py --students 2000 --part-students 7 --compare before.json

Runs ``tutorhub demo`` into a temporary folder, then hashes, column by column, every model table of the
district (rows in primary-key order) and every report the files destination holds (with the night's
clock masked). ``--compare`` names each table column and report whose content differs from an earlier
digest and exits 1 if any does, so a speed-up can show that it decided exactly what the code before it did.

Left out, because they differ between two runs of the same code: ``synced_at`` (the clock),
``sync_run_id`` (which run last wrote a row: run ids follow how the night went) and the operations tables
(sync runs, rejects' run ids, connector and step state, push ledger): they record how a night went, not
what it decided.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from hub.model import Base, ViewBase
from hub.warehouse import Warehouse

DISTRICT = "demo"
OPERATIONS = {"sync_run", "sync_reject", "connector_state", "step_state", "push_target", "push_log"}
CLOCK_COLUMNS = {"synced_at", "sync_run_id"}
CLOCK = re.compile(rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}| ?UTC)?")
"""A date with a time of day: only the night's own clock (``generated_at``) is written that way."""


def run_demo(students: int, seed: int, directory: Path, part_students: int | None) -> None:
    tutorhub = Path(sys.executable).parent / "tutorhub"
    command = [
        str(tutorhub),
        "demo",
        "--students",
        str(students),
        "--seed",
        str(seed),
        "--dir",
        str(directory),
        *(() if part_students is None else ("--part-students", str(part_students))),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, cwd=directory.parent)
    if finished.returncode:
        tail = finished.stdout[-2000:] + finished.stderr[-2000:]
        sys.exit(f"tutorhub demo failed (exit {finished.returncode}):\n{tail}")


def _column_digest(column: pa.ChunkedArray) -> str:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, pa.schema([("v", column.type)])) as writer:
        writer.write_table(pa.table({"v": column.combine_chunks()}))
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()[:16]


def table_digests(warehouse: Warehouse) -> dict[str, dict[str, str]]:
    """Per model table and view: row count and one digest per column, rows in primary-key order. Views
    count because they show the facts a table stores in another shape (domain_result)."""
    digests: dict[str, dict[str, str]] = {}
    tables = {**Base.metadata.tables, **ViewBase.metadata.tables}
    for name, table in sorted(tables.items()):
        if name in OPERATIONS or "district_id" not in table.c:
            continue
        rows = warehouse.read(name, DISTRICT, active_only=False)
        keys = [column.name for column in table.primary_key.columns]
        rows = rows.take(pc.sort_indices(rows, [(key, "ascending") for key in keys]))
        digests[name] = {"rows": str(rows.num_rows)} | {
            column: _column_digest(rows.column(column))
            for column in rows.column_names
            if column not in CLOCK_COLUMNS
        }
    return digests


def report_digests(folder: Path) -> dict[str, str]:
    """Per report file under the files destination: SHA-256 of its bytes, the night's clock masked."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(CLOCK.sub(b"<clock>", path.read_bytes())).hexdigest()[
            :16
        ]
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def differences(before: dict, after: dict) -> list[str]:
    found = []
    for table in sorted(before["tables"].keys() | after["tables"].keys()):
        old, new = before["tables"].get(table, {}), after["tables"].get(table, {})
        changed = [column for column in sorted(old.keys() | new.keys()) if old.get(column) != new.get(column)]
        if changed:
            found.append(f"table {table}: {', '.join(changed)}")
    reports = [
        name
        for name in sorted(before["reports"].keys() | after["reports"].keys())
        if before["reports"].get(name) != after["reports"].get(name)
    ]
    found += [f"report {name}" for name in reports[:20]]
    if len(reports) > 20:
        found.append(f"... and {len(reports) - 20} more reports")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--part-students", type=int, help="the demo district's part_students: a small one runs many parts"
    )
    parser.add_argument("--out", type=Path, help="write the digest here (JSON)")
    parser.add_argument("--compare", type=Path, help="an earlier digest: name what differs, exit 1 if any")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tutorhub-digest-") as work:
        directory = Path(work) / "demo"
        run_demo(arguments.students, arguments.seed, directory, arguments.part_students)
        warehouse = Warehouse(f"sqlite:///{directory / 'data' / DISTRICT / 'warehouse.db'}")
        try:
            digest = {"tables": table_digests(warehouse), "reports": report_digests(directory / "exports")}
        finally:
            warehouse.dispose()
    print(f"{len(digest['tables'])} tables, {len(digest['reports'])} reports hashed")
    if arguments.out:
        arguments.out.write_text(json.dumps(digest, indent=1, sort_keys=True), encoding="utf-8")
    if arguments.compare:
        found = differences(json.loads(arguments.compare.read_text(encoding="utf-8")), digest)
        for line in found:
            print(f"  differs: {line}")
        print("the same as the earlier digest" if not found else f"{len(found)} difference(s)")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
