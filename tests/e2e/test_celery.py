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
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml
from sqlalchemy import Connection, create_engine, func, select, text

from cli.demo import write_demo_data
from cli.night import run_districts
from hub.model import sql_table
from hub.settings import HubConfig, load_hub_config
from hub.warehouse import Warehouse
from testkit.fakes.canvas import FakeCanvas
from tests.conftest import fresh_postgres_database
from tests.e2e.celery_profile import BIN, Profile, celery_profile, district_file, require_broker, wait_for

DISTRICTS = [f"district_{n:02}" for n in range(10)]
PUSH_VICTIM = DISTRICTS[3]  # its worker is killed in the middle of its push to Canvas
APPLY_VICTIM = DISTRICTS[
    6
]  # its worker is killed in the middle of its roster apply, in a database of its own
ROSTER_TABLES = ("school", "section", "person", "enrollment", "person_identifier")
STUDENTS = 50
DECISIONS = ("skill_gap", "tier_assignment", "tutoring_group", "group_membership")
DECIDING = [  # the steps that write DECISIONS: the reference runs stop there
    *("roster_extract", "roster", "diagnostics_extract", "assessment_results", "skill_gaps"),
    *("sessions_extract", "tutoring_sessions", "tiers", "tutoring_groups", "group_memberships"),
]
CONFIRMED_BEFORE_KILL = 4
HANG_CAP_SECONDS = 3600  # waits end on what they wait for; this only stops a hung night hanging CI
TOKEN_VARIABLE = "TUTORHUB_TEST_PUSH_VICTIM_CANVAS_TOKEN"
REEXECUTE = Path(__file__).with_name("celery_reexecute.py")


def canvas_connector(url: str) -> dict[str, Any]:
    return {
        "name": "canvas",
        "type": "canvas",
        "settings": {"base_url": url, "token": {"env": TOKEN_VARIABLE}},
    }


def celery_workers_of(instance: dg.DagsterInstance, run_id: str) -> set[str]:
    """The Celery workers that ran the run's steps, as Dagster's engine events name them."""
    events = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT).records
    workers = {
        record.event_log_entry.dagster_event.engine_event_data.metadata["Celery worker"].value
        for record in events
        if "in celery worker" in record.event_log_entry.message
    }
    assert workers, f"run {run_id} ran no step on a Celery worker"
    return workers


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
    runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/backfill": backfill_id}))
    by_district = {run.tags["dagster/partition"]: run for run in runs}
    return by_district if len(by_district) == len(DISTRICTS) and all(r.is_finished for r in runs) else None


def kill_the_worker_running(
    profile: Profile, instance: dg.DagsterInstance, district_id: str, step: str
) -> str:
    """SIGKILL the Celery worker process running ``step`` of the district's night; return the worker."""
    run_ids = {
        run.run_id
        for run in instance.get_runs(filters=dg.RunsFilter(tags={"dagster/partition": district_id}))
    }
    app = profile.celery_app()
    for _ in range(30):
        for worker, tasks in (app.control.inspect(timeout=2).active() or {}).items():
            for task in tasks:
                text = json.dumps(task.get("kwargs"), default=str)
                if f'"{step}"' in text and any(run_id in text for run_id in run_ids):
                    os.kill(task["worker_pid"], signal.SIGKILL)
                    return worker
    raise AssertionError(f"no worker was found running {district_id}'s {step} step")


def await_in_night(
    instance: dg.DagsterInstance, district_id: str, what: str, reached: Callable[[], bool]
) -> None:
    """Wait until ``reached``, for as long as the district's night is still going.

    Ten nights on two workers may take any time to get there on a loaded machine, so the wait ends when
    the night does (it cannot get there any more), not on a clock; the cap only keeps a hung night from
    hanging the run."""
    deadline = time.monotonic() + HANG_CAP_SECONDS
    while not reached():
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/partition": district_id}))
        if any(run.is_finished for run in runs):
            raise AssertionError(f"{district_id}'s night ended before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{district_id}'s night did not reach {what} in {HANG_CAP_SECONDS} s")
        time.sleep(1)


def kill_mid_push(profile: Profile, instance: dg.DagsterInstance, canvas: FakeCanvas) -> str:
    """When the victim's Canvas holds a page's answer (the page applied, the answer not sent), kill."""
    await_in_night(instance, PUSH_VICTIM, "its push reached the held answer", canvas.stalled.is_set)
    return kill_the_worker_running(profile, instance, PUSH_VICTIM, "report_pushes")


