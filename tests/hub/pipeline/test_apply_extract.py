"""Applying a stored extract lets its raw rows go before the warehouse apply, where the normalized rows
alone are needed: held together they were the diagnostics step's peak. What the apply records of the
read (its files' state, issues, file reports) is still taken from the extract."""

from __future__ import annotations

import weakref
from pathlib import Path

from connectors.iready.writer import write_iready
from connectors.nwea_map.writer import write_map
from connectors.oneroster_csv.writer import write_oneroster
from hub.pipeline.diagnostics import MatchGate, match_transform
from hub.pipeline.extracts import latest_extract, load_extract
from hub.pipeline.night import run_steps, through
from hub.pipeline.sources import apply_extract
from hub.tracked import FILES
from testkit.synthetic import DistrictSpec, build_district
from tests.hub.pipeline.test_diagnostic_nights import configure, opened


def test_the_raw_rows_are_let_go_before_the_apply(tmp_path: Path, warehouse_url: str) -> None:
    drop = tmp_path / "drop"
    district = build_district(DistrictSpec(students=20, seed=3))
    write_oneroster(district, drop / "roster")
    write_iready(district, drop / "iready")
    write_map(district, drop / "map")
    with opened(configure(tmp_path / "hub", drop, warehouse_url)) as run:
        run_steps(run, through("diagnostics_extract"))
        source = next(source for entry, source in run.sources("diagnostics") if entry.name == "iready")
        extract = load_extract(latest_extract(run.data_dir, "iready"))
        raw = weakref.ref(extract.streams["diagnostic_results"])
        gate = MatchGate()
        applied = apply_extract(
            run, "iready", source, extract, match_transform(run.district.diagnostics, gate)
        )
        assert raw() is None
        assert applied.changes["assessment_result"].inserted == run.warehouse.count("assessment_result", "d1")
        assert run.warehouse.connector_state("d1", "iready")[FILES] == extract.info[FILES]
        assert not gate.refused
