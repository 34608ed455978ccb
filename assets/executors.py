"""The night's executor, named in hub.yaml (``executor:``), so scaling out is configuration, not code.

The embedded default leaves Dagster's own choice in place. ``celery`` imports dagster-celery only when
asked for, so a hub that does not use it needs nothing more installed.
"""

import dagster as dg

from hub.settings import ConfigError, ExecutorConfig


def night_executor(chosen: ExecutorConfig | None) -> dg.ExecutorDefinition | None:
    """The executor ``chosen`` names, configured from its hub.yaml block; None keeps Dagster's default."""
    if chosen is None:
        return None
    if chosen.type == "celery":
        try:
            from dagster_celery import celery_executor
        except ImportError:
            raise ConfigError(
                "executor 'celery' needs dagster-celery: pip install 'tutorhub[celery]'"
            ) from None
        executor = celery_executor
    elif chosen.type == "multiprocess":
        executor = dg.multiprocess_executor
    else:
        executor = dg.in_process_executor
    return executor.configured(chosen.config, name=chosen.type) if chosen.config else executor
