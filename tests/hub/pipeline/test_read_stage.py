"""Reading a stage's sources: each source's rows are let go once its raw extract is kept, so a stage of
several large exports (i-Ready's and MAP's) holds one source's rows at a time, not all of them."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import yaml

from hub.connector import ConnectorConfig, Extract, FileReport, NormalizedBatch, SourceConnector, Stage
from hub.pipeline.context import DistrictRun
from hub.pipeline.extracts import load_extract
from hub.pipeline.sources import read_stage
from hub.plugins import ConnectorRegistry
from hub.settings import load_hub_config

READ: list[weakref.ref[pa.Table]] = []
"""Every table a ``Remembering`` source handed over, weakly: whether something still holds it."""


class Remembering(SourceConnector):
    """A source whose read notes, before it reads, which rows read earlier in the stage are still held."""

    name: ClassVar[str] = "remembering"
    stage: ClassVar[Stage] = Stage.DIAGNOSTICS
    streams: ClassVar[tuple[str, ...]] = ("rows",)
    tables: ClassVar[tuple[str, ...]] = ("assessment_result",)  # normalizes nothing: only read here
    config_model: ClassVar[type[ConnectorConfig]] = ConnectorConfig
    held_before: ClassVar[list[int]] = []

    def read(self, state: Mapping[str, Any] | None = None) -> Extract:
        Remembering.held_before.append(sum(read() is not None for read in READ))
        rows = pa.table({"n": pa.array(range(1000), pa.int64())})
        READ.append(weakref.ref(rows))
        return Extract({"rows": rows}, {"rows.csv": FileReport("rows.csv", 1000, 1000)}, [])

    def normalize(self, extract: Extract) -> NormalizedBatch:
        return NormalizedBatch({}, {})


def test_a_source_is_read_once_the_one_before_it_is_let_go(tmp_path: Path, warehouse_url: str) -> None:
    sources = [{"name": f"vendor{number}", "type": "remembering", "settings": {}} for number in range(3)]
    district = {"id": "d1", "name": "D1", "timezone": "UTC", "warehouse_url": warehouse_url}
    config = tmp_path / "hub.yaml"
    config.write_text(
        yaml.safe_dump({"data_dir": "data", "districts": [{**district, "connectors": sources}]}),
        encoding="utf-8",
    )
    registry = ConnectorRegistry()
    registry.add(Remembering, "test", "tests", "0")
    assert not registry.failures
    hub = load_hub_config(config)
    run = DistrictRun(hub, hub.district("d1"), registry)
    try:
        Remembering.held_before.clear()
        summaries = read_stage(run, Stage.DIAGNOSTICS)
    finally:
        run.close()
    assert Remembering.held_before == [0, 0, 0]
    assert [load_extract(summary.raw_dir).streams["rows"].num_rows for summary in summaries] == [1000] * 3
