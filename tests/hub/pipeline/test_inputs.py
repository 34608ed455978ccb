"""A source whose files did not change is neither parsed nor applied again; anything that could change
what it would apply (a file, its settings, the stage's policy, the roster matching reads, a failed apply)
makes the night read and apply it as before."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from connectors.iready.writer import write_iready
from connectors.oneroster_csv.writer import write_oneroster
from hub.model import SyncRun
from hub.pipeline.context import DistrictRun
from hub.pipeline.diagnostics import MatchGate, match_transform
from hub.pipeline.sources import ApplySummary, ExtractSummary, apply_stage, read_stage
from hub.plugins import installed
from hub.settings import load_hub_config
from hub.synthetic import DistrictSpec, SyntheticDistrict, build_district
from hub.warehouse import DeletionGuardError

STUDENTS = 150


@pytest.fixture(scope="module")
def district() -> SyntheticDistrict:
    return build_district(DistrictSpec(students=STUDENTS, seed=13))


@pytest.fixture
def drop(tmp_path: Path, district: SyntheticDistrict) -> Path:
    write_oneroster(district, tmp_path / "drop")
    write_iready(district, tmp_path / "drop" / "iready")
    return tmp_path / "drop"


def _config(tmp_path: Path, *, min_match_rate: float = 0.9, bands: dict | None = None) -> Path:
    iready: dict = {"path": "drop/iready"}
    if bands:
        iready["band_mapping"] = bands
    connectors = [
        {"name": "roster", "type": "oneroster_csv", "settings": {"path": "drop/oneroster-1.2-bulk.zip"}},
        {"name": "iready", "type": "iready", "settings": iready},
    ]
    district = {
        "id": "d1",
        "name": "D1",
        "diagnostics": {"min_match_rate": min_match_rate},
        "connectors": connectors,
    }
    path = tmp_path / "hub.yaml"
    path.write_text(yaml.safe_dump({"data_dir": "data", "districts": [district]}), encoding="utf-8")
    return path


def _night(config: Path, *, allow_deletions: bool = False) -> dict[str, tuple[ExtractSummary, ApplySummary]]:
    """The roster and diagnostics stages as the night's assets run them: per source, read then apply."""
    hub = load_hub_config(config)
    run = DistrictRun(hub, hub.district("d1"), installed(), allow_deletions=allow_deletions)
    try:
        outcome = {}
        for stage in ("roster", "diagnostics"):
            reads = read_stage(run, stage)
            transform = (
                match_transform(run.district.diagnostics, MatchGate()) if stage == "diagnostics" else None
            )
            applies = apply_stage(run, stage, transform)
            outcome |= {read.connector: (read, apply) for read, apply in zip(reads, applies, strict=True)}
        return outcome
    finally:
        run.close()


def _extracts(tmp_path: Path, connector: str) -> int:
    return len(list((tmp_path / "data" / "d1" / "raw" / connector).iterdir()))


def _committed(tmp_path: Path, connector: str) -> int:
    hub = load_hub_config(tmp_path / "hub.yaml")
    run = DistrictRun(hub, hub.district("d1"), installed())
    try:
        query = select(func.count()).where(SyncRun.connector == connector, SyncRun.outcome == "committed")
        with run.warehouse.engine.connect() as connection:
            return connection.execute(query).scalar_one()
    finally:
        run.close()


def test_unchanged_files_are_neither_read_nor_applied_again(tmp_path: Path, drop: Path) -> None:
    config = _config(tmp_path)
    first = _night(config)
    assert not first["roster"][0].reused and not first["roster"][1].unchanged
    again = _night(config)
    for connector in ("roster", "iready"):
        read, applied = again[connector]
        assert read.reused and read.raw_dir == first[connector][0].raw_dir  # no new extract was parsed
        assert applied.unchanged and applied.changes == {}
        assert _extracts(tmp_path, connector) == 1 and _committed(tmp_path, connector) == 1
    # what the checks read is what the night that applied the files found
    assert again["iready"][1].rejects == first["iready"][1].rejects
    assert again["roster"][0].files == first["roster"][0].files


def test_a_changed_file_is_read_and_applied(tmp_path: Path, drop: Path) -> None:
    config = _config(tmp_path)
    _night(config)
    math = next((drop / "iready").glob("*math*"))
    lines = math.read_bytes().split(b"\r\n")
    math.write_bytes(b"\r\n".join(lines[:-3] + lines[-2:]))  # one test fewer: the vendor re-exported
    night = _night(config)
    assert not night["iready"][0].reused and not night["iready"][1].unchanged
    assert _extracts(tmp_path, "iready") == 2 and _committed(tmp_path, "iready") == 2
    assert night["roster"][1].unchanged  # the other source's files did not change


def test_a_changed_roster_applies_unchanged_diagnostics_again(
    tmp_path: Path, drop: Path, district: SyntheticDistrict
) -> None:
    """Matching reads the roster: results matched against last night's roster are matched again."""
    config = _config(tmp_path)
    _night(config)
    fewer = build_district(DistrictSpec(students=STUDENTS - 5, seed=13))
    write_oneroster(fewer, drop)
    night = _night(config)
    assert not night["roster"][1].unchanged
    assert night["iready"][0].reused  # the files are the same: not parsed again
    assert not night["iready"][1].unchanged and _committed(tmp_path, "iready") == 2


@pytest.mark.parametrize(
    "changed",
    [{"min_match_rate": 0.8}, {"bands": {"Early On Grade Level": 5}}],
    ids=["stage policy", "connector settings"],
)
def test_changed_settings_are_not_skipped(tmp_path: Path, drop: Path, changed: dict) -> None:
    _night(_config(tmp_path))
    night = _night(_config(tmp_path, **changed))
    assert not night["iready"][1].unchanged and _committed(tmp_path, "iready") == 2
    assert night["iready"][0].reused is ("bands" not in changed)  # settings of the reader: read again
    assert night["roster"][1].unchanged


def test_a_rerun_after_a_refused_apply_applies(tmp_path: Path, drop: Path) -> None:
    """The files' hashes are recorded with the apply's commit: a refused apply leaves them unrecorded."""
    config = _config(tmp_path)
    _night(config)
    write_oneroster(build_district(DistrictSpec(students=STUDENTS // 2, seed=13)), drop)
    with pytest.raises(DeletionGuardError):
        _night(config)
    assert _committed(tmp_path, "roster") == 1
    rerun = _night(config, allow_deletions=True)  # IT approves the removals and runs the night again
    assert rerun["roster"][0].reused  # the refused night's extract is what the files still are
    assert not rerun["roster"][1].unchanged and _committed(tmp_path, "roster") == 2
    assert _night(config)["roster"][1].unchanged
