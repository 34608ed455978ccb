"""`tutorhub validate` gives the verdict `sync` will give, in text and JSON alike, with documented exits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli.main import main
from tests.cli.conftest import district_with_roster

MAP_SAMPLE = Path("nwea-map") / "AssessmentResults.csv"


def _validate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    return result.exit_code, result.output


@pytest.fixture
def district_without_these_students(tmp_path: Path, warehouse_url: str) -> Path:
    """A district whose roster (the synthetic one) knows none of the MAP sample's students."""
    from testkit.synthetic import DistrictSpec, build_district

    return district_with_roster(
        tmp_path, build_district(DistrictSpec(students=60, seed=3)), warehouse_url=warehouse_url
    )


def test_with_a_district_the_match_gate_decides_in_text_and_json(
    district_without_these_students: Path, shared_fixtures: Path
) -> None:
    sample = str(shared_fixtures / MAP_SAMPLE)
    args = ["nwea_map", sample, "--district", "d1", "--config", str(district_without_these_students)]
    code, output = _validate(*args, "--json")
    summary = json.loads(output)
    assert code == 1 and summary["importable"] is False
    # judged file by file, as the sync's gate does (MAP's results file, i-Ready's exports)
    assert summary["refused_by_match_rate"] == ["AssessmentResults.csv"]
    report = summary["match_rate"]["files"]["AssessmentResults.csv"]
    assert report["loads"] is False and report["rate"] == 0.0
    assert "605001" in report["first_unmatched_ids"]
    code, text = _validate(*args)
    assert code == 1
    assert "  match rate: 0.0% (minimum 95.0%)" in text
    assert "    AssessmentResults.csv: 0.0%, 4 unmatched: REFUSED; first unmatched vendor ids: 605001" in text
    assert text.rstrip().endswith(
        "importable: NO (below the district's minimum match rate; sync would refuse it)"
    )


def test_without_a_district_the_file_alone_is_judged(shared_fixtures: Path) -> None:
    code, output = _validate("map", str(shared_fixtures / MAP_SAMPLE), "--json")
    assert code == 0 and json.loads(output)["importable"] is True


def test_a_map_file_alone_under_any_name_is_recognised_and_science_is_skipped(
    shared_fixtures: Path, tmp_path: Path
) -> None:
    renamed = tmp_path / "fall scores from MAP.csv"
    shutil.copy(shared_fixtures / MAP_SAMPLE, renamed)
    code, output = _validate("nwea_map", str(renamed), "--json")
    assert code == 0
    report = json.loads(output)["files"][renamed.name]
    assert (report["rows"], report["accepted"], report["rejected"], report["skipped"]) == (7, 4, 0, 3)
    assert report["skipped_why"] == ["3 row(s): Science: neither ELA nor math, skipped"]
    code, text = _validate("nwea_map", str(renamed))
    assert (
        "7 rows, 4 accepted, 0 rejected, 3 skipped (3 row(s): Science: neither ELA nor math, skipped)" in text
    )


def test_text_and_json_name_the_same_layout(shared_fixtures: Path) -> None:
    folder = str(shared_fixtures / "iready" / "diagnostic-results-2025-26")
    _, output = _validate("iready", folder, "--json")
    _, text = _validate("iready", folder)
    summary = json.loads(output)
    assert summary["version"] == summary["layout"] == "2025-26"
    assert text.splitlines()[0] == "iready export, version 2025-26, subject ela.csv: ela, math.csv: math"


def test_json_is_one_object_even_when_the_file_cannot_be_read(tmp_path: Path) -> None:
    notes = tmp_path / "notes.csv"
    notes.write_text("who,what\nme,this\n")
    code, output = _validate("nwea_map", str(notes), "--json")
    assert code == 1
    summary = json.loads(output)
    assert summary["importable"] is False and summary["connector"] == "nwea_map"
    assert "no MAP assessment results in this export" in summary["error"]
    code, text = _validate("map", str(notes))
    assert code == 1 and "ERROR: " in text and text.rstrip().endswith("importable: NO")


@pytest.mark.parametrize(("short", "full"), [("oneroster", "oneroster_csv"), ("map", "nwea_map")])
def test_short_names_are_aliases_of_the_connector_types(short: str, full: str, shared_fixtures: Path) -> None:
    sample = shared_fixtures / ("oneroster/edfi-lms-toolkit-1.1" if full == "oneroster_csv" else MAP_SAMPLE)
    by_short = json.loads(_validate(short, str(sample), "--json")[1])
    by_type = json.loads(_validate(full, str(sample), "--json")[1])
    assert by_short == by_type and by_type["connector"] == full


def _encrypted_zip(member: Path, archive: Path) -> Path:
    """A zip whose member is marked encrypted (general-purpose flag bit 0), as a password-protected export."""
    import zipfile

    with zipfile.ZipFile(archive, "w") as out:
        out.write(member, member.name)
    data = bytearray(archive.read_bytes())
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature)
        data[at + flag_offset] |= 0x01
    archive.write_bytes(bytes(data))
    return archive


def test_an_encrypted_zip_is_one_json_object_naming_the_password(
    shared_fixtures: Path, tmp_path: Path
) -> None:
    archive = _encrypted_zip(shared_fixtures / MAP_SAMPLE, tmp_path / "map-export.zip")
    code, output = _validate("nwea_map", str(archive), "--json")
    assert code == 1
    summary = json.loads(output)
    assert summary["importable"] is False
    assert "password-protected" in summary["error"] and "without a password" in summary["error"]


def test_an_unknown_district_is_a_hub_yaml_error_in_json_too(shared_fixtures: Path, tmp_path: Path) -> None:
    config = tmp_path / "hub.yaml"
    config.write_text(yaml.safe_dump({"districts": [{"id": "d1", "name": "D1"}]}))
    args = ["map", str(shared_fixtures / MAP_SAMPLE), "--district", "d9", "--config", str(config)]
    code, output = _validate(*args, "--json")
    summary = json.loads(output)
    assert code == 2 and summary["importable"] is False
    assert summary["error"] == f"{config}: no district 'd9'; configured: d1"
    code, text = _validate(*args)
    assert (code, text) == (2, f"error: {config}: no district 'd9'; configured: d1\n")
