"""Running districts' assets through Dagster in process, on the instance the UI reads."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from hub.settings import HubConfig

REPO_ROOT = Path(__file__).resolve().parents[1]
CODE_LOCATION = "tutorhub"  # as the Dagster UI names the code location
log = logging.getLogger(__name__)


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


def workspace_file(hub: HubConfig) -> Path:
    """A Dagster workspace naming the code location ``tutorhub`` (``-m`` alone would name it after the
    module)."""
    path = hub.data_dir / "dagster" / "workspace.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "load_from:\n"
        "  - python_module:\n"
        "      module_name: assets.definitions\n"
        f"      location_name: {CODE_LOCATION}\n",
        encoding="utf-8",
    )
    return path


def ui_command(hub: HubConfig, port: int) -> list[str]:
    """``dagster dev`` on this hub's instance and workspace, from the same environment as this process."""
    dagster = Path(sys.executable).with_name("dagster")
    return [str(dagster), "dev", "-w", str(workspace_file(hub)), "-p", str(port)]


@dataclass(frozen=True, slots=True)
class DistrictOutcome:
    """What one district's run did: what landed, what failed, and what each failed check refused."""

    district_id: str
    success: bool
    run_id: str
    failures: list[str]
    checks_failed: list[str]
    landed: dict[str, int] = field(default_factory=dict)  # asset -> rows
    refusals: dict[str, str] = field(default_factory=dict)  # failed check -> why, as the check said it


def _failures(result: dg.ExecuteInProcessResult | dg.ExecuteJobResult) -> list[str]:
    """One line per distinct failure: the steps it stopped, then the user-facing description, else the
    innermost error's message. The same check failing in parallel steps is said once.

    The full trace goes to the debug log (and stays in the Dagster event log).
    """
    steps_by_message: dict[str, list[str]] = {}
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data:
            user = event.step_failure_data.user_failure_data
            error = event.step_failure_data.error
            if error is not None:
                log.debug("step %s failed:\n%s", event.step_key, error.to_string())
            if error is not None and error.cls_name == "DagsterAssetCheckFailedError":
                continue  # a blocking check: said once, with its reason, among the refusals
            while error is not None and error.cause is not None:
                error = error.cause
            text = (user.description if user and user.description else None) or (
                error.message if error else ""
            )
            steps_by_message.setdefault(text.strip(), []).append(event.step_key or "?")
    return [f"{', '.join(sorted(steps))}: {message}" for message, steps in steps_by_message.items()]


def _landed(result: dg.ExecuteInProcessResult | dg.ExecuteJobResult) -> dict[str, int]:
    landed = {}
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        rows = materialization.metadata.get("dagster/row_count")
        landed[materialization.asset_key.to_user_string()] = int(rows.value) if rows is not None else 0
    return landed


def _refusal(metadata: Mapping[str, dg.MetadataValue]) -> str:
    """What a failed check wrote for people: its text and Markdown entries, else its figures."""
    texts = [str(value.value) for value in metadata.values() if isinstance(value.value, str)]
    if texts:
        return "\n".join(texts)
    return ", ".join(f"{key} {value.value}" for key, value in metadata.items())


def hub_instance(hub: HubConfig) -> dg.DagsterInstance:
    """The instance the UI reads (see dagster_environment)."""
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
    from assets.definitions import build_definitions
    from assets.partitions import DISTRICTS

    instance = instance or hub_instance(hub)
    known = set(instance.get_dynamic_partitions(DISTRICTS.name))
    missing = [district_id for district_id in district_ids if district_id not in known]
    if missing:
        instance.add_dynamic_partitions(DISTRICTS.name, missing)
    night = build_definitions(hub.path, allow_deletions=allow_deletions).resolve_job_def("night")
    tags = {"tutorhub/trigger": "cli", "tutorhub/allow_deletions": str(allow_deletions).lower()}
    outcomes = []
    for district_id in district_ids:
        with _night(hub, night, district_id, instance, allow_deletions, selection, tags) as result:
            outcomes.append(_outcome(district_id, result))
    return outcomes


@contextmanager
def _night(
    hub: HubConfig,
    night: dg.JobDefinition,
    district_id: str,
    instance: dg.DagsterInstance,
    allow_deletions: bool,
    selection: list[str] | None,
    tags: dict[str, str],
) -> Iterator[dg.ExecuteInProcessResult | dg.ExecuteJobResult]:
    """One district's night: in this process on the embedded default; where hub.yaml names an executor,
    the code location's ``night`` job, rebuilt by import wherever that executor runs its steps (Celery
    workers, which read the same TUTORHUB_CONFIG), with this run's approvals passed as run config."""
    assets = [dg.AssetKey(name) for name in selection] if selection else None
    # the summary says what failed and why; the traces stay in the event log and the debug log
    run_config: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    if hub.executor is None:
        yield night.execute_in_process(
            instance=instance,
            partition_key=district_id,
            raise_on_error=False,
            asset_selection=assets,
            run_config=run_config,
            tags=tags,
        )
        return
    settings = {"config_path": str(hub.path), "allow_deletions": allow_deletions}
    run_config["resources"] = {"hub": {"config": settings}}
    # dagster-celery registers its step task again for every step it sends; Celery warns each time.
    warnings.filterwarnings("ignore", message="Task name 'execute_plan' is already registered")
    from assets.definitions import night_job

    with dg.execute_job(
        dg.reconstructable(night_job),
        instance,
        run_config=run_config,
        tags={**tags, "dagster/partition": district_id},
        raise_on_error=False,
        asset_selection=assets,
    ) as result:
        yield result


def _outcome(district_id: str, result: dg.ExecuteInProcessResult | dg.ExecuteJobResult) -> DistrictOutcome:
    failed = [evaluation for evaluation in result.get_asset_check_evaluations() if not evaluation.passed]
    names = [f"{e.asset_key.to_user_string()}:{e.check_name}" for e in failed]
    return DistrictOutcome(
        district_id,
        result.success and not failed,
        result.run_id,
        _failures(result),
        names,
        _landed(result),
        {name: _refusal(e.metadata) for name, e in zip(names, failed, strict=True)},
    )
