"""Running districts' assets through Dagster in process, on the instance the UI reads."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from hub.settings import HubConfig

REPO_ROOT = Path(__file__).resolve().parents[1]


def dagster_environment(hub: HubConfig) -> dict[str, str]:
    """The variables that point Dagster at the embedded instance (dagster.yaml in the repo root)."""
    storage = hub.data_dir / "dagster"
    storage.mkdir(parents=True, exist_ok=True)
    return {
        "DAGSTER_HOME": str(REPO_ROOT),
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


def _failures(result: dg.ExecuteInProcessResult) -> list[str]:
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
    """The embedded instance the UI reads (see dagster.yaml)."""
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
    from assets.definitions import ASSETS
    from assets.partitions import DISTRICTS
    from assets.resources import HubResource

    instance = instance or hub_instance(hub)
    known = set(instance.get_dynamic_partitions(DISTRICTS.name))
    missing = [district_id for district_id in district_ids if district_id not in known]
    if missing:
        instance.add_dynamic_partitions(DISTRICTS.name, missing)
    resource = HubResource(config_path=str(hub.path), allow_deletions=allow_deletions)
    outcomes = []
    for district_id in district_ids:
        result = dg.materialize(
            ASSETS,
            instance=instance,
            partition_key=district_id,
            resources={"hub": resource},
            raise_on_error=False,
            selection=selection,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
            tags={"tutorhub/trigger": "cli", "tutorhub/allow_deletions": str(allow_deletions).lower()},
        )
        checks_failed = [
            f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            for evaluation in result.get_asset_check_evaluations()
            if not evaluation.passed
        ]
        outcomes.append(
            DistrictOutcome(
                district_id,
                result.success and not checks_failed,
                result.run_id,
                _failures(result),
                checks_failed,
            )
        )
    return outcomes
