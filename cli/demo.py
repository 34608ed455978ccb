"""``tutorhub demo-data`` and ``tutorhub demo``: a synthetic district, written and then run for a night."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import yaml

from hub.settings import ConfigError, HubConfig, load_hub_config

Echo = Callable[[str], None]
MARKER = ".tutorhub-demo"  # a demo directory carries this, so `demo` only ever wipes its own folders
CANVAS_TOKEN_VARIABLE = "TUTORHUB_DEMO_CANVAS_TOKEN"
DISTRICT = "demo"
KEPT = Path("data/dagster")  # the Dagster instance's storage under the demo's data_dir


def demo_as_of(spec_school_year: int) -> date:
    """The demo's as-of date: June 1 of its school year, when the whole season has been decided."""
    return date(spec_school_year, 6, 1)


def require_testkit() -> None:
    """The demo draws on ``testkit``, which a production install (the Docker image) leaves out."""
    if importlib.util.find_spec("testkit") is None:
        raise ConfigError(
            "the demo needs the testkit package (the synthetic district, its season and a fake Canvas), "
            "which this install leaves out as production installs do; run the demo from a source checkout "
            "installed with `pip install -e .`"
        )


def write_demo_data(students: int, seed: int, out: Path, echo: Echo) -> list[Path]:
    """Roster, tutors, a season of session logs for the hub's own groups, and diagnostics that respond to
    the dosage those groups received.

    The season is run as the hub decides it (``testkit.season``): boundary by boundary, on what the
    night will see then, the tutors meeting the groups the hub has for each cycle. Reading the final
    exports, the night replays the same boundaries on the same evidence, so it decides alike.
    """
    require_testkit()
    from connectors.iready.writer import write_iready
    from connectors.nwea_map.writer import write_map
    from connectors.oneroster_csv.writer import write_oneroster
    from connectors.progress_csv.writer import write_progress
    from connectors.session_log.writer import write_tutors
    from testkit.season import run_season
    from testkit.synthetic import DistrictSpec, build_district

    started = time.perf_counter()
    echo(f"    building a synthetic district of {students:,} students (seed {seed})")
    spec = DistrictSpec(students=students, seed=seed)
    district = build_district(spec)
    out.mkdir(parents=True, exist_ok=True)
    [package] = write_oneroster(district, out)
    tutors_file = write_tutors(district, out / "sessions")
    echo("    running the season as the hub decides it, cycle by cycle")
    season, _ = run_season(district, package, tutors_file, demo_as_of(spec.school_year), echo)
    written = [package, tutors_file, *season.write(out / "sessions")]
    written += write_progress(season, out / "progress")
    echo("    writing i-Ready and MAP Growth exports for fall, winter and spring")
    written += write_iready(district, out / "iready")
    written += write_map(district, out / "map")
    echo(f"    done in {time.perf_counter() - started:.1f} s")
    return written


def _fresh_directory(directory: Path, echo: Echo) -> None:
    """Rebuild a demo folder, keeping its Dagster run history so the UI shows every demo night."""
    if directory.exists() and any(directory.iterdir()):
        if not (directory / MARKER).exists():
            raise FileExistsError(
                f"{directory} exists and is not a tutorhub demo folder; choose another --dir"
            )
        echo(f"    {directory} holds an earlier demo: replacing its exports, warehouse, reports and "
             f"hub.yaml; keeping its Dagster run history ({KEPT})")  # fmt: skip
        _remove_all_but(directory, {MARKER, KEPT.parent.name})
        if (directory / KEPT.parent).is_dir():
            _remove_all_but(directory / KEPT.parent, {KEPT.name})
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).write_text(
        f"made by `tutorhub demo`; the next one rebuilds everything here but {KEPT}\n"
    )


def _remove_all_but(folder: Path, keep: set[str]) -> None:
    for child in folder.iterdir():
        if child.name not in keep:
            shutil.rmtree(child) if child.is_dir() else child.unlink()


