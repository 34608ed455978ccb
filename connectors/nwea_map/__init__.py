"""NWEA MAP Growth: the Comprehensive and Combined Data File exports, as a tutorhub source connector."""

from __future__ import annotations

from connectors.nwea_map.config import MapConfig
from connectors.nwea_map.source import MapSource
from hub.plugins import hookimpl

__all__ = ["MapConfig", "MapSource", "tutorhub_connectors"]


@hookimpl
def tutorhub_connectors() -> list[type[MapSource]]:
    return [MapSource]
