"""Ten districts' nights on Dagster's Celery executor, as deploy/celery configures it: the instance and
the warehouse on PostgreSQL, the queued run coordinator, two dagster-celery workers and the daemon as
processes of their own, the districts in a folder of district files, the nights started as a backfill.

It proves what a state-wide hub relies on: every district's decisions equal those of the same district
run in process; no district holds another's rows; a worker killed in the middle of a district's push
leaves that district's warehouse complete, and a re-execution from failure finishes the push with every
page created exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml
from dagster._core.storage.dagster_run import RunsFilter
from sqlalchemy import func, select

from cli.demo import write_demo_data
from cli.night import run_districts
from connectors.canvas.fake import FakeCanvas
from hub.model import sql_table
from hub.settings import HubConfig, load_hub_config
from hub.warehouse import Warehouse
from tests.conftest import fresh_postgres_database
from tests.e2e.celery_profile import BIN, Profile, celery_profile, require_broker, wait_for

DISTRICTS = [f"district_{n:02}" for n in range(10)]
VICTIM = DISTRICTS[3]
STUDENTS = 50
DECISIONS = ("skill_gap", "tier_assignment", "tutoring_group", "group_membership")
DECIDING = [  # the steps that write DECISIONS: the reference runs stop there
    *("roster_extract", "roster", "diagnostics_extract", "assessment_results", "skill_gaps"),
    *("sessions_extract", "tutoring_sessions", "tiers", "tutoring_groups", "group_memberships"),
]
CONFIRMED_BEFORE_KILL = 4
TOKEN_VARIABLE = "TUTORHUB_TEST_VICTIM_CANVAS_TOKEN"
REEXECUTE = Path(__file__).with_name("celery_reexecute.py")


def district_file(district_id: str, drop: Path, warehouse_url: str | None, canvas_url: str | None) -> dict:
    connectors: list[dict[str, Any]] = [
        {
            "name": "roster",
            "type": "oneroster_csv",
            "settings": {"path": str(drop / "oneroster-1.2-bulk.zip")},
        },
        {"name": "iready", "type": "iready", "settings": {"path": str(drop / "iready")}},
        {"name": "map", "type": "nwea_map", "settings": {"path": str(drop / "map")}},
        {"name": "sessions", "type": "session_log", "settings": {"path": str(drop / "sessions")}},
        {"name": "sftp_drop", "type": "files", "settings": {"directory": "exports"}},
    ]
    if canvas_url:
        settings = {"base_url": canvas_url, "token": {"env": TOKEN_VARIABLE}}
        connectors.append({"name": "canvas", "type": "canvas", "settings": settings})
    district = {"id": district_id, "name": district_id.replace("_", " ").title(), "as_of": "2026-06-01"}
    return {
        **district,
        **({"warehouse_url": warehouse_url} if warehouse_url else {}),
        "connectors": connectors,
    }


def decisions(hub: HubConfig, district_id: str) -> dict[str, list[dict[str, Any]]]:
    """The district's decision tables as rows, sorted, without the time each row was written."""
    house = Warehouse(hub.district(district_id).database_url(hub.data_dir))
    try:
        tables = {}
        for table in DECISIONS:
            rows = house.read(table, district_id).drop_columns(["synced_at"]).to_pylist()
            tables[table] = sorted((_comparable(row) for row in rows), key=lambda row: row["source_id"])
        return tables
    finally:
        house.dispose()


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.astimezone(UTC).replace(tzinfo=None)
        if isinstance(value, datetime) and value.tzinfo
        else value
        for key, value in row.items()
    }


def finished(instance: dg.DagsterInstance, backfill_id: str) -> dict[str, dg.DagsterRun] | None:
    """The backfill's runs by district once all ten are finished."""
    runs = instance.get_runs(filters=RunsFilter(tags={"dagster/backfill": backfill_id}))
    by_district = {run.tags["dagster/partition"]: run for run in runs}
    return by_district if len(by_district) == len(DISTRICTS) and all(r.is_finished for r in runs) else None


def kill_the_worker_pushing(profile: Profile, canvas: FakeCanvas, instance: dg.DagsterInstance) -> dict:
    """When the victim's Canvas holds a page's answer, SIGKILL the worker process running that step."""
    assert canvas.stalled.wait(timeout=600), "the victim's push never reached the held answer"
    victim_runs = instance.get_runs(filters=RunsFilter(tags={"dagster/partition": VICTIM}))
    run_ids = {run.run_id for run in victim_runs}
    app = profile.celery_app()
    for _ in range(30):
        for worker, tasks in (app.control.inspect(timeout=2).active() or {}).items():
            for task in tasks:
                text = json.dumps(task.get("kwargs"), default=str)
                if "report_pushes" in text and any(run_id in text for run_id in run_ids):
                    os.kill(task["worker_pid"], signal.SIGKILL)
                    return {"worker": worker, "pid": task["worker_pid"]}
    raise AssertionError("no worker was found running the victim's report_pushes step")


