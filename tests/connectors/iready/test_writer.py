"""The synthetic district written as i-Ready exports reads back through the connector, test for test."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest

from connectors.iready.layouts import LAYOUTS
from connectors.iready.writer import write_iready
from testkit.simulate import iready as simulate
from testkit.synthetic import DistrictSpec, SyntheticDistrict, build_district

CURRENT = {layout.subject: layout.columns for layout in LAYOUTS if layout.label == "2025-26"}
STUDENTS = 300


@pytest.fixture(scope="module")
def district() -> SyntheticDistrict:
    return build_district(DistrictSpec(students=STUDENTS, seed=11))


@pytest.fixture(scope="module")
def exports(district: SyntheticDistrict, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_iready(district, tmp_path_factory.mktemp("iready"))


def _records(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as text:
        return list(csv.DictReader(text))


def test_the_files_have_the_vendor_names_bytes_and_exact_headers(exports: list[Path]) -> None:
    assert [path.name for path in exports] == [
        "diagnostic_results_ela_CONFIDENTIAL.csv",
        "diagnostic_results_math_CONFIDENTIAL.csv",
    ]
    for path, subject in zip(exports, ("ela", "math"), strict=True):
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")
        assert data.count(b"\r\n") == data.count(b"\n") and b'"' not in data
        header = data[3:].split(b"\r\n", 1)[0].decode().split(",")
        assert tuple(header) == CURRENT[subject] and len(header) == {"ela": 65, "math": 58}[subject]


def test_every_test_reads_back_through_the_connector(exports: list[Path], sync) -> None:
    extract, batch = sync(exports[0].parent)

    assert batch.issues == [] and extract.issues == []
    results = batch.tables["assessment_result"]
    for path, subject in zip(exports, ("ela", "math"), strict=True):
        records = _records(path)
        mine = results.filter(pc.equal(results.column("subject"), subject))
        assert mine.num_rows == len(records)
        per_window = Counter((row["Student ID"], row["Norming Window"].split()[0]) for row in records)
        assert set(per_window.values()) == {1, 2}  # everyone tests each window, a few twice
        assert len(per_window) == STUDENTS * 3
        domains = batch.tables["domain_result"]
        mine_domains = pc.sum(
            pc.is_in(domains.column("result_source_id"), value_set=mine.column("source_id"))
        )
        assert mine_domains.as_py() == len(records) * {"ela": 7, "math": 4}[subject]
        assert pc.sum(mine.column("vendor_most_recent")).as_py() == STUDENTS
        assert sum(row["Baseline Diagnostic (Y/N)"] == "Y" for row in records) == STUDENTS
        assert 0 < pc.sum(mine.column("rushed")).as_py() < len(records) / 10


def test_the_most_recent_flag_marks_each_students_last_test(exports: list[Path]) -> None:
    records = _records(exports[1])
    last: dict[str, tuple] = {}
    for row in records:
        month, day, year = (int(part) for part in row["Completion Date"].split("/"))
        last[row["Student ID"]] = max(last.get(row["Student ID"], (0, 0, 0)), (year, month, day))
    for row in records:
        month, day, year = (int(part) for part in row["Completion Date"].split("/"))
        is_last = (year, month, day) == last[row["Student ID"]]
        assert (row["Most Recent Diagnostic YTD (Y/N)"] == "Y") == is_last, row["Student ID"]


def test_placements_follow_the_districts_levels(
    district: SyntheticDistrict, exports: list[Path], sync
) -> None:
    """A single, unrushed fall test shows the district's own fall level: its grade levels below are the
    student's grade minus the grade placed in (Emerging K counting as below kindergarten)."""
    _, batch = sync(exports[0])
    fall = [row for row in batch.tables["assessment_result"].to_pylist() if row["window"] == "fall"]
    sittings = Counter(row["vendor_student_id"] for row in fall)
    single = {row["vendor_student_id"]: row for row in fall if sittings[row["vendor_student_id"]] == 1}
    single = {sis: row for sis, row in single.items() if not row["rushed"]}
    students = district.students
    row_of = {sis: n for n, sis in enumerate(students.column("sis_id").to_pylist())}
    index = np.array([row_of[sis] for sis in single])
    grade = students.column("grade_num").to_numpy().astype(int)[index]
    equivalent = grade + district.level_at("ela", "fall").to_numpy()[index]
    expected = np.clip(grade - np.clip(np.floor(equivalent), -1, 12), 0, 3)

    assert len(single) > STUDENTS * 0.9
    assert [row["grade_levels_below"] for row in single.values()] == expected.tolist()
    scores = np.array([row["scale_score"] for row in single.values()])
    assert np.all(np.diff(scores[np.argsort(equivalent)]) >= 0)  # higher level, never a lower score


