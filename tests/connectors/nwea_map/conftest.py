"""Builders for MAP exports in NWEA's exact layouts: rows start from the 2020+ columns and are written
in any known layout through the rename map, the way each year's export would have carried them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pytest

from connectors.nwea_map import MapConfig, MapSource
from connectors.nwea_map.layouts import (
    ASSESSMENT_RESULTS_2015,
    ASSESSMENT_RESULTS_2020,
    ASSESSMENT_RESULTS_PRE_2015,
    COMBO_2020,
    RENAMES,
    STUDENTS_BY_SCHOOL_2020,
    STUDENTS_BY_SCHOOL_PRE_2020,
)

Row = dict[str, str]

LAYOUTS = {
    "2020": ASSESSMENT_RESULTS_2020,
    "2015": ASSESSMENT_RESULTS_2015,
    "pre-2015": ASSESSMENT_RESULTS_PRE_2015,
    "combined-2020": COMBO_2020,
}
_OLD_NAME = {new: old for old, new in RENAMES.items()}
_OLD_DISCIPLINE = {"Language Arts": "Reading"}
_OLD_SCALE = {"Reading": "Reading", "Math K-12": "Mathematics"}


def base_row(**cells: str) -> Row:
    """One 2020+ ``AssessmentResults`` row: a valid fall reading test, with ``cells`` replaced."""
    row = dict.fromkeys(ASSESSMENT_RESULTS_2020, "")
    row.update(
        TermName="Fall 2023-2024",
        DistrictName="North Unified",
        District_StateID="1234567",
        SchoolName="Lincoln Elementary",
        School_StateID="123456700012",
        StudentID="100001",
        Student_StateID="9000000001",
        Subject="Language Arts",
        Course="Reading",
        GrowthMeasureYN="TRUE",
        NormsReferenceData="2020",
        TestType="Survey With Goals",
        TestName="Growth: Reading 2-5 CCSS 2010 V4",
        TestID="800000001",
        TestStartDate="09/12/2023",
        TestStartTime="09:41:07",
        TestDurationMinutes="48",
        TestRITScore="188",
        TestStandardError="3.20",
        TestPercentile="35",
        AchievementQuintile="LoAvg",
        PercentCorrect="51",
        RapidGuessingPercentage="0.0000",
        Goal1Name="Literary Text",
        Goal1RitScore="184",
        Goal1StdErr="6.4",
        Goal1Range="178-190",
        Goal1Adjective="LoAvg",
        Goal2Name="Informational Text",
        Goal2RitScore="180",
        Goal2StdErr="6.9",
        Goal2Range="173-187",
        Goal2Adjective="Low",
        Goal3Name="Vocabulary: Acquisition and Use",
        Goal3RitScore="195",
        Goal3StdErr="6.6",
        Goal3Range="189-201",
        Goal3Adjective="Avg",
    )
    row.update(cells)
    return row


def in_layout(row: Row, layout: str, *, date_format: str | None = None) -> Row:
    """``row`` as the given layout carries it: old names, old vocabularies, columns it lacks dropped."""
    old = dict(row)
    if layout in ("2015", "pre-2015"):
        old = {_OLD_NAME.get(name, name): value for name, value in row.items()}
        old["Discipline"] = _OLD_DISCIPLINE.get(row["Subject"], row["Subject"])
        old["MeasurementScale"] = _OLD_SCALE.get(row["Course"], row["Course"])
    if date_format and row["TestStartDate"]:
        month, day, year = (int(part) for part in row["TestStartDate"].split("/"))
        old["TestStartDate"] = date_format.format(m=month, d=day, y=year, yy=year % 100)
    return {name: old.get(name, "") for name in LAYOUTS[layout]}


def csv_text(header: list[str], rows: Iterable[Mapping[str, str]], *, delimiter: str = ",") -> str:
    """NWEA's quoting: a bare header, every data field in double quotes, LF line ends."""
    out = io.StringIO()
    out.write(delimiter.join(header) + "\n")
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return out.getvalue()


def students_by_school(rows: Iterable[Row], layout: str = "2020") -> str:
    """A ``StudentsBySchool.csv`` for the students of ``rows`` (grade from each row's ``_grade``)."""
    header = STUDENTS_BY_SCHOOL_2020 if layout == "2020" else STUDENTS_BY_SCHOOL_PRE_2020
    students = {}
    for row in rows:
        students[(row["TermName"], row["StudentID"])] = {
            **{name: row.get(name, "") for name in header},
            "StudentLastName": "Doe",
            "StudentFirstName": "Sam",
            "StudentDateOfBirth": "03/14/2015",
            "StudentGender": "F",
            "Grade": row.get("_grade", "3"),
            "NWEAStandard_Grade": row.get("_grade", "3"),
        }
    return csv_text(header, students.values())


class Cdf:
    """The builders, handed to tests by the ``cdf`` fixture (test modules cannot import a conftest)."""

    layouts = LAYOUTS
    row = staticmethod(base_row)
    in_layout = staticmethod(in_layout)
    csv_text = staticmethod(csv_text)
    students_by_school = staticmethod(students_by_school)


@pytest.fixture
def cdf() -> type[Cdf]:
    return Cdf


@pytest.fixture
def export_dir(tmp_path: Path) -> Callable[..., Path]:
    """Write files (name -> text or bytes) into a fresh export folder."""
    counter = iter(range(1_000))

    def write(files: Mapping[str, str | bytes]) -> Path:
        folder = tmp_path / f"export{next(counter)}"
        folder.mkdir()
        for name, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            (folder / name).write_bytes(data)
        return folder

    return write


@pytest.fixture
def source() -> Callable[..., MapSource]:
    def make(path: Path, **settings: object) -> MapSource:
        return MapSource(MapConfig.model_validate({"path": path, **settings}))

    return make
