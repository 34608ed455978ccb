"""The code location loads, and a district's roster materializes through Dagster with its checks."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import yaml

from assets.definitions import build_definitions
from cli.night import run_districts
from hub.pipeline.context import DistrictRun
from hub.plugins import installed
from hub.settings import HubConfig, load_hub_config


def test_definitions_load_with_schedules_per_district(sample_hub: HubConfig) -> None:
    defs = build_definitions(sample_hub.path)
    dg.Definitions.validate_loadable(defs)
    schedule = defs.resolve_schedule_def("nightly_grand_bend")
    assert schedule.execution_timezone == "America/Chicago" and schedule.cron_schedule == "0 2 * * *"
    assert schedule.job_name == "night" and schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert {s.name for s in defs.sensors} == {"districts_from_hub_yaml", "vendor_files_landed"}
    graph = defs.resolve_asset_graph()
    assert dg.AssetKey("roster_extract") in graph.get(dg.AssetKey("roster")).parent_keys


def test_a_district_may_start_its_schedule_stopped(tmp_path: Path, sample_hub: HubConfig) -> None:
    raw = yaml.safe_load(sample_hub.path.read_text())
    raw["districts"][0]["schedule_status"] = "stopped"
    sample_hub.path.write_text(yaml.safe_dump(raw))
    schedule = build_definitions(sample_hub.path).resolve_schedule_def("nightly_grand_bend")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_the_night_job_retries_only_inside_steps(sample_hub: HubConfig) -> None:
    defs = build_definitions(sample_hub.path)
    night = defs.resolve_job_def("night")
    assert night.tags["dagster/retry_on_asset_or_op_failure"] == "false"
    for step in ("roster", "assessment_results", "tiers"):  # every step, not only the extracts
        own = defs.resolve_assets_def(step).op.retry_policy  # a step's own policy would win over the job's
        policy = own or night.op_retry_policy
        assert policy is not None and policy.max_retries == 2


def test_district_partitions_follow_hub_yaml(sample_hub: HubConfig, instance: dg.DagsterInstance) -> None:
    defs = build_definitions(sample_hub.path)
    sensor = defs.resolve_sensor_def("districts_from_hub_yaml")
    result = sensor(dg.build_sensor_context(instance=instance))
    [request] = result.dynamic_partitions_requests
    assert request.partition_keys == ["grand_bend"]


def test_roster_materializes_from_the_real_sample(
    sample_hub: HubConfig, instance: dg.DagsterInstance
) -> None:
    [outcome] = run_districts(sample_hub, ["grand_bend"], instance=instance)
    assert outcome.success, outcome.failures + outcome.checks_failed
    assert instance.get_run_by_id(outcome.run_id).job_name == "night"  # as the UI lists it
    run = DistrictRun(sample_hub, sample_hub.district("grand_bend"), installed())
    try:
        people = run.warehouse.read("person", "grand_bend")
        roles = sorted(people.column("role").to_pylist())
        assert roles.count("student") == 8 and roles.count("teacher") == 2
        assert run.warehouse.count("enrollment", "grand_bend") == 24
    finally:
        run.close()
    materialized = instance.get_latest_materialization_event(dg.AssetKey("roster"))
    assert materialized is not None
    assert materialized.asset_materialization.metadata["dagster/row_count"].value > 0


def test_new_vendor_files_start_a_run(
    sample_hub: HubConfig, instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    config = yaml.safe_load(sample_hub.path.read_text())
    config["districts"][0]["drop_folder"] = str(drop)
    sample_hub.path.write_text(yaml.safe_dump(config))
    hub = load_hub_config(sample_hub.path)
    instance.add_dynamic_partitions("districts", ["grand_bend"])
    sensor = build_definitions(hub.path).resolve_sensor_def("vendor_files_landed")
    settled = time.time() - 3600

    def land(name: str) -> None:
        (drop / name).write_text("sourcedId\n")
        os.utime(drop / name, (settled, settled))

    land("users.csv")
    first = sensor(dg.build_sensor_context(instance=instance))
    assert first.run_requests == []  # what was there at start is the schedule's
    same = sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))
    assert same.run_requests == []
    land("enrollments.csv")
    landed = sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))
    [request] = landed.run_requests
    assert request.partition_key == "grand_bend"
    (drop / "classes.csv").write_text("still uploading")  # written just now: not settled
    waiting = sensor(dg.build_sensor_context(instance=instance, cursor=landed.cursor))
    assert waiting.run_requests == []
