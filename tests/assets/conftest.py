"""A district configured against the real OneRoster sample, and an isolated Dagster instance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml

from hub.settings import HubConfig, load_hub_config


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


def write_hub_yaml(directory: Path, connectors: list[dict], **district: object) -> HubConfig:
    config = {
        "data_dir": "data",
        "districts": [
            {
                "id": "grand_bend",
                "name": "Grand Bend ISD",
                "timezone": "America/Chicago",
                **district,
                "connectors": connectors,
            }
        ],
    }
    path = directory / "hub.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return load_hub_config(path)


@pytest.fixture
def sample_hub(tmp_path: Path, shared_fixtures: Path) -> HubConfig:
    roster = shared_fixtures / "oneroster" / "edfi-lms-toolkit-1.1"
    return write_hub_yaml(
        tmp_path, [{"name": "roster", "type": "oneroster_csv", "settings": {"path": str(roster)}}]
    )
