"""Benchmark: what a next night's diagnostics cost, step by step, in CPU seconds.

    .venv/bin/python bench/diagnostics_nights.py --students 5000

Builds a ``tutorhub demo-data`` district and the demo's hub.yaml, then runs the night's roster and
diagnostics steps (and the steps deriving from the results: skill gaps, tiers) in this process, through
the same ``run_step`` as ``tutorhub sync`` runs them under Dagster, for three nights: first (empty
warehouse), next (``bench/_delta.py``: 2 % new tests appended to the cumulative i-Ready and MAP exports,
earlier flags moved, 0.5 % roster changes), and the same files again. Prints each step's CPU time
(``time.process_time``: the machine is shared, wall time lies) and rows. ``bench/night.py`` times the
whole night, reports included, in wall time per step.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from night import build, next_night

STEPS = ("roster_extract", "roster", "diagnostics_extract", "assessment_results", "skill_gaps", "tiers")


def night(config: Path, label: str) -> None:
    from cli.demo import DISTRICT
    from hub.pipeline.context import DistrictRun
    from hub.pipeline.night import run_step, steps
    from hub.plugins import installed
    from hub.settings import load_hub_config

    hub = load_hub_config(config)
    run = DistrictRun(hub, hub.district(DISTRICT), installed())
    total = 0.0
    print(label)
    try:
        for step in steps(STEPS):
            start = time.process_time()
            result = run_step(step, run)
            spent = time.process_time() - start
            total += spent
            print(f"  {step.name:<22} {spent:7.2f} s CPU   {_rows(result)}")
    finally:
        run.close()
    print(f"  {'these steps':<22} {total:7.2f} s CPU")


def _rows(result: object) -> str:
    summaries = getattr(result, "summaries", None)
    if summaries is None:
        return ""
    parts = []
    for summary in summaries:
        changes = getattr(summary, "changes", None)
        if changes is not None:
            rows = sum(change.rows for change in changes.values())
            parts.append(f"{summary.connector} {rows:,} rows applied")
        else:
            parts.append(f"{summary.connector} {summary.rows:,} rows read")
    return ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tutorhub-diagnostics-") as folder:
        work = Path(folder)
        build(args.students, args.seed, work, None)  # the district night.py runs, not timed
        print(f"{args.students:,} students")
        night(work / "hub.yaml", "first night")
        changed = next_night(work / "drop", args.seed)
        print("the next night's files: " + ", ".join(f"{name} {count:,}" for name, count in changed.items()))
        night(work / "hub.yaml", "next night")
        night(work / "hub.yaml", "unchanged night")


if __name__ == "__main__":
    main()
