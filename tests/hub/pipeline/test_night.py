"""The night written once: its order holds, the assets are its steps, and its checks hold what follows."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import yaml

from assets.definitions import build_definitions
from hub.pipeline.context import DistrictRun
from hub.pipeline.delivery import PushHeld, failed_gates, push_night
from hub.pipeline.night import NIGHT, run_steps, steps, through

DISTRICT = "d1"


def test_every_step_reads_only_what_steps_before_it_wrote() -> None:
    written: set[str] = set()
    for step in NIGHT:
        for name, reads in [(step.name, step.reads), *((part.name, part.reads) for part in step.parts)]:
            assert set(reads) <= written, f"{name} reads {set(reads) - written} before it is written"
        written |= {step.name, *(part.name for part in step.parts)}
    assert len(written) == len(NIGHT) + sum(len(step.parts) for step in NIGHT)


def test_a_slice_runs_in_the_nights_order_and_names_are_checked() -> None:
    assert [step.name for step in steps(["skill_gaps", "roster"])] == ["roster", "skill_gaps"]
    assert through("roster") == ["roster_extract", "roster"]
    with pytest.raises(ValueError, match="no step named rooster"):
        steps(["rooster"])


def test_the_assets_are_the_steps(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text(yaml.safe_dump({"data_dir": "data", "districts": []}))
    graph = build_definitions(tmp_path / "hub.yaml").resolve_asset_graph()
    for step in NIGHT:
        for name, reads in [(step.name, step.reads), *((part.name, part.reads) for part in step.parts)]:
            node = graph.get(dg.AssetKey(name))
            assert node.group_name == step.stage and node.description == (
                step.about if name == step.name else next(p.about for p in step.parts if p.name == name)
            )
            assert {key.to_user_string() for key in node.parent_keys} == set(reads)
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert keys == {step.name for step in NIGHT} | {part.name for step in NIGHT for part in step.parts}


def test_a_failed_blocking_check_holds_the_push_and_the_steps_after_it(run: DistrictRun) -> None:
    assert failed_gates(run) == []
    run.warehouse.record_step(DISTRICT, "roster", checks={"deletion_guard": False})
    run.warehouse.record_step(DISTRICT, "assessment_results", checks={"match_rate": True})
    with pytest.raises(PushHeld, match=r"roster:deletion_guard \(checked .*nothing was sent"):
        push_night(run)
    run.warehouse.record_step(DISTRICT, "roster", checks={"deletion_guard": True, "files_readable": True})
    assert failed_gates(run) == []
    # a district with no sources: the extracts read nothing, the roster applies nothing and passes
    results = run_steps(run, ["roster_extract", "roster"])
    assert results["roster"].checks == {
        "deletion_guard": True,
        "referential_integrity": True,
        "files_readable": True,
    }
    assert run.warehouse.step_record(DISTRICT, "roster").checks == results["roster"].checks
