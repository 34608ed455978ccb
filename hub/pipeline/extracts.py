"""Each night's raw extract, kept as Parquet beside a JSON record of what reading it found.

A rerun or an audit replays the stored extract through ``normalize`` without asking the vendor again.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from hub.connector import Extract, FileReport, Issue

RECORD = "extract.json"


def extract_dir(data_dir: Path, connector: str, when: datetime | None = None) -> Path:
    stamp = (when or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    return data_dir / "raw" / connector / stamp


def save_extract(extract: Extract, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for stream, table in extract.streams.items():
        pq.write_table(table, directory / f"{stream}.parquet", compression="zstd")
    record = {
        "streams": sorted(extract.streams),
        "files": {name: dataclasses.asdict(report) for name, report in extract.files.items()},
        "issues": [dataclasses.asdict(issue) for issue in extract.issues],
        "info": extract.info,
    }
    (directory / RECORD).write_text(json.dumps(record, default=str), encoding="utf-8")
    return directory


def load_extract(directory: Path) -> Extract:
    record = json.loads((directory / RECORD).read_text(encoding="utf-8"))
    return Extract(
        streams={stream: pq.read_table(directory / f"{stream}.parquet") for stream in record["streams"]},
        files={name: FileReport(**report) for name, report in record["files"].items()},
        issues=[Issue(**issue) for issue in record["issues"]],
        info=record["info"],
    )


def latest_extract(data_dir: Path, connector: str) -> Path | None:
    root = data_dir / "raw" / connector
    runs = sorted(path for path in root.glob("*") if (path / RECORD).is_file()) if root.is_dir() else []
    return runs[-1] if runs else None
