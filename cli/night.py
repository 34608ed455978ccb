"""Running districts' assets through Dagster in process, on the instance the UI reads."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.definitions.reconstruct import ReconstructableRepository

from assets.definitions import ASSETS
from assets.resources import HubResource
from hub.settings import HubConfig

REPO_ROOT = Path(__file__).resolve().parents[1]
CODE_LOCATION_MODULE = "assets.definitions"  # pyproject [tool.dagster] module_name


def dagster_environment(hub: HubConfig) -> dict[str, str]:
    """The variables that point Dagster at its instance: the one DAGSTER_HOME names where the environment
    sets it (a production instance such as deploy/celery's), else the embedded one in the repo root."""
    storage = hub.data_dir / "dagster"
    storage.mkdir(parents=True, exist_ok=True)
    return {
        "DAGSTER_HOME": os.environ.get("DAGSTER_HOME") or str(REPO_ROOT),
        "TUTORHUB_DAGSTER_STORAGE": str(storage),
        "TUTORHUB_CONFIG": str(hub.path),
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }


@dataclass(frozen=True, slots=True)
class DistrictOutcome:
    district_id: str
    success: bool
    run_id: str
    failures: list[str]
    checks_failed: list[str]


def _failures(result: dg.ExecuteInProcessResult | dg.ExecuteJobResult) -> list[str]:
    """One line per failed step: the user-facing description, else the innermost error's message."""
    messages = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data:
            user = event.step_failure_data.user_failure_data
            error = event.step_failure_data.error
            while error is not None and error.cause is not None:
                error = error.cause
            text = (user.description if user and user.description else None) or (
                error.message if error else ""
            )
            messages.append(f"{event.step_key}: {text.strip()}")
    return messages


def hub_instance(hub: HubConfig) -> dg.DagsterInstance:
    """The instance the UI reads (see dagster.yaml)."""
    os.environ.update(dagster_environment(hub))
    return dg.DagsterInstance.get()


def run_districts(
    hub: HubConfig,
    district_ids: list[str],
    *,
    allow_deletions: bool = False,
    instance: dg.DagsterInstance | None = None,
    selection: list[str] | None = None,
) -> list[DistrictOutcome]:
    """Materialize every asset of each district, one run per district, recorded on the instance."""
    from assets.partitions import DISTRICTS

    instance = instance or hub_instance(hub)
    known = set(instance.get_dynamic_partitions(DISTRICTS.name))
    missing = [district_id for district_id in district_ids if district_id not in known]
    if missing:
        instance.add_dynamic_partitions(DISTRICTS.name, missing)
    resource = HubResource(config_path=str(hub.path), allow_deletions=allow_deletions)
    tags = {"tutorhub/trigger": "cli", "tutorhub/allow_deletions": str(allow_deletions).lower()}
    outcomes = []
    for district_id in district_ids:
        with _night(hub, district_id, instance, resource, selection, tags) as result:
            outcomes.append(_outcome(district_id, result))
    return outcomes


@contextmanager
def _night(
    hub: HubConfig,
    district_id: str,
    instance: dg.DagsterInstance,
    resource: HubResource,
    selection: list[str] | None,
    tags: dict[str, str],
) -> Iterator[dg.ExecuteInProcessResult | dg.ExecuteJobResult]:
    """One district's night: in this process on the embedded default; where hub.yaml names an executor,
    the code location's ``night`` job, rebuilt by import wherever that executor runs its steps (Celery
    workers), with this run's resource settings passed as run config."""
    run_config: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    if hub.executor is None:
        yield dg.materialize(
            ASSETS,
            instance=instance,
            partition_key=district_id,
            resources={"hub": resource},
            raise_on_error=False,
            selection=selection,
            run_config=run_config,
            tags=tags,
        )
        return
    run_config["resources"] = {"hub": {"config": resource.model_dump()}}
    # dagster-celery registers its step task again for every step it sends; Celery warns each time.
    warnings.filterwarnings("ignore", message="Task name 'execute_plan' is already registered")
    night = ReconstructableRepository.for_module(CODE_LOCATION_MODULE, "defs", str(REPO_ROOT))
    with dg.execute_job(
        night.get_reconstructable_job("night"),
        instance,
        run_config=run_config,
        tags={**tags, "dagster/partition": district_id},
        raise_on_error=False,
        asset_selection=[dg.AssetKey(name) for name in selection] if selection else None,
    ) as result:
        yield result


def _outcome(district_id: str, result: dg.ExecuteInProcessResult | dg.ExecuteJobResult) -> DistrictOutcome:
    checks_failed = [
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed
    ]
    return DistrictOutcome(
        district_id, result.success and not checks_failed, result.run_id, _failures(result), checks_failed
    )
