"""The code location `dagster dev` loads (pyproject [tool.dagster]): a few lines assembling the modules."""

from pathlib import Path

import dagster as dg

from assets.automation import district_partitions_sensor, district_schedules, drop_folder_sensor
from assets.delivery import alignment_reports, report_pushes
from assets.diagnostics import assessment_results, skill_gaps
from assets.evidence import dosage, impact, weekly_pulse
from assets.executors import night_executor
from assets.extracts import diagnostics_extract, roster_extract, sessions_extract
from assets.failures import NO_RUN_RETRY_TAGS, RETRY
from assets.progress import progress_monitoring
from assets.resources import HubResource
from assets.roster import roster
from assets.sessions import tutoring_sessions
from assets.tutoring import tiers, tutoring_groups
from hub.settings import ConfigError, HubSettings, load_hub_config

ASSETS = [
    roster_extract,
    roster,
    diagnostics_extract,
    assessment_results,
    skill_gaps,
    sessions_extract,
    tutoring_sessions,
    tiers,
    tutoring_groups,
    progress_monitoring,
    dosage,
    weekly_pulse,
    impact,
    alignment_reports,
    report_pushes,
]


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
    schedules = district_schedules(hub, night) if hub else []
    return dg.Definitions(
        assets=ASSETS,
        jobs=[night],
        schedules=schedules,
        sensors=[district_partitions_sensor(config_path), drop_folder_sensor(config_path, night)],
        resources={
            "hub": HubResource(config_path=str(config_path.resolve()), allow_deletions=allow_deletions)
        },
    )


defs = build_definitions(HubSettings().config)