def kill_mid_apply(profile: Profile, instance: dg.DagsterInstance, holder: Connection) -> str:
    """While the roster apply waits on the lock the test holds on sync_run, its last insert, every roster
    row already written in its open transaction: kill, then let go of the lock."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO sync_run%'"
    )
    probe = create_engine(holder.engine.url)

    def blocked() -> bool:
        with probe.connect() as connection:
            return bool(connection.execute(waiting).scalar_one())

    try:
        await_in_night(instance, APPLY_VICTIM, "its roster apply reached its last insert", blocked)
        return kill_the_worker_running(profile, instance, APPLY_VICTIM, "roster")
    finally:
        holder.rollback()
        holder.close()
        probe.dispose()


@pytest.mark.slow
def test_ten_districts_on_two_celery_workers(tmp_path: Path, postgres_url: str) -> None:
    require_broker()
    drops = {}
    for seed, district_id in enumerate(DISTRICTS, start=1):
        drops[district_id] = tmp_path / "drops" / district_id
        write_demo_data(STUDENTS, seed, drops[district_id], echo=lambda _: None)

    with (
        fresh_postgres_database("tutorhub_dagster", driver="postgresql+psycopg2") as dagster_url,
        fresh_postgres_database("tutorhub_apply_victim") as apply_victim_url,
        FakeCanvas(create_unknown_courses=True) as canvas,
        celery_profile(tmp_path / "celery", dagster_url, {TOKEN_VARIABLE: canvas.token}) as profile,
    ):
        os.environ[TOKEN_VARIABLE] = canvas.token
        profile.write(tmp_path / "celery" / "data")
        folder = profile.root / "districts"
        folder.mkdir()
        for district_id in DISTRICTS:
            url = apply_victim_url if district_id == APPLY_VICTIM else postgres_url
            extra = [canvas_connector(canvas.url)] if district_id == PUSH_VICTIM else []
            config = district_file(district_id, drops[district_id], url, *extra)
            (folder / f"{district_id}.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        hub = load_hub_config(profile.hub_path)
        assert hub.executor is not None and hub.executor.type == "celery"
        canvas.stall_after(CONFIRMED_BEFORE_KILL, delay=600)
        Warehouse(apply_victim_url).dispose()  # migrated, as any earlier night leaves it
        holder = create_engine(apply_victim_url).connect()
        holder.execute(text("LOCK TABLE sync_run IN EXCLUSIVE MODE"))  # held until the kill

        logs = [profile.log(name) for name in ("worker_1", "worker_2", "daemon")]
        os.environ["DAGSTER_PG_URL"] = dagster_url
        # the instance's tables made once, as deploy/celery says: processes that start together on an empty
        # instance database race to create them, and the loser exits
        dg.DagsterInstance.from_config(str(profile.home)).dispose()
        profile.start_worker("worker_1")
        profile.start_worker("worker_2")
        profile.start_daemon()
        profile.await_workers(["worker_1", "worker_2"])
        with dg.DagsterInstance.from_config(str(profile.home)) as instance:
            profile.await_partitions(instance, DISTRICTS)  # the districts sensor, in the daemon
            backfill_id = profile.backfill(DISTRICTS, {"dagster/max_retries": "0"})  # re-executed below
            killed: dict[str, str] = {}  # what each killer did: the worker it killed, or why it could not
            killers = [
                threading.Thread(
                    target=_killing, args=(killed, "push", kill_mid_push, profile, instance, canvas)
                ),
                threading.Thread(
                    target=_killing, args=(killed, "apply", kill_mid_apply, profile, instance, holder)
                ),
            ]
            for killer in killers:
                killer.start()

            # Meanwhile, the same districts in this process, each in a SQLite warehouse of its own.
            reference = _reference_hub(tmp_path / "reference", drops)
            with dg.instance_for_test() as scratch:
                outcomes = run_districts(reference, DISTRICTS, instance=scratch, selection=DECIDING)
            assert all(outcome.success for outcome in outcomes), [o.failures for o in outcomes]

            for killer in killers:
                killer.join(timeout=HANG_CAP_SECONDS)
            assert set(killed) == {"push", "apply"} and not any(
                worker.startswith("not killed") for worker in killed.values()
            ), f"workers killed: {killed}"
            canvas.stall_after(None)
            runs = wait_for(
                "the ten nights to finish", lambda: finished(instance, backfill_id), HANG_CAP_SECONDS, logs
            )
            failed = sorted(d for d, run in runs.items() if run.status != dg.DagsterRunStatus.SUCCESS)
            assert failed == sorted([PUSH_VICTIM, APPLY_VICTIM]), (
                f"only the two victims fail; failed: {failed}"
            )

            # Killed in its roster apply, the district's warehouse is exactly as before: nothing of it.
            apply_victim = Warehouse(apply_victim_url)
            try:
                for table in (*ROSTER_TABLES, *DECISIONS):
                    assert apply_victim.count(table, APPLY_VICTIM, active_only=False) == 0, table
            finally:
                apply_victim.dispose()
            # Killed in its push, the district's warehouse is exactly as after: every decision landed.
            assert decisions(hub, PUSH_VICTIM) == decisions(reference, PUSH_VICTIM)
            assert sum(canvas.write_counts("page", "create").values()) == CONFIRMED_BEFORE_KILL + 1

            # Re-executed from failure (as the UI's button does), each night completes, from its failed step.
            for victim, first_step in ((APPLY_VICTIM, "roster"), (PUSH_VICTIM, "report_pushes")):
                rerun = profile.run([sys.executable, str(REEXECUTE), runs[victim].run_id])
                reexecution = instance.get_run_by_id(rerun.strip().splitlines()[-1])
                assert reexecution.status == dg.DagsterRunStatus.SUCCESS, victim
                assert reexecution.parent_run_id == runs[victim].run_id
                done = instance.get_records_for_run(
                    reexecution.run_id, of_type=dg.DagsterEventType.STEP_SUCCESS
                )
                executed = {record.event_log_entry.step_key for record in done.records}
                assert first_step in executed and not executed & {"roster_extract", "sessions_extract"}, (
                    executed
                )

            # `tutorhub sync` on this hub.yaml sends its night's steps to the same workers.
            synced = profile.run([str(BIN / "tutorhub"), "sync", "--district", DISTRICTS[0]])
            run_id = synced.split("(Dagster run ")[1].split(")")[0]
            assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
            names = {
                f"{profile.worker_name(name)}@{socket.gethostname()}" for name in ("worker_1", "worker_2")
            }
            assert celery_workers_of(instance, run_id) <= names
            backfill_workers = set().union(
                *(celery_workers_of(instance, run.run_id) for run in runs.values())
            )
            assert backfill_workers == names, "both workers ran steps of the backfill"

        # Pushes stayed exactly-once across the kill and the re-execution: every page created once; the
        # page whose answer was lost is sent again as an update, never created twice.
        created = canvas.write_counts("page", "create")
        assert set(created.values()) == {1} and len(created) > CONFIRMED_BEFORE_KILL + 1
        assert sum(canvas.write_counts("page", "update").values()) == 1

        # Every district's decisions equal the same district's in process; none holds another's rows.
        for district_id in DISTRICTS:
            assert decisions(hub, district_id) == decisions(reference, district_id), district_id
        shared_districts = [d for d in DISTRICTS if d != APPLY_VICTIM]
        _assert_rows_are_their_districts(postgres_url, reference, shared_districts)
        _assert_rows_are_their_districts(apply_victim_url, reference, [APPLY_VICTIM])
        for district_id in DISTRICTS:
            assert list((folder / "exports" / district_id).glob("school-*.html")), district_id


def _killing(killed: dict[str, str], name: str, kill: Callable[..., str], *args: Any) -> None:
    """Run a killer in its thread, keeping its failure for the test's assertion (a thread's exception
    would otherwise only be printed)."""
    try:
        killed[name] = kill(*args)
    except AssertionError as failure:
        killed[name] = f"not killed: {failure}"


def _assert_rows_are_their_districts(url: str, reference: HubConfig, districts: list[str]) -> None:
    """The database holds rows of these districts only, each as many as the district alone makes."""
    shared = Warehouse(url)
    try:
        with shared.engine.connect() as connection:
            for table in (*DECISIONS, "person", "assessment_result"):
                model = sql_table(table)
                counts = select(model.c.district_id, func.count()).group_by(model.c.district_id)
                by_district = {district: n for district, n in connection.execute(counts)}
                alone = {d: n for d in districts if (n := _count(reference, table, d))}
                assert by_district == alone, table
    finally:
        shared.dispose()


def _count(hub: HubConfig, table: str, district_id: str) -> int:
    house = Warehouse(hub.district(district_id).database_url(hub.data_dir))
    try:
        return house.count(table, district_id, active_only=False)
    finally:
        house.dispose()


def _reference_hub(root: Path, drops: dict[str, Path]) -> HubConfig:
    root.mkdir(parents=True)
    districts = [district_file(d, drops[d], f"sqlite:///{root}/data/{d}/warehouse.db") for d in DISTRICTS]
    config = {"data_dir": "data", "districts": districts}
    (root / "hub.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return load_hub_config(root / "hub.yaml")
