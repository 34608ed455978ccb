"""``tutorhub demo-data`` and ``tutorhub demo``: a synthetic district, written and then run for a night."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import yaml

from hub.settings import HubConfig, load_hub_config

Echo = Callable[[str], None]
MARKER = ".tutorhub-demo"  # a demo directory carries this, so `demo` only ever wipes its own folders
CANVAS_TOKEN_VARIABLE = "TUTORHUB_DEMO_CANVAS_TOKEN"
DISTRICT = "demo"
KEPT = Path("data/dagster")  # the Dagster instance's storage under the demo's data_dir


def write_demo_data(students: int, seed: int, out: Path, echo: Echo) -> list[Path]:
    """Roster, tutors, a season of session logs for the hub's own first groups, and diagnostics that respond
    to the dosage those groups received.

    Tutors log sessions against the groups the hub formed, so the season is simulated for the groups the
    night will form at its first cycle boundary that sees a test. They are foreseen the way the night
    decides them: untutored diagnostics go to a scratch folder and are read back through the connectors
    and the hub's own functions, with the policies of a district that overrides none. That boundary sees
    only fall tests, which tutoring has not moved yet, so the night, reading the final exports, agrees.
    """
    import tempfile
    from bisect import bisect_right

    import pyarrow as pa
    import pyarrow.compute as pc

    from connectors.iready import IReadyConfig, IReadySource
    from connectors.iready.writer import write_iready
    from connectors.nwea_map import MapConfig, MapSource
    from connectors.nwea_map.writer import write_map
    from connectors.oneroster_csv import OneRosterCsvConfig, OneRosterCsvSource
    from connectors.oneroster_csv.writer import write_oneroster
    from connectors.session_log import SessionLogConfig, SessionLogSource
    from connectors.session_log.writer import simulate_tutoring, write_tutors
    from hub.diagnostics import (
        DiagnosticsPolicy,
        active_identifiers,
        mark_test_of_record,
        match_students,
        skill_gaps,
    )
    from hub.model import students_of
    from hub.pipeline.diagnostics import FILE_COLUMN
    from hub.pipeline.tutoring import replay_boundaries, school_year_of
    from hub.synthetic import DistrictSpec, build_district
    from hub.tutoring import TutoringPolicy, open_memberships, plan_cycles

    started = time.perf_counter()
    echo(f"    building a synthetic district of {students:,} students (seed {seed})")
    district = build_district(DistrictSpec(students=students, seed=seed))
    out.mkdir(parents=True, exist_ok=True)
    [package] = write_oneroster(district, out)
    tutors_file = write_tutors(district, out / "sessions")
    echo("    reading the fall tests back as the night will, to find the groups the hub forms first")
    diagnostics, tutoring = DiagnosticsPolicy(), TutoringPolicy()
    roster_source = OneRosterCsvSource(OneRosterCsvConfig(path=package))
    roster = roster_source.normalize(roster_source.read()).tables
    tutors_source = SessionLogSource(SessionLogConfig(path=tutors_file))
    tutors = tutors_source.normalize(tutors_source.read()).tables["tutor_profile"]
    identifiers = active_identifiers(roster["person_identifier"], roster["person"])
    with tempfile.TemporaryDirectory(prefix="tutorhub-demo-") as scratch:
        iready_dir, map_dir = Path(scratch) / "iready", Path(scratch) / "map"
        write_iready(district, iready_dir)
        write_map(district, map_dir)
        sources = (IReadySource(IReadyConfig(path=iready_dir)), MapSource(MapConfig(path=map_dir)))
        batches = [source.normalize(source.read()).tables for source in sources]
    matched = [
        match_students(
            batch["assessment_result"], identifiers, diagnostics.id_precedence, file_column=FILE_COLUMN
        )
        for batch in batches
    ]
    results = mark_test_of_record(
        pa.concat_tables([outcome.results for outcome in matched], promote_options="default"),
        rapid_guessing_threshold=diagnostics.rapid_guessing_threshold,
    )
    first_test = pc.min(results["test_date"]).as_py()
    cycles = plan_cycles(*school_year_of(roster["academic_session"], first_test), tutoring.cycle_weeks)
    starts = sorted(cycles["start_date"].to_pylist())
    people = roster["person"]
    domains = pa.concat_tables([batch["domain_result"] for batch in batches])
    grouping = replay_boundaries(
        results,
        domains,
        students_of(people),
        tutors,
        cycles,
        starts[: bisect_right(starts, first_test) + 1],  # the night's boundaries, up to the first with a test
        tutoring,
        skill_gaps(results, domains, diagnostics.gap_thresholds),
    )
    season = simulate_tutoring(
        district, groups=grouping.groups, members=open_memberships(grouping.memberships)
    )
    echo(f"    simulated a season of tutoring for the hub's {season.groups.num_rows:,} tutored groups")
    district.tutoring_effect = season.effect  # growth responds to dosage
    written = [package, tutors_file, *season.write(out / "sessions")]
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


def demo_config(directory: Path, canvas_url: str | None, as_of: date) -> Path:
    """hub.yaml for the demo district: every built-in source, a files drop and, while the demo's fake
    Canvas runs, that Canvas.

    The schedule starts stopped: a demo folder should not start nights on its own when the UI opens.
    """
    connectors = [
        {"name": "roster", "type": "oneroster_csv", "settings": {"path": "drop/oneroster-1.2-bulk.zip"}},
        {"name": "iready", "type": "iready", "settings": {"path": "drop/iready"}},
        {"name": "map", "type": "nwea_map", "settings": {"path": "drop/map"}},
        {"name": "sessions", "type": "session_log", "settings": {"path": "drop/sessions"}},
        {"name": "sftp_drop", "type": "files", "settings": {"directory": "exports"}},
    ]
    if canvas_url is not None:
        canvas_settings = {"base_url": canvas_url, "token": {"env": CANVAS_TOKEN_VARIABLE}}
        connectors.insert(
            4, {"name": "canvas", "type": "canvas", "settings": {**canvas_settings, "gradebook_column": True}}
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
        ):  # fmt: skip
            echo(f"    {table:<20} {run.warehouse.count(table, DISTRICT):>10,} rows")
    finally:
        run.close()


def run_demo(students: int, seed: int, directory: Path, echo: Echo) -> int:
    from cli.night import run_districts
    from connectors.canvas.fake import FakeCanvas
    from hub.synthetic import DistrictSpec

    directory = directory.resolve()
    _fresh_directory(directory, echo)
    echo("1/4 writing the synthetic district's exports")
    write_demo_data(students, seed, directory / "drop", echo)
    as_of = date(DistrictSpec(students=students, seed=seed).school_year, 6, 1)
    with FakeCanvas(create_unknown_courses=True) as canvas:
        os.environ[CANVAS_TOKEN_VARIABLE] = canvas.token
        hub = load_hub_config(demo_config(directory, canvas.url, as_of))
        echo(f"2/4 running the night through Dagster, as of {as_of} (a fake Canvas listens on {canvas.url})")
        started = time.perf_counter()
        [outcome] = run_districts(hub, [DISTRICT])
        pages = len(canvas.pages)
    hub = load_hub_config(demo_config(directory, None, as_of))  # the fake Canvas is gone
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
