"""Run by test_kill_rerun.py as its own process: push the reports in a JSON file to a fake Canvas.

Arguments: warehouse URL, Canvas base URL, Canvas token, reports file. The parent kills this process
while the server holds one answer back, then checks what a rerun sends.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import SecretStr

from connectors.canvas import CanvasConfig, CanvasDestination
from hub.connector import RenderedReport
from hub.http import HttpSettings
from hub.push import push_reports
from hub.warehouse import Warehouse


def main(warehouse_url: str, canvas_url: str, token: str, reports_file: str) -> None:
    saved = json.loads(Path(reports_file).read_text(encoding="utf-8"))
    reports = [RenderedReport(**{**report, "body": report["body"].encode()}) for report in saved]
    config = CanvasConfig(
        district_id="test_district",
        base_url=canvas_url,
        token=SecretStr(token),
        http=HttpSettings(read_timeout=60.0),  # wait on the held answer until killed
    )
    push_reports(Warehouse(warehouse_url), "test_district", "canvas", CanvasDestination(config), reports)


if __name__ == "__main__":
    main(*sys.argv[1:])