@pytest.mark.slow
def test_ten_districts_on_two_celery_workers(tmp_path: Path, postgres_url: str) -> None:
    require_broker()
    drops = {}
    for seed, district_id in enumerate(DISTRICTS, start=1):
        drops[district_id] = tmp_path / "drops" / district_id
        write_demo_data(STUDENTS, seed, drops[district_id], echo=lambda _: None)

    with (
        fresh_postgres_database("tutorhub_dagster", driver="postgresql+psycopg2") as dagster_url,
        FakeCanvas(create_unknown_courses=True) as canvas,
        celery_profile(tmp_path / "celery", dagster_url, {TOKEN_VARIABLE: canvas.token}) as profile,
    ):
        os.environ[TOKEN_VARIABLE] = canvas.token
        profile.write(tmp_path / "celery" / "data")
        folder = profile.root / "districts"
        folder.mkdir()
        for district_id in DISTRICTS:
            url = canvas.url if district_id == VICTIM else None
            config = district_file(district_id, drops[district_id], postgres_url, url)
            (folder / f"{district_id}.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        hub = load_hub_config(profile.hub_path)
        assert hub.executor is not None and hub.executor.type == "celery"
        canvas.stall_after(CONFIRMED_BEFORE_KILL, delay=600)

        logs = [profile.log(name) for name in ("worker_1", "worker_2", "daemon")]
        profile.start_worker("worker_1")
        profile.start_worker("worker_2")
        profile.start_daemon()
        os.environ["DAGSTER_PG_URL"] = dagster_url
        with dg.DagsterInstance.from_config(str(profile.home)) as instance:
            # The districts sensor, in the daemon, adds a partition per district file.
            wait_for(
                "the districts sensor to add every district file's partition",
                lambda: set(instance.get_dynamic_partitions("districts")) == set(DISTRICTS) or None,
                180,
                logs,
            )
            backfill = [str(BIN / "dagster"), "job", "backfill", "-m", "assets.definitions", "-j", "night"]
            backfill += ["--partitions", ",".join(DISTRICTS), "--noprompt"]
            backfill += ["--tags", json.dumps({"dagster/max_retries": "0"})]  # the re-execution is the retry
            launched = profile.run(backfill)
            backfill_id = launched.split("Launched backfill job `")[1].split("`")[0]
            killed: dict = {}
            killer = threading.Thread(
                target=lambda: killed.update(kill_the_worker_pushing(profile, canvas, instance)), daemon=True
            )
            killer.start()

            # Meanwhile, the same districts in this process, each in a SQLite warehouse of its own.
            reference = _reference_hub(tmp_path / "reference", drops)
            with dg.instance_for_test() as scratch:
                outcomes = run_districts(reference, DISTRICTS, instance=scratch, selection=DECIDING)
            assert all(outcome.success for outcome in outcomes), [o.failures for o in outcomes]

            killer.join(timeout=600)
            assert killed, "the victim's worker was not killed"
            canvas.stall_after(None)
            runs = wait_for("the ten nights to finish", lambda: finished(instance, backfill_id), 600, logs)
            failed = sorted(d for d, run in runs.items() if run.status != dg.DagsterRunStatus.SUCCESS)
            assert failed == [VICTIM], f"only the victim's night fails; failed: {failed}"
            assert all(run.tags.get("dagster/backfill") == backfill_id for run in runs.values())

            # Killed in its push, the victim's warehouse is complete: every decision already landed.
            assert decisions(hub, VICTIM) == decisions(reference, VICTIM)
            pushed_before = canvas.write_counts("page", "create")
            assert sum(pushed_before.values()) == CONFIRMED_BEFORE_KILL + 1  # the in-flight page landed

            rerun = profile.run([sys.executable, str(REEXECUTE), runs[VICTIM].run_id])
            reexecution = instance.get_run_by_id(rerun.strip().splitlines()[-1])
            assert reexecution.status == dg.DagsterRunStatus.SUCCESS
            assert reexecution.parent_run_id == runs[VICTIM].run_id
            executed = {
                record.event_log_entry.step_key
                for record in instance.get_records_for_run(
                    reexecution.run_id, of_type=dg.DagsterEventType.STEP_SUCCESS
                ).records
            }
            assert executed == {"report_pushes"}, "only the failed step runs again"

            # `tutorhub sync` on this hub.yaml sends its night's steps to the same workers.
            synced = profile.run([str(BIN / "tutorhub"), "sync", "--district", DISTRICTS[0]])
            run_id = synced.split("(Dagster run ")[1].split(")")[0]
            assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
            engine_events = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
            workers = {
                record.event_log_entry.dagster_event.engine_event_data.metadata["Celery worker"].value
                for record in engine_events.records
                if "in celery worker" in record.event_log_entry.message
            }
            assert workers and workers <= {f"worker_{n}@{socket.gethostname()}" for n in (1, 2)}, workers

        # Pushes stayed exactly-once across the kill and the re-execution: every page created once; the
        # page whose answer was lost is sent again as an update, never created twice.
        created = canvas.write_counts("page", "create")
        assert set(created.values()) == {1} and len(created) > CONFIRMED_BEFORE_KILL + 1
        assert sum(canvas.write_counts("page", "update").values()) == 1

    # Every district's decisions equal the same district's in process; none holds another's rows.
    for district_id in DISTRICTS:
        assert decisions(hub, district_id) == decisions(reference, district_id), district_id
    shared = Warehouse(postgres_url)
    try:
        with shared.engine.connect() as connection:
            for table in (*DECISIONS, "person", "assessment_result"):
                model = sql_table(table)
                counts = select(model.c.district_id, func.count()).group_by(model.c.district_id)
                by_district = {district: n for district, n in connection.execute(counts)}
                alone = {d: _count(reference, table, d) for d in DISTRICTS}
                assert by_district == alone, table
    finally:
        shared.dispose()
    for district_id in DISTRICTS:
        assert list((folder / "exports" / district_id).glob("school-*.html")), district_id


def _count(hub: HubConfig, table: str, district_id: str) -> int:
    house = Warehouse(hub.district(district_id).database_url(hub.data_dir))
    try:
        return house.count(table, district_id, active_only=False)
    finally:
        house.dispose()


def _reference_hub(root: Path, drops: dict[str, Path]) -> HubConfig:
    root.mkdir(parents=True)
    config = {"data_dir": "data", "districts": [district_file(d, drops[d], None, None) for d in DISTRICTS]}
    (root / "hub.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return load_hub_config(root / "hub.yaml")
