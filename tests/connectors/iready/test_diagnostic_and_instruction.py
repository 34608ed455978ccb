"""The i-Ready "Diagnostic and Instruction" export (YTD window): a row per student, tests side by side."""

from __future__ import annotations

import csv
from pathlib import Path

from connectors.iready import IReadyConfig, IReadySource
from connectors.iready.headers import DNI_ELA

PREFIX, TEST = DNI_ELA[:23], DNI_ELA[23:]
NUMBERED = [name for name in TEST if name not in {"Lexile Measure", "Lexile Range", "Grouping"}]
INSTRUCTION = ["Instruction: Overall Lessons Passed", "Instruction: Overall Pass Rate (%)"]


def _header() -> list[str]:
    blocks = [f"Diagnostic: {name} (Most Recent)" for name in TEST]
    for test in range(1, 6):
        blocks += [f"Diagnostic: {name} ({test})" for name in NUMBERED]
    return [*PREFIX, *blocks, *INSTRUCTION]


def _test(date: str, score: str, relative: str) -> dict[str, str]:
    values = {name: "" for name in TEST}
    values.update(
        {
            "Start Date": date,
            "Completion Date": date,
            "Time on Task (min)": "41",
            "Rush Flag": "",
            "Overall Scale Score": score,
            "Overall Placement": "Grade 4",
            "Percentile": "38",
            "Overall Relative Placement": relative,
            "Phonics Scale Score": score,
            "Phonics Placement": "Grade 4",
            "Phonics Relative Placement": relative,
        }
    )
    return values


def _row(student: str, tests: list[dict[str, str]]) -> list[str]:
    prefix = dict.fromkeys(PREFIX, "")
    prefix.update({"Last Name": "Doe", "First Name": "Sam", "Student ID": student, "Student Grade": "5"})
    prefix.update({"Academic Year": "2025-2026", "School": "Lincoln", "Subject": "Reading"})
    cells = list(prefix.values()) + [tests[-1].get(name, "") for name in TEST]
    for test in range(5):
        taken = tests[test] if test < len(tests) else {}
        cells += [taken.get(name, "") for name in NUMBERED]
    return [*cells, "12", "80"]


def write_export(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(_header())
        writer.writerow(
            _row("1001", [_test("9/10/2025", "480", "1 Level Below"), _test("1/12/2026", "502", "On Level")])
        )
        writer.writerow(_row("1002", [_test("9/11/2025", "455", "2 or More Levels Below")]))
    return path


def test_each_test_taken_becomes_a_result_and_the_latest_is_marked(tmp_path: Path) -> None:
    export = write_export(tmp_path / "renamed-by-the-district.csv")
    source = IReadySource(IReadyConfig(path=export))
    extract = source.read()
    assert extract.info["files"][export.name]["layout"] == "Diagnostic and Instruction"
    assert extract.info["files"][export.name]["subject"] == "ela"
    batch = source.normalize(extract)
    results = batch.tables["assessment_result"].sort_by(
        [("vendor_student_id", "ascending"), ("test_date", "ascending")]
    )
    rows = results.select(["vendor_student_id", "scale_score", "vendor_most_recent"]).to_pylist()
    assert rows == [
        {"vendor_student_id": "1001", "scale_score": 480.0, "vendor_most_recent": False},
        {"vendor_student_id": "1001", "scale_score": 502.0, "vendor_most_recent": True},
        {"vendor_student_id": "1002", "scale_score": 455.0, "vendor_most_recent": True},
    ]
    assert results.column("grade_levels_below").to_pylist() == [1, 0, 2]
    assert not [issue for issue in batch.issues if issue.severity == "reject"]
    lines = dict(
        zip(
            extract.streams["diagnostic_results"]["Overall Scale Score"].to_pylist(),
            extract.streams["diagnostic_results"]["_line"].to_pylist(),
            strict=True,
        )
    )
    assert lines == {"480": 2, "502": 2, "455": 3}  # each test cites its student's line


def test_a_zip_of_exports_is_read_like_the_folder(tmp_path: Path) -> None:
    import zipfile

    export = write_export(tmp_path / "d_and_i.csv")
    archive = tmp_path / "from-the-sftp.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(export, "exports/d_and_i.csv")
    extract = IReadySource(IReadyConfig(path=archive, pattern="**/*.csv")).read()
    assert list(extract.files) == ["exports/d_and_i.csv"]
    assert extract.streams["diagnostic_results"].num_rows == 3
