"""Schedules and sensors: each district's night at its own local time, and runs when vendor files land."""

import hashlib
import json
import time
from pathlib import Path

import dagster as dg

from assets.partitions import DISTRICTS
from hub.settings import ConfigError, HubConfig, HubSettings, load_hub_config

SETTLE_SECONDS = 60  # a file still being written by SFTP is not read until it has been quiet this long


def district_schedules(hub: HubConfig, job_name: str) -> list[dg.ScheduleDefinition]:
    """One schedule per district, starting the job ``job_name`` (the night) for its partition."""
    schedules = []
    for district in hub.districts.values():

        @dg.schedule(
            name=f"nightly_{district.id}",
            cron_schedule=district.schedule,
            execution_timezone=district.timezone,
            job_name=job_name,
            default_status=dg.DefaultScheduleStatus(district.schedule_status.upper()),
            description=f"The night for {district.name}, at {district.schedule} {district.timezone}.",
        )
        def _nightly(context: dg.ScheduleEvaluationContext, district_id: str = district.id) -> dg.RunRequest:
            stamp = context.scheduled_execution_time.isoformat()
            return dg.RunRequest(partition_key=district_id, run_key=f"{district_id}:{stamp}")

        schedules.append(_nightly)
    return schedules


def district_partitions_sensor(config_path: Path) -> dg.SensorDefinition:
    @dg.sensor(
        name="districts_from_hub_yaml",
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Keeps the district partitions in step with hub.yaml.",
    )
    def _sync(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
        try:
            configured = set(load_hub_config(config_path, HubSettings()).districts)
        except ConfigError as error:
            return dg.SkipReason(str(error))
        known = set(context.instance.get_dynamic_partitions(DISTRICTS.name))
        requests = []
        if configured - known:
            requests.append(DISTRICTS.build_add_request(sorted(configured - known)))
        if known - configured:
            requests.append(DISTRICTS.build_delete_request(sorted(known - configured)))
        return dg.SensorResult(dynamic_partitions_requests=requests)

    return _sync


def _folder_fingerprint(folder: Path) -> str | None:
    """A digest of the settled files in ``folder``; None while any file is still changing."""
    if not folder.is_dir():
        return None
    entries = sorted(path for path in folder.rglob("*") if path.is_file())
    now = time.time()
    digest = hashlib.sha256()
    for path in entries:
        stat = path.stat()
        if now - stat.st_mtime < SETTLE_SECONDS:
            return None
        digest.update(f"{path.relative_to(folder)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest() if entries else None


def drop_folder_sensor(config_path: Path, job_name: str) -> dg.SensorDefinition:
    @dg.sensor(
        name="vendor_files_landed",
        job_name=job_name,
        minimum_interval_seconds=120,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts a district's night when new vendor files have landed in its drop folder.",
    )
    def _landed(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
        try:
            hub = load_hub_config(config_path, HubSettings())
        except ConfigError as error:
            return dg.SkipReason(str(error))
        seen = json.loads(context.cursor) if context.cursor else {}
        known = set(context.instance.get_dynamic_partitions(DISTRICTS.name))
        requests = []
        for district in hub.districts.values():
            if district.drop_folder is None or district.id not in known:
                continue
            fingerprint = _folder_fingerprint(district.drop_folder)
            if fingerprint is None or fingerprint == seen.get(district.id):
                continue
            # The first look at a folder only takes note of it: files already there when the sensor starts
            # are the nightly schedule's, not a reason to start a run the moment the UI comes up.
            if district.id in seen:
                run_key = f"{district.id}:{fingerprint}"
                requests.append(dg.RunRequest(partition_key=district.id, run_key=run_key))
            seen[district.id] = fingerprint
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(seen, sort_keys=True))

    return _landed
