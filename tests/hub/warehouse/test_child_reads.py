"""Large SQLite reads go through the warehouse's reader process (hub.warehouse.child_reads): the same rows,
typed as the model says, as what was written; what a later commit changed is seen; a reader that stops is
given up and the rows are read in the process; and the reader never outlives the process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from hub.connector import NormalizedBatch, SyncMode
from hub.model import conform
from hub.warehouse import Warehouse, child_reads
from hub.warehouse.bulk import BATCH_ROWS
from hub.warehouse.sqlite_read_child import BATCH_ROWS as CHILD_BATCH_ROWS

DISTRICT = "test_district"
ROWS = CHILD_BATCH_ROWS + 10_000  # more than the reader's first batch, from which its driver infers types
LATE = CHILD_BATCH_ROWS + 5  # columns below are NULL in every row before this one
assert ROWS > BATCH_ROWS  # large enough that the warehouse hands the read to the reader

COLUMNS = ["source_id", "test_date", "scale_score", "rushed", "vendor_most_recent", "percentile", "measure"]


def _results(rows: int, *, score: float = 500.5) -> pa.Table:
    """assessment_result rows whose optional columns are NULL until row ``LATE``: a driver typing columns
    by their first values would take those for integers and fail on the rest."""
    late = [None] * LATE + ["late"] * (rows - LATE)
    table = pa.table(
        {
            "source_id": [f"t{i:06d}" for i in range(rows)],
            "vendor": ["iready"] * rows,
            "vendor_student_id": [f"v{i}" for i in range(rows)],
            "match_status": ["unmatched"] * rows,
            "subject": ["ela"] * rows,
            "school_year": [2026] * rows,
            "window": ["fall"] * rows,
            "test_date": [None] * LATE + [date(2025, 9, 1 + i % 28) for i in range(rows - LATE)],
            "scale_score": [None] * LATE + [score + i % 7 for i in range(rows - LATE)],
            "rushed": [i % 3 == 0 for i in range(rows)],
            "is_test_of_record": [False] * rows,
            "vendor_most_recent": [None] * LATE + [i % 2 == 0 for i in range(rows - LATE)],
            "percentile": [None] * LATE + [i % 99 for i in range(rows - LATE)],
            "measure": late,
        }
    )
    return conform("assessment_result", table)


def _write(warehouse: Warehouse, table: pa.Table) -> None:
    batch = NormalizedBatch({"assessment_result": table}, {"assessment_result": SyncMode.DELTA})
    warehouse.apply(DISTRICT, "iready", batch)


@pytest.fixture
def sqlite_warehouse(tmp_path: Path):
    path = tmp_path / "warehouse.db"
    warehouse = Warehouse(f"sqlite:///{path}")
    yield warehouse, str(path.resolve())
    warehouse.dispose()


def _same(read: pa.Table, written: pa.Table) -> bool:
    """Column by column, types and values (a written table's NOT NULL marks are not read back)."""
    return read.column_names == COLUMNS and all(read[name].equals(written[name]) for name in COLUMNS)


def _read(warehouse: Warehouse) -> pa.Table:
    return warehouse.read("assessment_result", DISTRICT, columns=COLUMNS).sort_by("source_id")


def test_a_large_read_comes_through_the_reader_typed_as_written(sqlite_warehouse) -> None:
    warehouse, path = sqlite_warehouse
    written = _results(ROWS)
    _write(warehouse, written)

    read = _read(warehouse)

    assert child_reads.running_reader(path) is not None  # the reader answered, not this process
    assert _same(read, written)
    # a small read, once the reader runs, comes from it too, and is typed alike
    few = warehouse.read("assessment_result", DISTRICT, columns=COLUMNS).slice(0, 3)
    assert few.schema == read.schema


def test_the_reader_sees_what_was_committed_after_its_last_read(sqlite_warehouse) -> None:
    warehouse, path = sqlite_warehouse
    _write(warehouse, _results(ROWS))
    _read(warehouse)
    assert child_reads.running_reader(path) is not None

    _write(warehouse, _results(ROWS, score=700.5))

    scores = _read(warehouse).column("scale_score").drop_null()
    assert min(scores.to_pylist()) == 700.5


def test_a_reader_that_stopped_is_given_up_and_the_rows_read_here(sqlite_warehouse) -> None:
    warehouse, path = sqlite_warehouse
    written = _results(ROWS)
    _write(warehouse, written)
    _read(warehouse)
    reader = child_reads.running_reader(path)
    assert reader is not None

    os.kill(reader.pid, signal.SIGKILL)
    while _alive(reader.pid):
        time.sleep(0.05)

    assert _same(_read(warehouse), written)
    assert child_reads.running_reader(path) is None


_PARENT = """
import sys
from hub.warehouse import Warehouse, child_reads
warehouse = Warehouse(sys.argv[1])
warehouse.read("assessment_result", "test_district")
print(child_reads.running_reader(sys.argv[2]).pid, flush=True)
sys.stdin.read()
"""


def test_the_reader_ends_with_the_process_that_started_it(sqlite_warehouse) -> None:
    warehouse, path = sqlite_warehouse
    _write(warehouse, _results(ROWS))
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, str(warehouse.engine.url), path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    reader_pid = int(parent.stdout.readline())
    assert _alive(reader_pid)

    parent.send_signal(signal.SIGKILL)  # no exit handler runs: the reader must see its input end
    parent.wait(timeout=60)

    deadline = time.monotonic() + 30
    while _alive(reader_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(reader_pid)


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie, exited but not yet reaped by init, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
