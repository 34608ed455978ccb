"""Benchmark: the night's reports step (``alignment_reports``) alone, on a district the night has filled.

    .venv/bin/python bench/reports.py [--students 5000] [--seed 1] [--keep DIR | --district DIR]

Builds a ``tutorhub demo-data`` district and the demo's hub.yaml (as bench/night.py does), runs the night's
steps before ``alignment_reports`` on it outside Dagster (``hub.pipeline.night.run_steps``, untimed), then
times the reports step in a fresh process, as the first night renders it (no set rendered before): wall,
CPU, peak RSS and reports a second; then, in another, the step run again on the same data, which renders
nothing (each report is made from what the kept one was). A further fresh process times its parts: the
warehouse reads, building the reports, and each format's rendering. ``--district`` reuses a folder a
``--keep`` run left (its hub.yaml), skipping the build and the steps before the reports.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import Clock, in_fresh_process


def prepare(students: int, seed: int, work: Path) -> None:
    """The district built and the night run up to (not including) the reports step."""
    from night import build

    from hub.pipeline.night import run_steps, through

    clock = Clock()
    clock.step(
        f"build a {students:,}-student district (untimed for the step)", build, students, seed, work, None
    )
    run = _run(work)
    clock.step(
        "the night's steps before alignment_reports", run_steps, run, through("alignment_reports")[:-1]
    )


def _run(work: Path):  # a DistrictRun, imported in the process that runs it
    from cli.demo import DISTRICT
    from hub.pipeline.context import DistrictRun
    from hub.plugins import installed
    from hub.settings import load_hub_config

    hub = load_hub_config(work / "hub.yaml")
    return DistrictRun(hub, hub.district(DISTRICT), installed())


def the_step(work: Path) -> int:
    """The reports step as the night's first run takes it: every report built, rendered and written."""
    from hub.pipeline.delivery import render_reports, reports_dir

    run = _run(work)
    shutil.rmtree(reports_dir(run), ignore_errors=True)
    clock = Clock()
    rendered = clock.step("alignment_reports (the step)", render_reports, run).table.num_rows
    print(f"  {rendered:,} rendered reports ({rendered // 3:,} reports in 3 formats), "
          f"{rendered / clock.cpu:,.0f} rendered a CPU second")  # fmt: skip
    return rendered


def the_step_again(work: Path) -> None:
    """The step made to run again on the same data (its kept mark cleared): every report is made from
    what the set kept was made from, so none is rendered or written again (``render_unless_kept``)."""
    from hub.pipeline.delivery import render_reports

    run = _run(work)
    run.warehouse.record_step(run.district_id, "alignment_reports", through_run=None)
    Clock().step("alignment_reports (the step again, same data)", render_reports, run)


def parts(work: Path) -> None:
    """The step's parts: reads, building, and each format's rendering (not written)."""
    from hub.pipeline.report_reads import report_inputs
    from hub.reports import build_reports
    from hub.reports.rendered import RENDERERS

    run = _run(work)
    clock = Clock()
    inputs = clock.step("warehouse reads and stored analytics", report_inputs, run)
    at = datetime.now(ZoneInfo(run.district.timezone)).replace(microsecond=0)
    reports = clock.step("build the reports", build_reports, inputs, at)
    for content_type, render in RENDERERS.items():
        clock.step(f"render {content_type}", lambda: [render(report) for report in reports])  # noqa: B023
    print(f"  {'parts together':<52} {clock.wall:6.2f} s wall {clock.cpu:6.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="build the district in this folder and leave it there")
    parser.add_argument("--district", type=Path, help="a folder a --keep run left: skip building it")
    args = parser.parse_args()
    if args.district:
        work = args.district
    else:
        work = args.keep or Path(tempfile.mkdtemp(prefix="bench-reports-"))
        work.mkdir(parents=True, exist_ok=True)
        print(f"district of {args.students:,} students, seed {args.seed}, in {work}")
        in_fresh_process(prepare, args.students, args.seed, work)
    try:
        print("the reports step, in a fresh process")
        in_fresh_process(the_step, work)
        in_fresh_process(the_step_again, work)
        print("its parts, in a fresh process")
        in_fresh_process(parts, work)
    finally:
        if not (args.keep or args.district):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
