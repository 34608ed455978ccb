"""Small helpers for looking at what the connector made of a package."""

from __future__ import annotations

from pathlib import Path

from connectors.oneroster_csv import OneRosterCsvConfig, OneRosterCsvSource
from hub.connector import Extract, Issue


def issues(extract: Extract, kind: str, file: str | None = None) -> list[Issue]:
    return [i for i in extract.issues if i.kind == kind and (file is None or i.file == file)]


def source() -> OneRosterCsvSource:
    """A connector instance for normalizing an extract (normalize does not look at the config)."""
    return OneRosterCsvSource(OneRosterCsvConfig(path=Path(".")))
