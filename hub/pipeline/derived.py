"""When a step deriving from stored rows (tests of record, skill gaps, analyses, reports) can skip its work.

Each such step keeps, in its ``step_state`` row, the policy it ran under and the sync run its work is
current through: the run of its own last write for a step writing rows, the district's newest committed
run when it read its inputs for one writing files (``derived_files``). A night on which neither its input
tables nor that policy moved has nothing to redo.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from hub.pipeline.context import DistrictRun
from hub.warehouse import StepRecord


def unchanged(run: DistrictRun, last: StepRecord, tables: list[str], policy_key: str) -> bool:
    """Whether neither the input ``tables`` nor the policy moved since the step last wrote (``last``)."""
    return (
        last.policy_key == policy_key
        and last.through_run is not None
        and not run.warehouse.changed_after(run.district_id, last.through_run, tables)
    )


def derived_files(
    run: DistrictRun,
    step: str,
    folder: Path,
    tables: Collection[str],
    settings: str,
    compute: Callable[[], dict[str, pa.Table | Path]],
    kept_columns: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, pa.Table]:
    """The tables ``compute`` makes from the warehouse's ``tables`` under ``settings``, kept as Parquet in
    ``folder``; or the kept ones, unread by ``compute``, when no sync changed ``tables`` since ``step`` last
    made them under the same settings and its files are all still there. ``kept_columns``: of a kept
    table, only these columns are read (what the step shows of it; a report's body stays on disk).

    A table too large to hold whole (a rendered set) ``compute`` writes itself, part by part, and names
    by its path in ``folder``: it is read back like a kept one, ``kept_columns`` only."""
    warehouse, district = run.warehouse, run.district_id
    last = warehouse.step_record(district, step)
    kept = last.summary.get("files")
    if (
        kept is not None
        and unchanged(run, last, list(tables), settings)
        and all((folder / f"{name}.parquet").is_file() for name in kept)
    ):
        wanted = kept_columns or {}
        return {name: pq.read_table(folder / f"{name}.parquet", columns=wanted.get(name)) for name in kept}
    mark = warehouse.last_committed_run(district)  # taken before the inputs are read
    warehouse.record_step(district, step, through_run=None)  # files half replaced are never current
    made = compute()
    save_tables(folder, {name: table for name, table in made.items() if isinstance(table, pa.Table)})
    warehouse.record_step(
        district, step, policy_key=settings, through_run=mark, summary={"files": sorted(made)}
    )
    wanted = kept_columns or {}
    return {
        name: pq.read_table(table, columns=wanted.get(name)) if isinstance(table, Path) else table
        for name, table in made.items()
    }


def save_tables(directory: Path, tables: dict[str, pa.Table]) -> Path:
    """Write each table as Parquet; a temporary name then a rename, so a reader never sees half a file."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        partial = directory / f".{name}.parquet.partial"
        pq.write_table(table, partial, compression="zstd")
        partial.replace(directory / f"{name}.parquet")
    return directory


def load_tables(directory: Path) -> dict[str, pa.Table]:
    return {path.stem: pq.read_table(path) for path in sorted(directory.glob("*.parquet"))}