def demo_config(
    directory: Path, canvas_url: str | None, as_of: date, part_students: int | None = None
) -> Path:
    """hub.yaml for the demo district: every built-in source, a files drop and, while the demo's fake
    Canvas runs, that Canvas. ``part_students``: the district's, when given (a small one runs the steps
    that work in student parts in many).

    The schedule starts stopped: a demo folder should not start nights on its own when the UI opens.
    """
    connectors = [
        {"name": "roster", "type": "oneroster_csv", "settings": {"path": "drop/oneroster-1.2-bulk.zip"}},
        {"name": "iready", "type": "iready", "settings": {"path": "drop/iready"}},
        {"name": "map", "type": "nwea_map", "settings": {"path": "drop/map"}},
        {"name": "sessions", "type": "session_log", "settings": {"path": "drop/sessions"}},
        {"name": "progress", "type": "progress_csv", "settings": {"path": "drop/progress"}},
        {"name": "sftp_drop", "type": "files", "settings": {"directory": "exports"}},
    ]
    if canvas_url is not None:
        canvas_settings = {"base_url": canvas_url, "token": {"env": CANVAS_TOKEN_VARIABLE}}
        connectors.insert(
            5, {"name": "canvas", "type": "canvas", "settings": {**canvas_settings, "gradebook_column": True}}
        )
    config = {
        "data_dir": "data",
        "districts": [
            {
                "id": DISTRICT,
                "name": "Demo Unified School District",
                "timezone": "America/Chicago",
                "schedule": "0 2 * * *",
                "schedule_status": "stopped",
                "drop_folder": "drop",
                "as_of": as_of.isoformat(),
                "connectors": connectors,
                **({} if part_students is None else {"part_students": part_students}),
            }
        ],
    }
    path = directory / "hub.yaml"
    header = (
        ""
        if canvas_url
        else (
            "# Written by `tutorhub demo`. Its fake Canvas stopped with it, so later nights send their\n"
            "# reports to the files destination (exports/) only.\n"
        )
    )
    path.write_text(header + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def _landed(hub: HubConfig, echo: Echo) -> None:
    from hub.pipeline.context import DistrictRun
    from hub.plugins import installed

    run = DistrictRun(hub, hub.district(DISTRICT), installed())
    try:
        for table in (
            "person", "section", "enrollment", "assessment_result", "skill_gap", "tier_assignment",
            "tutoring_group", "group_membership", "tutoring_session", "session_attendance",
            "progress_point", "progress_goal",
        ):  # fmt: skip
            echo(f"    {table:<20} {run.warehouse.count(table, DISTRICT):>10,} rows")
    finally:
        run.close()


def run_demo(students: int, seed: int, directory: Path, echo: Echo, part_students: int | None = None) -> int:
    require_testkit()
    from cli.night import run_districts
    from testkit.fakes.canvas import FakeCanvas
    from testkit.synthetic import DistrictSpec

    directory = directory.resolve()
    os.environ.pop("DAGSTER_HOME", None)  # the demo runs on the embedded instance, whatever the shell names
    _fresh_directory(directory, echo)
    echo("1/4 writing the synthetic district's exports")
    write_demo_data(students, seed, directory / "drop", echo)
    as_of = demo_as_of(DistrictSpec(students=students, seed=seed).school_year)
    with FakeCanvas(create_unknown_courses=True) as canvas:
        os.environ[CANVAS_TOKEN_VARIABLE] = canvas.token
        hub = load_hub_config(demo_config(directory, canvas.url, as_of, part_students))
        echo(f"2/4 running the night through Dagster, as of {as_of} (a fake Canvas listens on {canvas.url})")
        started = time.perf_counter()
        [outcome] = run_districts(hub, [DISTRICT])
        pages = len(canvas.pages)
    hub = load_hub_config(demo_config(directory, None, as_of, part_students))  # the fake Canvas is gone
    echo(f"    {'done' if outcome.success else 'FAILED'} in {time.perf_counter() - started:.1f} s "
         f"(Dagster run {outcome.run_id})")  # fmt: skip
    for message in outcome.failures + outcome.checks_failed:
        echo(f"    {message}")
    echo("3/4 what landed")
    _landed(hub, echo)
    echo(f"    Canvas pages pushed: {pages}")
    echo("4/4 where to look")
    reports = hub.district(DISTRICT).data_path(hub.data_dir) / "reports"
    dashboards = sorted((reports / "school").glob("*.html"))
    echo(f"    reports:            {reports}")
    if dashboards:
        echo(f"    a school dashboard: {dashboards[0]}")
    packets = sorted((reports / "review_packet").glob("*.html"))
    if packets:
        echo(f"    a review packet:    {packets[0]}")
    tutorhub = _command_path()
    echo(f"    in {directory} (hub.yaml is there; its schedule starts stopped, reports now go to exports/):")
    echo(f"        cd {directory}")
    echo(f"        {tutorhub} ui            # the Dagster UI (lineage, checks, runs); Ctrl-C stops it")
    echo(f"        {tutorhub} check         # prove hub.yaml can run")
    echo(f"        {tutorhub} sync          # run the night again")
    echo(f"        {tutorhub} push --dry-run  # what the reports would send")
    return 0 if outcome.success else 1


def _command_path() -> str:
    """``tutorhub`` as it can be typed without activating the venv this process runs from."""
    beside = Path(sys.executable).with_name("tutorhub")
    return str(beside) if beside.exists() else "tutorhub"
