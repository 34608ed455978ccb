"""OneRoster 1.1 / 1.2 REST rostering services as a roster source, read into the CSV binding's streams."""

from __future__ import annotations

from connectors.oneroster_api.config import OneRosterApiConfig
from connectors.oneroster_api.source import OneRosterApiSource
from hub.plugins import ConnectorClass, hookimpl

__all__ = ["OneRosterApiConfig", "OneRosterApiSource", "tutorhub_connectors"]


@hookimpl
def tutorhub_connectors() -> list[ConnectorClass]:
    return [OneRosterApiSource]
