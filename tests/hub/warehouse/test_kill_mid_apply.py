"""kill -9 in the middle of an apply, on SQLite and PostgreSQL: the district is exactly as before or exactly
as after (never half), and running the same sync again converges.

The apply runs in a child process, which says when it starts; the test kills it at a different moment of
the apply each time (SIGKILL: no cleanup, no rollback handler, as when the machine loses power).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub.warehouse import Warehouse
from tests.hub.warehouse.test_apply import DISTRICT, bulk, people

ROWS = 20_000
KEPT = range(ROWS // 100, ROWS)  # the sync being killed removes 1 % (under the guard) and renames the rest

_CHILD = f"""
import sys
from hub.warehouse import Warehouse
from tests.hub.warehouse.test_apply import DISTRICT, bulk, people
house = Warehouse(sys.argv[1])
batch = bulk(person=people(range({KEPT.start}, {KEPT.stop}), name="Bea"))
if sys.argv[2] == "blocks":  # the same rows handed in blocks (NormalizedBatch.blocks)
    given = batch.tables.pop("person")
    batch.blocks = [{{"person": given.slice(start, 1000)}} for start in range(0, given.num_rows, 1000)]
print("applying", flush=True)
house.apply(DISTRICT, "roster", batch)
print("applied", flush=True)
"""


def _state(warehouse: Warehouse) -> tuple[int, set[str]]:
    person = warehouse.read("person", DISTRICT)
    return person.num_rows, set(person.column("given_name").to_pylist())


@pytest.mark.parametrize("given", ["whole", "blocks"])
@pytest.mark.parametrize("after_seconds", [0.1, 0.6])
def test_a_killed_apply_leaves_before_or_after_and_a_rerun_converges(
    warehouse: Warehouse, warehouse_url: str, after_seconds: float, given: str, tmp_path: Path
) -> None:
    warehouse.apply(DISTRICT, "roster", bulk(person=people(range(ROWS))))
    before, after = (ROWS, {"Ana"}), (len(KEPT), {"Bea"})
    # Killed while ADBC writes a batch, a SQLite apply leaves that scratch file behind: keep it in tmp_path.
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, warehouse_url, given],
        stdout=subprocess.PIPE,
        text=True,
        cwd=".",
        env={**os.environ, "SQLITE_TMPDIR": str(tmp_path)},
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "applying"
    time.sleep(after_seconds)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    assert _state(warehouse) in (before, after)

    warehouse.apply(DISTRICT, "roster", bulk(person=people(KEPT, name="Bea")))
    assert _state(warehouse) == after
