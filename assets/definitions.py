"""The code location `dagster dev` loads (pyproject [tool.dagster]): a few lines assembling the modules."""

from pathlib import Path

import dagster as dg

from assets.automation import district_partitions_sensor, district_schedules, drop_folder_sensor
from assets.executors import night_executor
from assets.failures import NO_RUN_RETRY_TAGS, RETRY
from assets.night import ASSETS
from assets.resources import HubResource
from hub.settings import ConfigError, HubSettings, load_hub_config


def build_definitions(config_path: Path, *, allow_deletions: bool = False) -> dg.Definitions:
    """The code location for one hub.yaml; ``allow_deletions`` is the CLI's per-run approval."""
    try:
        hub = load_hub_config(config_path, HubSettings())
    except ConfigError:
        hub = None  # the partitions sensor reports the config error in the UI
    executor = night_executor(hub.executor) if hub else None
    night = dg.define_asset_job(
        "night",
        selection=dg.AssetSelection.all(),
        executor_def=executor,
        op_retry_policy=RETRY,
        tags=NO_RUN_RETRY_TAGS,
        description="A district's whole night: read, normalize, apply, decide, report, push.",
    )
    schedules = district_schedules(hub, night.name) if hub else []
    return dg.Definitions(
        assets=ASSETS,
        jobs=[night],
        schedules=schedules,
        sensors=[district_partitions_sensor(config_path), drop_folder_sensor(config_path, night.name)],
        resources={
            "hub": HubResource(config_path=str(config_path.resolve()), allow_deletions=allow_deletions)
        },
    )


defs = build_definitions(HubSettings().config)


def night_job() -> dg.JobDefinition:
    """The night job as a process that runs its steps elsewhere (a Celery worker, a re-execution) rebuilds
    it by import (``dg.reconstructable(night_job)``): from the hub.yaml TUTORHUB_CONFIG names."""
    return defs.resolve_job_def("night")
