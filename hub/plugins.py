"""Connector discovery: pluggy hooks behind the entry-point group ``tutorhub.connectors``.

A vendor's package declares, in its pyproject::

    [project.entry-points."tutorhub.connectors"]
    acme = "acme_tutorhub.plugin"

and that module implements the hook::

    from hub.plugins import hookimpl

    @hookimpl
    def tutorhub_connectors():
        return [AcmeSource]

The built-in connectors register the same way. A plugin that fails to import or hands back something
that is not a connector is recorded as a failure and skipped: one broken plugin never takes the hub down.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pluggy

from hub.connector import (
    ConnectorConfig,
    DestinationConfig,
    DestinationConnector,
    SourceConnector,
    Stage,
)

ENTRY_POINT_GROUP = "tutorhub.connectors"
PROJECT = "tutorhub"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

ConnectorClass = type[SourceConnector] | type[DestinationConnector]


class HookSpecs:
    @hookspec
    def tutorhub_connectors(self) -> Iterable[ConnectorClass]:  # type: ignore[empty-body]
        """The connector classes this plugin provides."""


@dataclass(frozen=True, slots=True)
class ConnectorInfo:
    name: str
    kind: str
    version: str
    package: str
    cls: ConnectorClass


@dataclass(frozen=True, slots=True)
class PluginFailure:
    plugin: str
    package: str
    reason: str


class UnknownConnectorError(LookupError):
    pass


class ConnectorRegistry:
    """Connectors by name, plus what failed to load and why."""

    def __init__(self) -> None:
        self.connectors: dict[str, ConnectorInfo] = {}
        self.failures: list[PluginFailure] = []

    def get(self, name: str) -> ConnectorInfo:
        try:
            return self.connectors[name]
        except KeyError:
            known = ", ".join(sorted(self.connectors)) or "none"
            raise UnknownConnectorError(
                f"no connector named {name!r} is installed (installed: {known}; see `tutorhub plugins`)"
            ) from None

    def add_plugin(self, plugin: object, plugin_name: str, package: str, version: str) -> None:
        """Register one plugin module or object, recording instead of raising when it is broken."""
        manager = pluggy.PluginManager(PROJECT)
        manager.add_hookspecs(HookSpecs)
        try:
            manager.register(plugin, name=plugin_name)
            manager.check_pending()
            provided = [cls for batch in manager.hook.tutorhub_connectors() for cls in batch]
        except Exception as error:  # a plugin's bug must not stop the hub
            self.failures.append(PluginFailure(plugin_name, package, f"{type(error).__name__}: {error}"))
            return
        for cls in provided:
            problem = contract_problem(cls)
            if problem:
                self.failures.append(PluginFailure(plugin_name, package, problem))
            elif cls.name in self.connectors:
                other = self.connectors[cls.name].package
                self.failures.append(
                    PluginFailure(
                        plugin_name, package, f"connector name {cls.name!r} already taken by {other}"
                    )
                )
            else:
                self.connectors[cls.name] = ConnectorInfo(cls.name, cls.kind, version, package, cls)


def contract_problem(cls: object) -> str | None:
    """What keeps ``cls`` from registering as a connector, in a sentence; None when it meets the contract."""
    if not isinstance(cls, type) or not issubclass(cls, SourceConnector | DestinationConnector):
        return f"{cls!r} is not a SourceConnector or DestinationConnector subclass"
    if not isinstance(getattr(cls, "name", None), str):
        return f"{cls.__name__} has no `name`"
    base = DestinationConfig if issubclass(cls, DestinationConnector) else ConnectorConfig
    config_model = getattr(cls, "config_model", None)
    if not (isinstance(config_model, type) and issubclass(config_model, base)):
        return f"{cls.__name__}.config_model is not a {base.__name__} subclass"
    if getattr(cls, "__abstractmethods__", None):
        return f"{cls.__name__} does not implement {sorted(cls.__abstractmethods__)}"
    return _source_problem(cls) if issubclass(cls, SourceConnector) else None


def _source_problem(cls: type[SourceConnector]) -> str | None:
    """A source must say where in the night it runs and what it writes, or the night would skip it."""
    stages = ", ".join(stage.value for stage in Stage)
    stage = getattr(cls, "stage", None)
    if stage is None:
        return f"{cls.__name__} does not declare its `stage` (one of {stages})"
    if not isinstance(stage, Stage):
        return f"{cls.__name__}.stage is {stage!r}; declare one of hub.connector.Stage ({stages})"
    tables = getattr(cls, "tables", None)
    if not (isinstance(tables, tuple) and tables and all(isinstance(name, str) for name in tables)):
        return f"{cls.__name__} does not declare the model `tables` its normalize() produces"
    return None


def discover(entry_points: Iterable[importlib.metadata.EntryPoint] | None = None) -> ConnectorRegistry:
    """Load every plugin in the entry-point group (or the ones given, for tests)."""
    registry = ConnectorRegistry()
    if entry_points is None:
        entry_points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    for entry_point in entry_points:
        dist = entry_point.dist
        package = dist.metadata["Name"] if dist else entry_point.value.split(".")[0]
        version = dist.version if dist else "unknown"
        try:
            plugin = entry_point.load()
        except Exception as error:  # ImportError, SyntaxError, anything at import time
            registry.failures.append(
                PluginFailure(entry_point.name, package, f"import failed: {type(error).__name__}: {error}")
            )
            continue
        registry.add_plugin(plugin, entry_point.name, package, version)
    return registry


@cache
def installed() -> ConnectorRegistry:
    """The registry of installed plugins, discovered once per process."""
    return discover()
