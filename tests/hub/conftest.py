"""A district with no connectors on the warehouse under test: what the pipeline's stage tests run in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from hub.pipeline.context import DistrictRun
from hub.plugins import installed
from hub.settings import load_hub_config

DISTRICT = "d1"


@pytest.fixture
def run(warehouse_url: str, tmp_path: Path) -> Iterator[DistrictRun]:
    """District ``d1``, configured with no connectors, its warehouse at ``warehouse_url``."""
    district = {"id": DISTRICT, "name": "D1", "warehouse_url": warehouse_url, "connectors": []}
    config = tmp_path / "hub.yaml"
    config.write_text(yaml.safe_dump({"data_dir": "data", "districts": [district]}))
    hub = load_hub_config(config)
    district_run = DistrictRun(hub, hub.district(DISTRICT), installed())
    yield district_run
    district_run.close()
