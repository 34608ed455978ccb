"""Skill gaps derived a student part at a time store what a derivation of the whole district stores.

Two hubs over the same i-Ready and MAP exports, on SQLite and PostgreSQL: one in parts of two students
(``part_students``), one whole. Their gaps and the step's summary are equal on the first derivation and
on one under stricter thresholds (gaps of students no longer behind removed by the parts' one bulk
write); a derivation that fails in a later part leaves the stored gaps and the step's record as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml
from sqlalchemy import make_url

from connectors.iready.writer import write_iready
from connectors.nwea_map.writer import write_map
from connectors.oneroster_csv.writer import write_oneroster
from hub.diagnostics import DiagnosticsPolicy, GapThresholds
from hub.pipeline import gaps as gap_step
from hub.pipeline.context import DistrictRun
from hub.pipeline.night import run_steps, through
from hub.pipeline.parts import student_parts
from testkit.synthetic import DistrictSpec, build_district
from tests.conftest import fresh_postgres_database
from tests.hub.pipeline.test_diagnostic_nights import configure, opened

KEPT = ["source_id", "person_source_id", "subject", "canonical_domain", "severity", "evidence", "status"]
STRICTER = GapThresholds(min_grade_levels_below=2, adjectives={"Low": 2})


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    drop = tmp_path_factory.mktemp("gap-parts") / "drop"
    district = build_district(DistrictSpec(students=40, seed=7))
    write_oneroster(district, drop / "roster")
    write_iready(district, drop / "iready")
    write_map(district, drop / "map")
    return drop


def in_parts(config: Path, part_students: int) -> Path:
    """``config`` (``test_diagnostic_nights.configure``) with its district in parts of ``part_students``."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["districts"][0]["part_students"] = part_students
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return config


def stored(run: DistrictRun) -> tuple[pa.Table, dict]:
    """The district's gaps (active and removed), in key order, and the step's kept summary."""
    gaps = run.warehouse.read("skill_gap", "d1", active_only=False, columns=KEPT).sort_by("source_id")
    return gaps, run.warehouse.step_record("d1", gap_step.STEP).summary


@pytest.fixture
def hubs(tmp_path: Path, drop: Path, warehouse_url: str) -> Iterator[tuple[Path, Path]]:
    """(in parts of two students, whole), each run through the skill gaps."""

    def both(whole_url: str) -> tuple[Path, Path]:
        configs = (
            in_parts(configure(tmp_path / "parts", drop, warehouse_url), 2),
            in_parts(configure(tmp_path / "whole", drop, whole_url), 100_000),
        )
        for config in configs:
            with opened(config) as run:
                run_steps(run, through("skill_gaps"))
        return configs

    if make_url(warehouse_url).get_backend_name() == "sqlite":
        yield both(f"sqlite:///{tmp_path / 'whole.db'}")
        return
    with fresh_postgres_database() as whole_url:
        yield both(whole_url)


def test_gaps_derived_in_parts_are_the_whole_districts(hubs: tuple[Path, Path]) -> None:
    parts, whole = hubs
    with opened(parts) as run:
        assert len(student_parts(run.warehouse, "d1", run.district.part_students)) == 20
        in_parts, parts_summary = stored(run)
    with opened(whole) as run:
        expected, whole_summary = stored(run)
    assert in_parts.num_rows > 20
    assert in_parts.equals(expected)
    assert parts_summary == whole_summary

    # stricter thresholds: every student derived again, in parts; the gaps no longer behind are removed
    for config in hubs:
        with opened(config) as run:
            redone = gap_step.derive_skill_gaps(run, DiagnosticsPolicy(gap_thresholds=STRICTER))
            assert redone.derived and redone.redone is None
    with opened(parts) as run:
        stricter, parts_summary = stored(run)
    with opened(whole) as run:
        expected, whole_summary = stored(run)
    assert stricter.equals(expected)
    assert parts_summary == whole_summary
    assert 0 < stricter.filter(pc.equal(stricter["status"], "deleted")).num_rows < stricter.num_rows


def test_a_derivation_failing_in_a_later_part_leaves_the_gaps_as_they_were(
    hubs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    parts, _ = hubs
    with opened(parts) as run:
        before, summary = stored(run)
        record = run.warehouse.step_record("d1", gap_step.STEP)
    derived = gap_step.skill_gaps
    calls = []

    def failing_in_the_third_part(*given: object) -> pa.Table:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the warehouse went away")
        return derived(*given)

    monkeypatch.setattr(gap_step, "skill_gaps", failing_in_the_third_part)
    with opened(parts) as run, pytest.raises(RuntimeError, match="went away"):
        gap_step.derive_skill_gaps(run, DiagnosticsPolicy(gap_thresholds=STRICTER))
    with opened(parts) as run:
        assert stored(run) == (before, summary)
        assert run.warehouse.step_record("d1", gap_step.STEP).policy_key == record.policy_key
