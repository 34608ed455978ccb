"""What the hub derives from stored rows (tests of record, skill gaps, analyses), and when that work can be
skipped.

A derived step that writes to the warehouse records its writes under its own connector name and keeps the
policy it ran under in its connector state; one that writes files (the evidence stage's Parquet) keeps the
same two facts beside them (``derived_files``). A night on which neither its input tables nor that policy
moved has nothing to redo.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from hub.pipeline.context import DistrictRun

DERIVED = "diagnostics"  # the prefix of the connector names the hub's own derived writes are recorded under


def unchanged(run: DistrictRun, derived: str, state: dict, tables: list[str], policy_key: str) -> bool:
    """Whether neither the input ``tables`` nor the policy moved since the derived step last ran and saved
    ``state`` (its connector state)."""
    return state.get("policy") == policy_key and not run.warehouse.changed_since(
        run.district_id, derived, tables
    )


STAMP = ".inputs.json"
"""Beside a derived step's folder (``<folder><STAMP>``, outside it, so that whoever reads the folder sees
only what the step made): the settings its files were made under and the newest committed sync run of the
district when their inputs were read."""


def derived_files(
    run: DistrictRun,
    folder: Path,
    tables: Collection[str],
    settings: str,
    compute: Callable[[], dict[str, pa.Table]],
) -> dict[str, pa.Table]:
    """The tables ``compute`` makes from the warehouse's ``tables`` under ``settings``, kept as Parquet in
    ``folder``; or the kept ones, unread by ``compute``, when no sync changed ``tables`` since and the
    settings are the same."""
    stamp = folder.with_name(folder.name + STAMP)
    if stamp.is_file():
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        if recorded.get("settings") == settings and not run.warehouse.changed_after(
            run.district_id, recorded["after_run"], tables
        ):
            return load_tables(folder)
    mark = run.warehouse.last_committed_run(run.district_id)  # taken before the inputs are read
    stamp.unlink(missing_ok=True)  # files half replaced are never taken for current
    folder.mkdir(parents=True, exist_ok=True)
    made = compute()
    save_tables(folder, made)
    stamp.write_text(json.dumps({"settings": settings, "after_run": mark}), encoding="utf-8")
    return made


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
