"""OneRoster 1.1 / 1.2 CSV packages as a roster source (1.0 read leniently)."""

from __future__ import annotations

from connectors.oneroster_csv.source import OneRosterCsvConfig, OneRosterCsvSource
from hub.plugins import ConnectorClass, hookimpl

__all__ = ["OneRosterCsvConfig", "OneRosterCsvSource", "tutorhub_connectors"]


@hookimpl
def tutorhub_connectors() -> list[ConnectorClass]:
    return [OneRosterCsvSource]
