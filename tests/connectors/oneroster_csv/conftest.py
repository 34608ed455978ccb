"""Reading a built package through the connector, the way the hub does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from connectors.oneroster_csv import OneRosterCsvConfig, OneRosterCsvSource
from hub.connector import Extract
from tests.connectors.oneroster_csv.builders import Package

ReadRoster = Callable[..., Extract]


@pytest.fixture(params=["zip", "folder"])
def read_roster(request: pytest.FixtureRequest, tmp_path: Path) -> ReadRoster:
    """Write ``package`` and read it with the connector; every test runs once on a zip and once on a
    folder, unless it names the package (``name`` ending in .zip: a zip; otherwise a folder)."""
    default = "roster.zip" if request.param == "zip" else "roster"

    def read(package: Package, name: str | None = None, subfolder: str | None = None, **config) -> Extract:
        path = package.write(tmp_path / (name or default), subfolder=subfolder)
        return OneRosterCsvSource(OneRosterCsvConfig(path=path, **config)).read()

    return read
