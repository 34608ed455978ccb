"""The generic progress CSV: documented columns, every bad row refused with its reason, the contract met."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from connectors.progress_csv import ProgressCsvConfig, ProgressCsvSource
from hub.testing import check_source

HEADER = "student_id,date,measure,score,goal,subject,domain\n"


def source(path: Path) -> ProgressCsvSource:
    return ProgressCsvSource(ProgressCsvConfig(path=path))


def test_scores_load_as_points_of_their_measure(tmp_path: Path) -> None:
    path = tmp_path / "orf.csv"
    path.write_text(
        HEADER
        + "p-1,2025-10-06,ORF_wcpm,42,70,ela,\n"
        + "p-1,2025-10-13,orf_wcpm,45.5,,,Phonics\n"
        + "p-2,2025-10-06,maze,12,,math,\n"
    )
    batch = check_source(source(path))
    points = {row["source_id"]: row for row in batch.tables["progress_point"].to_pylist()}
    first = points["csv:p-1:2025-10-06:orf_wcpm"]
    assert (first["score"], first["goal_score"], first["subject"], first["source"]) == (
        42.0,
        70.0,
        "ela",
        "progress_csv",
    )
    assert first["observed_on"] == date(2025, 10, 6) and first["canonical_domain"] is None
    second = points["csv:p-1:2025-10-13:orf_wcpm"]
    assert (second["canonical_domain"], second["subject"]) == ("phonics", "ela")  # subject from the domain
    assert points["csv:p-2:2025-10-06:maze"]["subject"] == "math"


def test_each_bad_row_is_refused_with_file_line_column_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "probes.csv"
    path.write_text(
        HEADER
        + "p-1,2025-10-06,orf_wcpm,42,,ela,\n"  # line 2 kept
        + ",2025-10-06,orf_wcpm,42,,,\n"  # 3 missing student
        + "p-1,2025-02-30,orf_wcpm,42,,,\n"  # 4 bad date
        + "p-1,2009-10-06,orf_wcpm,42,,,\n"  # 5 implausible
        + "p-1,2025-10-07,mastery_check,42,,,\n"  # 6 reserved measure
        + "p-1,2025-10-08,orf_wcpm,-3,,,\n"  # 7 bad score
        + "p-1,2025-10-09,orf_wcpm,40,lots,,\n"  # 8 bad goal
        + "p-1,2025-10-10,orf_wcpm,40,,science,\n"  # 9 bad subject
        + "p-1,2025-10-11,orf_wcpm,40,,,spelling\n"  # 10 unknown domain
        + "p-1,2025-10-12,orf_wcpm,40,,math,phonics\n"  # 11 domain of another subject
        + "p-1,2025-10-06,orf_wcpm,44,,ela,\n"  # 12 duplicate of line 2
        + "p-1,2025-10-14,orf_wcpm\n"  # 13 wrong field count
    )
    extract = source(path).read()
    found = [(i.line, i.column, i.kind) for i in extract.issues if i.severity == "reject"]
    assert sorted(found, key=lambda item: item[0]) == [
        (3, "student_id", "missing_required"),
        (4, "date", "bad_date"),
        (5, "date", "implausible_date"),
        (6, "measure", "bad_measure"),
        (7, "score", "bad_score"),
        (8, "goal", "bad_goal"),
        (9, "subject", "bad_subject"),
        (10, "domain", "unknown_domain"),
        (11, "domain", "domain_subject"),
        (12, "student_id", "duplicate_score"),
        (13, None, "column_count"),
    ]
    report = extract.files["probes.csv"]
    assert (report.rows, report.accepted, report.rejected) == (12, 1, 11)
    points = source(path).normalize(extract).tables["progress_point"]
    assert points.column("score").to_pylist() == [42.0]  # the first of the duplicates is kept


def test_a_missing_required_column_stops_that_file_only(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("student_id,date,score\np-1,2025-10-06,4\n")
    (tmp_path / "b.csv").write_text(HEADER + "p-1,2025-10-06,maze,4,,math,\n")
    extract = source(tmp_path).read()
    assert "missing required column(s) measure" in (extract.files["a.csv"].fatal or "")
    assert extract.files["b.csv"].accepted == 1


def test_a_later_file_corrects_an_earlier_score(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "2025-10.csv").write_text(HEADER + "p-1,2025-10-06,maze,4,,math,\n")
    (folder / "2025-11.csv").write_text(HEADER + "p-1,2025-10-06,maze,6,,math,\n")
    archive = tmp_path / "probes.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in folder.iterdir():
            zipped.write(path, path.name)
    for where in (folder, archive):
        batch = check_source(source(where))
        assert batch.tables["progress_point"].column("score").to_pylist() == [6.0]


def test_validate_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "orf.csv"
    path.write_text(HEADER + "p-1,2025-10-06,orf_wcpm,42,70,ela,\np-1,2025-10-13,orf_wcpm,x,,ela,\n")
    result = CliRunner().invoke(main, ["validate", "progress", str(path), "--json"])
    summary = json.loads(result.output)
    assert summary["connector"] == "progress_csv" and summary["importable"] is True
    assert summary["files"]["orf.csv"] == {
        "rows": 2,
        "accepted": 1,
        "rejected": 1,
        "warnings": 0,
        "warnings_by_kind": {},
    }
    assert summary["entities"] == {"progress_points": 1}
    assert summary["rejects"][0]["line"] == 3 and summary["rejects"][0]["column"] == "score"
