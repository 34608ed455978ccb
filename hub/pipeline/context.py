"""Everything one district's run needs: its config, its connectors and its warehouse.

Connectors are found in the district's own section of hub.yaml only, so nothing one district configures
can read from or push to another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from hub.connector import DestinationConnector, SourceConnector, Stage
from hub.plugins import ConnectorRegistry
from hub.settings import ConnectorEntry, DistrictConfig, HubConfig, build_connector_config
from hub.warehouse import Warehouse


@dataclass
class DistrictRun:
    hub: HubConfig
    district: DistrictConfig
    registry: ConnectorRegistry
    allow_deletions: bool = False
    _warehouse: Warehouse | None = field(default=None, init=False, repr=False)

    @property
    def district_id(self) -> str:
        return self.district.id

    @cached_property
    def data_dir(self) -> Path:
        path = self.district.data_path(self.hub.data_dir)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def warehouse(self) -> Warehouse:
        if self._warehouse is None:
            self._warehouse = Warehouse(self.district.database_url(self.hub.data_dir))
            self._warehouse.register_district(self.district.id, self.district.name, self.district.timezone)
        return self._warehouse

    def close(self) -> None:
        if self._warehouse is not None:
            self._warehouse.dispose()
            self._warehouse = None

    def sources(self, stage: Stage) -> list[tuple[ConnectorEntry, SourceConnector]]:
        """The district's configured sources feeding ``stage``, instantiated with validated settings."""
        found = []
        for entry in self.district.connectors:
            info = self.registry.get(entry.type)
            if info.kind == "source" and info.cls.stage == stage:  # type: ignore[union-attr]
                config = build_connector_config(self.hub, self.district, entry, info.cls.config_model)
                found.append((entry, info.cls(config)))
        return found

    def destinations(self) -> list[tuple[ConnectorEntry, DestinationConnector]]:
        found = []
        for entry in self.district.connectors:
            info = self.registry.get(entry.type)
            if info.kind == "destination":
                config = build_connector_config(self.hub, self.district, entry, info.cls.config_model)
                found.append((entry, info.cls(config)))  # type: ignore[arg-type]
        return found