def test_a_snapshot_through_fall_has_fall_tests_only(
    district: SyntheticDistrict, tmp_path: Path, sync
) -> None:
    write_iready(district, tmp_path, through="fall")

    _, batch = sync(tmp_path)

    results = batch.tables["assessment_result"]
    assert set(results.column("window").to_pylist()) == {"fall"}
    assert pc.sum(results.column("vendor_most_recent")).as_py() == 2 * STUDENTS


def test_the_same_district_writes_the_same_bytes(
    district: SyntheticDistrict, exports: list[Path], tmp_path
) -> None:
    again = write_iready(district, tmp_path)

    assert [path.read_bytes() for path in again] == [path.read_bytes() for path in exports]
    with pytest.raises(ValueError, match="unknown window 'summer'"):
        write_iready(district, tmp_path, through="summer")


PLACED = {"Emerging K": -1, "K": 0, **{str(grade): grade for grade in range(1, 13)}}
OWN_GRADE_WORDS = ("Early", "Mid", "Late")


def _placed_grade(placement: str) -> int:
    """The grade a placement names: ``Emerging K`` -1, ``Early K`` / ``Grade K`` 0, ``Late 10`` 10."""
    return PLACED.get(placement, PLACED[placement.rsplit(" ", 1)[-1]])


@pytest.mark.parametrize("subject", ["ela", "math"])
def test_every_placement_is_plausible_for_the_grade_and_agrees_with_the_score(
    tmp_path: Path, subject: str
) -> None:
    """What a teacher reads beside a student: no high schooler placed in kindergarten. The demo's default
    district (2,000 students, seed 7) once drew an 11th grader eleven grade levels below.

    At the lowest a student sits two grade levels plus half their grade below it (the district's floor),
    less a rushed sitting (a grade level) and test noise; Early / Mid / Late only in the student's own
    grade, as i-Ready writes them; the score lies in the placed grade's band (Grade 12, the top, has no
    ceiling), and Mid or Above exactly when it reaches the grade's mid cut (true of every vendor sample).
    """
    district = build_district(DistrictSpec(students=2000, seed=7))
    [export] = [path for path in write_iready(district, tmp_path) if subject in path.name]
    rows = _records(export)
    grade = np.array([PLACED[row["Student Grade"]] for row in rows])
    placement = np.array([row["Overall Placement"] for row in rows])
    placed = np.array([_placed_grade(text) for text in placement])
    score = np.array([int(row["Overall Scale Score"]) for row in rows])
    floor = simulate.scale_scores(subject, placed.astype(float))
    ceiling = np.where(placed == 12, np.inf, simulate.scale_scores(subject, placed + 1.0))
    mid_cut = np.array([int(row["Mid On Grade Level Scale Score"]) for row in rows])
    mid_or_above = np.array([row["Overall Relative Placement"] == "Mid or Above Grade Level" for row in rows])

    implausible = placed < grade - (2 + grade / 2) - 1.5
    assert not implausible.any(), sorted(set(zip(grade[implausible], placement[implausible], strict=True)))
    assert np.all(placed <= grade + 4)
    own_grade_words = np.isin(np.char.partition(placement, " ")[:, 0], OWN_GRADE_WORDS)
    assert np.array_equal(own_grade_words, (placed == grade) & (placement != "Emerging K"))
    assert np.all(((score >= floor) | (placed == -1)) & (score <= ceiling))
    assert np.array_equal(mid_or_above, score >= mid_cut)
