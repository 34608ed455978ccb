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
from typing import cast

import pluggy

from hub.connector import (
    ConnectorConfig,
    DestinationConfig,
    DestinationConnector,
    SourceConnector,
    Stage,
)
from hub.errors import HubError

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


class UnknownConnectorError(HubError, LookupError):
    """hub.yaml names a connector ``type`` that no installed plugin provides."""


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

    def add(self, cls: object, plugin: str, package: str, version: str) -> None:
        """Register one connector class a plugin provided, or record why it cannot be."""
        problem = contract_problem(cls)
        if problem is None:
            connector = cast(ConnectorClass, cls)
            if connector.name not in self.connectors:
                info = ConnectorInfo(connector.name, connector.kind, version, package, connector)
                self.connectors[connector.name] = info
                return
            other = self.connectors[connector.name].package
            problem = f"connector name {connector.name!r} already taken by {other}"
        self.failures.append(PluginFailure(plugin, package, problem))


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
    """Load every plugin in the entry-point group (or the ones given, for tests) into one PluginManager.

    pluggy's own ``load_setuptools_entrypoints`` stops at the first plugin that fails to import; here each
    failure (import, unknown hook, a hook that raises, a class that breaks the contract) is recorded and
    the rest still load.
    """
    registry = ConnectorRegistry()
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(HookSpecs)
    origins: dict[str, tuple[str, str]] = {}  # plugin name -> (package, version)
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
        if _registered(manager, plugin, entry_point.name, package, registry):
            origins[entry_point.name] = (package, version)
    for impl in manager.hook.tutorhub_connectors.get_hookimpls():  # in registration order
        package, version = origins[impl.plugin_name]
        try:
            provided = list(impl.function())
        except Exception as error:  # a plugin's bug must not stop the hub
            registry.failures.append(
                PluginFailure(impl.plugin_name, package, f"{type(error).__name__}: {error}")
            )
            continue
        for cls in provided:
            registry.add(cls, impl.plugin_name, package, version)
    return registry


def _registered(
    manager: pluggy.PluginManager, plugin: object, name: str, package: str, registry: ConnectorRegistry
) -> bool:
    """Register one plugin, taking it back out (and recording why) if its hooks do not match the spec."""
    try:
        manager.register(plugin, name=name)
        manager.check_pending()
    except Exception as error:
        if manager.is_registered(plugin):
            manager.unregister(plugin)
        registry.failures.append(PluginFailure(name, package, f"{type(error).__name__}: {error}"))
        return False
    return True


@cache
def installed() -> ConnectorRegistry:
    """The registry of installed plugins, discovered once per process."""
    return discover()
