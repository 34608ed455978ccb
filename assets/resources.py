"""The one resource assets need: the hub's configuration, opened per district."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from assets.failures import failing_once
from hub.pipeline.context import DistrictRun
from hub.plugins import installed
from hub.preflight import require_ready
from hub.settings import HubSettings, load_hub_config


class HubResource(dg.ConfigurableResource):
    """Where hub.yaml is, and this run's explicit approvals.

    ``allow_deletions`` is the per-run override of the deletion guard: set it in the launchpad
    (``resources: {hub: {config: {allow_deletions: true}}}``) or with ``tutorhub sync --allow-deletions``.
    """

    config_path: str
    allow_deletions: bool = False

    def district_run(self, district_id: str) -> DistrictRun:
        hub = load_hub_config(Path(self.config_path), HubSettings())
        district, registry = hub.district(district_id), installed()
        require_ready(hub, district, registry)  # the same check as `tutorhub check`, before any work
        return DistrictRun(hub, district, registry, allow_deletions=self.allow_deletions)

    @contextmanager
    def opened(self, district_id: str) -> Iterator[DistrictRun]:
        """The district's run, checked first; its warehouse connections closed when the step is done.

        Errors inside become the step's one-line failure, retried only when transient.
        """
        with failing_once():
            run = self.district_run(district_id)
            try:
                yield run
            finally:
                run.close()
