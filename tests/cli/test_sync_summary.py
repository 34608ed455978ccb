"""The end of `tutorhub sync`: one summary per district, never a stack trace (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
from pathlib import Path

import dagster as dg
import yaml

from cli.night import run_districts
from cli.summary import render_outcome
from hub.settings import load_hub_config
from testkit.synthetic import DistrictSpec, build_district

SELECTION = ["roster_extract", "roster", "diagnostics_extract", "assessment_results"]


def _district_whose_diagnostics_belong_to_another(tmp_path: Path, warehouse_url: str) -> Path:
    from connectors.iready.writer import write_iready
    from connectors.oneroster_csv.writer import write_oneroster

    district = build_district(DistrictSpec(students=120, seed=3))
    write_oneroster(district, tmp_path / "drop")
    for export in write_iready(district, tmp_path / "iready"):  # ids from some other system
        with export.open(encoding="utf-8-sig", newline="") as stream:
            rows = list(csv.DictReader(stream))
        with export.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows({**row, "Student ID": f"X{row['Student ID']}"} for row in rows)
    connectors = [
        {"name": "roster", "type": "oneroster_csv", "settings": {"path": "drop/oneroster-1.2-bulk.zip"}},
        {"name": "iready", "type": "iready", "settings": {"path": "iready"}},
    ]
    district = {"id": "d1", "name": "D1", "warehouse_url": warehouse_url, "connectors": connectors}
    path = tmp_path / "hub.yaml"
    path.write_text(yaml.safe_dump({"data_dir": "data", "districts": [district]}))
    return path


def test_a_refused_file_is_summarised_with_rate_and_ids_never_names(
    tmp_path: Path, warehouse_url: str
) -> None:
    hub = load_hub_config(_district_whose_diagnostics_belong_to_another(tmp_path, warehouse_url))
    with dg.instance_for_test() as instance:
        [outcome] = run_districts(hub, ["d1"], instance=instance, selection=SELECTION)
    text = "\n".join(render_outcome(outcome, "sync"))

    assert text.startswith(f"d1: FAILED (Dagster run {outcome.run_id})\n  landed (rows): ")
    assert "roster_extract" in text and "assessment_results 0" in text
    assert "\n  refused: assessment_results:match_rate\n" in text
    assert "0.0% of" in text and "results matched a roster student" in text
    assert "First unmatched vendor student ids: " in text
    assert "To fix: run the roster sync first" in text
    assert "next: fix what is named above, then `tutorhub sync --district d1`" in text
    assert "Traceback" not in text and "dagster._core" not in text
    exports = sorted((tmp_path / "iready").glob("*.csv"))
    with exports[0].open(encoding="utf-8-sig", newline="") as stream:
        people = list(csv.DictReader(stream))
    unmatched_id = people[0]["Student ID"]
    assert unmatched_id in text  # the vendor id is given...
    assert not any(row["Last Name"] in text or row["First Name"] in text for row in people)  # ...no name


def test_a_good_night_says_what_landed_and_what_to_do_next(tmp_path: Path, warehouse_url: str) -> None:
    path = _district_whose_diagnostics_belong_to_another(tmp_path, warehouse_url)
    hub = load_hub_config(path)
    with dg.instance_for_test() as instance:
        [outcome] = run_districts(hub, ["d1"], instance=instance, selection=["roster_extract", "roster"])
    lines = render_outcome(outcome, "sync")
    assert lines[0] == f"d1: ok (Dagster run {outcome.run_id})"
    assert lines[1].startswith("  landed (rows): roster_extract ")
    assert lines[-1] == "  next: `tutorhub push --dry-run` shows what the reports would send"
