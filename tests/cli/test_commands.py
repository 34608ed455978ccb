"""The `tutorhub` command as IT staff use it: validate, plugins, sync, and its error messages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import pytest
import yaml
from click.testing import CliRunner

from cli.main import main
from cli.night import run_districts
from cli.summary import render_outcome
from hub.pipeline.context import DistrictRun
from hub.plugins import installed
from hub.settings import load_hub_config
from tests.cli.conftest import district_with_roster

ROSTER = Path("oneroster") / "edfi-lms-toolkit-1.1"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_validate_oneroster_json_has_the_documented_keys(runner: CliRunner, shared_fixtures: Path) -> None:
    result = runner.invoke(main, ["validate", "oneroster", str(shared_fixtures / ROSTER), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["importable"] is True and summary["version"] == "1.1"
    users = summary["files"]["users.csv"]
    assert (users["rows"], users["accepted"], users["rejected"]) == (10, 10, 0)
    assert users["warnings"] >= 1  # the two teacher rows with a trailing empty cell
    assert summary["entities"] == {
        "students": 8,
        "teachers": 2,
        "sections": 2,
        "enrollments": 24,
        "schools": 1,
    }


def test_validate_text_names_rejects_with_line_and_reason(
    runner: CliRunner, shared_fixtures: Path, tmp_path: Path
) -> None:
    package = tmp_path / "package"
    shutil.copytree(shared_fixtures / ROSTER, package)
    enrollments = (package / "enrollments.csv").read_text().splitlines()
    enrollments[3] = enrollments[3].replace("25590100102Trad220ALG112011", "NO-SUCH-CLASS")
    (package / "enrollments.csv").write_text("\n".join(enrollments))
    result = runner.invoke(main, ["validate", "oneroster", str(package)])
    assert result.exit_code == 0, result.output
    assert "enrollments.csv: 24 rows, 23 accepted, 1 rejected" in result.output
    assert (
        "enrollments.csv:4" in result.output
        and "NO-SUCH-CLASS" not in result.output.split("first rejects")[0]
    )


def test_validate_exits_1_and_names_file_and_header_when_not_importable(
    runner: CliRunner, shared_fixtures: Path, tmp_path: Path
) -> None:
    package = tmp_path / "package"
    shutil.copytree(shared_fixtures / ROSTER, package)
    users = (package / "users.csv").read_text().replace("givenName", "firstName", 1)
    (package / "users.csv").write_text(users)
    result = runner.invoke(main, ["validate", "oneroster", str(package), "--json"])
    assert result.exit_code == 1
    summary = json.loads(result.output)
    assert summary["importable"] is False
    assert "givenName" in summary["files"]["users.csv"]["fatal"]


def test_plugins_lists_builtin_connectors(runner: CliRunner) -> None:
    result = runner.invoke(main, ["plugins", "--json"])
    assert result.exit_code == 0
    listed = {c["name"]: c for c in json.loads(result.output)["connectors"]}
    assert {
        "oneroster_csv",
        "iready",
        "nwea_map",
        "session_log",
        "canvas",
        "oneroster_gradebook",
        "files",
    } <= set(listed)
    assert listed["canvas"]["kind"] == "destination" and listed["iready"]["package"] == "tutorhub"


def test_wrong_config_is_one_message_and_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "hub.yaml"
    config.write_text("districts:\n  - id: d1\n    name: D\n    timezone: Central\n")
    result = runner.invoke(main, ["sync", "--config", str(config)])
    assert result.exit_code == 2
    assert f"error: {config}: district 'd1': districts[0].timezone: Value error" in result.output
    assert "Traceback" not in result.output


def test_sync_refused_by_the_deletion_guard_fails_visibly(shared_fixtures: Path, tmp_path: Path) -> None:
    package = tmp_path / "roster"
    shutil.copytree(shared_fixtures / ROSTER, package)
    path = tmp_path / "hub.yaml"
    district = {"id": "grand_bend", "name": "Grand Bend ISD", "timezone": "America/Chicago"}
    connectors = [{"name": "roster", "type": "oneroster_csv", "settings": {"path": str(package)}}]
    path.write_text(
        yaml.safe_dump({"data_dir": "data", "districts": [{**district, "connectors": connectors}]})
    )
    hub = load_hub_config(path)
    with dg.instance_for_test() as instance:
        [first] = run_districts(
            hub, ["grand_bend"], instance=instance, selection=["roster_extract", "roster"]
        )
        assert first.success, first.failures
        users = (package / "users.csv").read_text().splitlines()
        (package / "users.csv").write_text("\n".join(users[:-4]))  # the export lost half the students
        [second] = run_districts(
            hub, ["grand_bend"], instance=instance, selection=["roster_extract", "roster"]
        )
        assert not second.success
        [message] = second.failures
        assert "would remove 2 of 8 active students (25.0%); 2 of 2 active teachers (100.0%)" in message
        assert "--allow-deletions" in message
        summary = render_outcome(second, "sync")
        assert f"  failed: {message.splitlines()[0]}" in summary
        assert "  refused: roster:deletion_guard (why: above)" in summary  # said once, not twice
        [third] = run_districts(
            hub,
            ["grand_bend"],
            instance=instance,
            selection=["roster_extract", "roster"],
            allow_deletions=True,
        )
        # approved: the removal lands, and the enrollments left pointing at the removed people now fail
        # the blocking referential-integrity check, so nothing downstream would run on this roster
        assert third.checks_failed == ["roster:referential_integrity"]
        run = DistrictRun(hub, hub.district("grand_bend"), installed())
        try:
            assert run.warehouse.count("person", "grand_bend") == 6
        finally:
            run.close()


def test_validate_diagnostics_reports_layout_subject_and_match_rate(
    runner: CliRunner, tmp_path: Path
) -> None:
    from connectors.iready.writer import write_iready
    from testkit.synthetic import DistrictSpec, build_district

    district = build_district(DistrictSpec(students=300, seed=3))
    path = district_with_roster(tmp_path, district)
    [ela, _math] = sorted(write_iready(district, tmp_path / "iready"))
    result = runner.invoke(
        main, ["validate", "iready", str(ela), "--json", "--district", "d1", "--config", str(path)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["match_rate"]["rate"] == 1.0 and summary["match_rate"]["minimum"] == 0.95
    assert summary["entities"]["results"] > 0
    assert (summary["layout"], summary["subject"]) == ("2025-26", "ela")
    # a student the roster does not know lowers the rate and is listed by vendor id only
    lines = ela.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    stranger = lines[1].split(",")
    stranger[header.index("Student ID")] = "999999999"
    ela.write_text("\n".join([lines[0], ",".join(stranger), *lines[2:]]) + "\n", encoding="utf-8")
    result = runner.invoke(
        main, ["validate", "iready", str(ela), "--json", "--district", "d1", "--config", str(path)]
    )
    rate = json.loads(result.output)["match_rate"]
    assert rate["rate"] < 1.0
    [file_rate] = rate["files"].values()
    assert file_rate["first_unmatched_ids"] == ["999999999"]
