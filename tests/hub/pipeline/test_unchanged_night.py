"""What an unchanged night skips, and what makes it do the work again.

A source whose files did not change is neither parsed nor applied again; anything that could change what
it would apply (a file, its settings, the stage's policy, the roster matching reads, a failed apply) makes
the night read and apply it as before. A derived step (tiers, the evidence's and the reports' files) keeps
what it made while no sync changed what it reads and its settings are the same.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml
from sqlalchemy import func, select

from connectors.iready.writer import write_iready
from connectors.oneroster_csv.writer import write_oneroster
from hub.connector import NormalizedBatch, SyncMode
from hub.model import SyncRun
from hub.pipeline.context import DistrictRun
from hub.pipeline.derived import derived_files
from hub.pipeline.night import NightHeld, run_steps, through
from hub.pipeline.sources import ApplySummary, ExtractSummary
from hub.pipeline.tutoring import TIERS_STEP, Tiers
from hub.plugins import installed
from hub.settings import load_hub_config
from hub.warehouse import DeletionGuardError
from testkit.synthetic import DistrictSpec, SyntheticDistrict, build_district

STUDENTS = 150


@pytest.fixture(scope="module")
def district() -> SyntheticDistrict:
    return build_district(DistrictSpec(students=STUDENTS, seed=13))


@pytest.fixture
def drop(tmp_path: Path, district: SyntheticDistrict) -> Path:
    write_oneroster(district, tmp_path / "drop")
    write_iready(district, tmp_path / "drop" / "iready")
    return tmp_path / "drop"


def _config(
    tmp_path: Path,
    *,
    min_match_rate: float = 0.9,
    bands: dict | None = None,
    tutoring: dict | None = None,
    warehouse_url: str | None = None,
) -> Path:
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
        "tutoring": tutoring or {},
        "connectors": connectors,
        **({"warehouse_url": warehouse_url} if warehouse_url else {}),
    }
    path = tmp_path / "hub.yaml"
    path.write_text(yaml.safe_dump({"data_dir": "data", "districts": [district]}), encoding="utf-8")
    return path


def _opened(config: Path, *, allow_deletions: bool = False) -> DistrictRun:
    hub = load_hub_config(config)
    return DistrictRun(hub, hub.district("d1"), installed(), allow_deletions=allow_deletions)


STAGES = (("roster_extract", "roster"), ("diagnostics_extract", "assessment_results"))
"""The night's extract steps, each with the step applying what it read."""


def _night(
    config: Path, *, allow_deletions: bool = False, last: str = "assessment_results"
) -> dict[str, tuple[ExtractSummary, ApplySummary]]:
    """The night's steps through ``last``: per source, what was read and what applied."""
    run = _opened(config, allow_deletions=allow_deletions)
    try:
        done = run_steps(run, through(last))
    finally:
        run.close()
    outcome = {}
    for extract, load in STAGES:
        if load not in done:
            continue
        reads, applies = done[extract].summaries, done[load].summaries
        outcome |= {read.connector: (read, apply) for read, apply in zip(reads, applies, strict=True)}
    return outcome


def _extracts(tmp_path: Path, connector: str) -> int:
    """The connector's kept nightly extracts (each a folder with its record)."""
    return sum(
        (path / "extract.json").is_file() for path in (tmp_path / "data" / "d1" / "raw" / connector).iterdir()
    )


def _committed(tmp_path: Path, connector: str) -> int:
    run = _opened(tmp_path / "hub.yaml")
    try:
        query = select(func.count()).where(SyncRun.connector == connector, SyncRun.outcome == "committed")
        with run.warehouse.engine.connect() as connection:
            return connection.execute(query).scalar_one()
    finally:
        run.close()


def test_unchanged_files_are_neither_read_nor_applied_again(
    tmp_path: Path, drop: Path, warehouse_url: str
) -> None:
    config = _config(tmp_path, warehouse_url=warehouse_url)
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


