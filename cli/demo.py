"""``tutorhub demo-data`` and ``tutorhub demo``: a synthetic district, written and then run for a night."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from hub.settings import load_hub_config

Echo = Callable[[str], None]
MARKER = ".tutorhub-demo"  # a demo directory carries this, so `demo` only ever wipes its own folders


def write_demo_data(students: int, seed: int, out: Path, echo: Echo) -> list[Path]:
    from connectors.oneroster_csv.writer import write_oneroster
    from hub.synthetic import DistrictSpec, build_district

    started = time.perf_counter()
    echo(f"building a synthetic district of {students} students (seed {seed})...")
    district = build_district(DistrictSpec(students=students, seed=seed))
    out.mkdir(parents=True, exist_ok=True)
    written = write_oneroster(district, out)
    echo(f"done in {time.perf_counter() - started:.1f} s")
    return written


def _fresh_directory(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        if not (directory / MARKER).exists():
            raise FileExistsError(
                f"{directory} exists and is not a tutorhub demo folder; choose another --dir"
            )
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).write_text("made by `tutorhub demo`; deleted and rebuilt by the next one\n")


def demo_config(directory: Path, drop: Path) -> Path:
    config = {
        "data_dir": "data",
        "districts": [
            {
                "id": "demo",
                "name": "Demo Unified School District",
                "timezone": "America/Chicago",
                "schedule": "0 2 * * *",
                "drop_folder": str(drop.relative_to(directory)),
                "connectors": [
                    {
                        "name": "roster",
                        "type": "oneroster_csv",
                        "settings": {"path": "drop/oneroster-1.2-bulk.zip"},
                    },
                ],
            }
        ],
    }
    path = directory / "hub.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def run_demo(students: int, seed: int, directory: Path, echo: Echo) -> int:
    from cli.night import dagster_environment, run_districts

    directory = directory.resolve()
    _fresh_directory(directory)
    drop = directory / "drop"
    echo("1/3 writing the synthetic district's exports")
    write_demo_data(students, seed, drop, echo)
    hub = load_hub_config(demo_config(directory, drop))
    echo("2/3 running the night through Dagster (this takes a minute)")
    started = time.perf_counter()
    [outcome] = run_districts(hub, ["demo"])
    echo(
        f"    {'done' if outcome.success else 'FAILED'} in {time.perf_counter() - started:.1f} s "
        f"(Dagster run {outcome.run_id})"
    )
    for message in outcome.failures + outcome.checks_failed:
        echo(f"    {message}")
    echo("3/3 what landed")
    from hub.pipeline.context import DistrictRun
    from hub.plugins import installed

    run = DistrictRun(hub, hub.district("demo"), installed())
    for table in ("school", "section", "person", "enrollment", "demographics"):
        echo(f"    {table:<14} {run.warehouse.count(table, 'demo'):>9,} rows")
    run.close()
    env = dagster_environment(hub)
    echo("")
    echo(f"Data directory: {hub.data_dir}")
    echo("Open the Dagster UI to see lineage, checks and runs:")
    echo(f"    tutorhub ui --config {hub.path}")
    echo(f"or: DAGSTER_HOME={env['DAGSTER_HOME']} \\")
    echo(f"    TUTORHUB_DAGSTER_STORAGE={env['TUTORHUB_DAGSTER_STORAGE']} \\")
    echo(f"    TUTORHUB_CONFIG={hub.path} dagster dev -m assets.definitions")
    return 0 if outcome.success else 1
