"""A district whose synthetic roster is already in its warehouse: what diagnostics are matched against."""

from __future__ import annotations

from pathlib import Path

import yaml

from hub.pipeline.context import DistrictRun
from hub.pipeline.night import run_steps
from hub.plugins import installed
from hub.settings import load_hub_config
from testkit.synthetic import SyntheticDistrict


def district_with_roster(tmp_path: Path, district: SyntheticDistrict, **settings: object) -> Path:
    """hub.yaml of district ``d1`` (``settings`` added to it) whose roster sync has run; its path."""
    from connectors.oneroster_csv.writer import write_oneroster

    write_oneroster(district, tmp_path / "drop")
    roster = {"name": "roster", "type": "oneroster_csv", "settings": {"path": "drop/oneroster-1.2-bulk.zip"}}
    config = {
        "data_dir": "data",
        "districts": [{"id": "d1", "name": "D1", **settings, "connectors": [roster]}],
    }
    path = tmp_path / "hub.yaml"
    path.write_text(yaml.safe_dump(config))
    hub = load_hub_config(path)
    run = DistrictRun(hub, hub.district("d1"), installed())
    try:
        run_steps(run, ["roster_extract", "roster"])
    finally:
        run.close()
    return path