def test_a_changed_roster_matches_stored_results_again_without_applying_unchanged_files(
    tmp_path: Path, drop: Path, district: SyntheticDistrict
) -> None:
    """Matching reads the roster: results matched against last night's roster are matched again, by the
    step that settles them over everything stored; the unchanged files are neither parsed nor applied."""
    config = _config(tmp_path)
    _night(config)
    fewer = build_district(DistrictSpec(students=STUDENTS - 5, seed=13))
    write_oneroster(fewer, drop)
    night = _night(config)
    assert not night["roster"][1].unchanged
    assert night["iready"][0].reused and night["iready"][1].unchanged
    run = _opened(config)
    try:
        results = run.warehouse.read("assessment_result", "d1")
        active = run.warehouse.read("person", "d1", columns=["source_id", "role", "status"])
    finally:
        run.close()
    students = active.filter(pc.equal(active["role"], "student"))["source_id"]
    matched = results.filter(pc.equal(results["match_status"], "matched"))["person_source_id"]
    assert set(matched.to_pylist()) <= set(students.to_pylist())
    assert results.num_rows > matched.length()  # the tests of the students who left are unmatched now


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
    with pytest.raises(NightHeld, match="deletion_guard"):
        _night(config)
    assert _committed(tmp_path, "roster") == 1
    # IT approves the removals and runs the night again (half the students gone: the match gate then
    # refuses the diagnostics, as it should, so the roster's steps are what is run here)
    rerun = _night(config, allow_deletions=True, last="roster")
    assert rerun["roster"][0].reused  # the refused night's extract is what the files still are
    assert not rerun["roster"][1].unchanged and _committed(tmp_path, "roster") == 2
    assert _night(config, last="roster")["roster"][1].unchanged


def _tiers(config: Path) -> tuple[Tiers, pa.Table]:
    """The tiers step's result, and the assignments stored after it."""
    run = _opened(config)
    try:
        tiers = run_steps(run, ["tiers"])["tiers"]
        return tiers, run.warehouse.read("tier_assignment", run.district_id).sort_by("source_id")
    finally:
        run.close()


def test_tiers_are_kept_until_a_test_or_the_policy_changes(tmp_path: Path, drop: Path) -> None:
    config = _config(tmp_path)
    _night(config)
    decided, assigned = _tiers(config)
    kept, still = _tiers(config)
    assert _committed(tmp_path, TIERS_STEP) == 1  # the second night wrote nothing
    assert still.equals(assigned)
    # the kept night's pyramid, counted in SQL, is the one the deciding night built from the rows
    assert kept.distribution.num_rows > 0 and kept.distribution.equals(decided.distribution)
    stricter = _config(tmp_path, tutoring={"iready_tier2_levels_below": 2, "iready_tier3_levels_below": 3})
    _, again = _tiers(stricter)
    assert _committed(tmp_path, TIERS_STEP) == 2
    tier = {row["source_id"]: row["tier"] for row in again.to_pylist()}
    assert any(tier[row["source_id"]] != row["tier"] for row in assigned.to_pylist())


def _people(names: list[str]) -> NormalizedBatch:
    rows = pa.table({"source_id": names, "role": ["student"] * len(names), "given_name": names})
    return NormalizedBatch({"person": rows}, {"person": SyncMode.BULK})


def _with_body(count: int) -> pa.Table:
    return pa.table({"n": [count], "body": ["<html>...</html>"]})


def test_derived_files_are_made_again_only_when_what_they_read_or_their_settings_change(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path)
    run = _opened(config)
    made: list[int] = []

    def count_people() -> dict[str, pa.Table]:
        made.append(run.warehouse.count("person", "d1"))
        return {"people": pa.table({"n": [made[-1]]})}

    folder = tmp_path / "data" / "d1" / "analytics" / "people"

    def derive(settings: str = "s1") -> int:
        made_now = derived_files(run, "people", folder, ["person"], settings, count_people)
        return made_now["people"]["n"][0].as_py()

    try:
        run.warehouse.apply("d1", "roster", _people(["a", "b"]))
        assert derive() == 2 and derive() == 2 and made == [2]  # kept: made once
        school = pa.table({"source_id": ["s"], "name": ["S"], "org_type": ["school"]})
        run.warehouse.apply("d1", "schools", NormalizedBatch({"school": school}, {}))
        assert derive() == 2 and made == [2]  # a table it does not read changed
        with pytest.raises(DeletionGuardError):
            run.warehouse.apply("d1", "roster", _people(["a"]), max_delete_fraction=0.1)
        assert derive() == 2 and made == [2]  # a refused sync changed nothing
        run.warehouse.apply("d1", "roster", _people(["a", "b", "c"]))
        assert derive() == 3 and made == [2, 3]
        assert derive("s2") == 3 and made == [2, 3, 3]  # other settings: made again
        assert derive("s2") == 3 and len(made) == 3
        assert run.warehouse.step_record("d1", "people").policy_key == "s2"  # its mark, in step_state
        (folder / "people.parquet").unlink()
        assert derive("s2") == 3 and len(made) == 4  # a file gone: made again, not taken as kept
        # a kept night reads only the columns the step shows of what it keeps (a report's body stays)
        made_wide = derived_files(run, "people", folder, ["person"], "s3", lambda: {"people": _with_body(3)})
        kept = derived_files(run, "people", folder, ["person"], "s3", count_people, {"people": ["n"]})
        assert made_wide["people"].column_names == ["n", "body"] and kept["people"].column_names == ["n"]
        assert kept["people"]["n"][0].as_py() == 3 and len(made) == 4  # kept, not made again
    finally:
        run.close()
