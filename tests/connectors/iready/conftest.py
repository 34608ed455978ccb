"""Builders for i-Ready exports in the vendor's exact shapes: header lists, BOM, CRLF, M/D/YYYY dates.

Rows are written from dicts keyed by 2025-26 column names; a layout that calls a column by an older name
(the reference's rename table, kept here on its own so the connector's copy is checked, not reused) gets
the same value under that name, and a column the layout lacks is simply not written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from connectors.iready import IReadyConfig, IReadySource
from hub.connector import Extract, NormalizedBatch

OLDER_NAMES = {
    "Gender": "Sex",
    "Diagnostic used to establish Growth Measures (Y/N)": "Baseline Diagnostic (Y/N)",
    "Most Recent Diagnostic (Y/N)": "Most Recent Diagnostic YTD (Y/N)",
    "Baseline Assessment (Y/N)": "Baseline Diagnostic (Y/N)",
    "Most Recent Assessment YTD (Y/N)": "Most Recent Diagnostic YTD (Y/N)",
    "Assessment Gain": "Diagnostic Gain",
    "Assessment Language": "Diagnostic Language",
}


def current_name(column: str) -> str:
    return OLDER_NAMES.get(column, column.removeprefix("Reading "))


def export_text(
    header: Sequence[str], rows: Sequence[Mapping[str, str]], *, bom: bool = True, crlf: bool = True
) -> bytes:
    """A CSV export: header, then each row's value for each column (blank when the row has none)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, row.get(current_name(column), "")) for column in header])
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode()


Write = Callable[..., Path]


@pytest.fixture
def write_export(tmp_path: Path) -> Write:
    """``write_export(name, header, rows, bom=True, crlf=True)`` -> the file's path under tmp_path/exports."""
    folder = tmp_path / "exports"
    folder.mkdir()

    def write(name: str, header: Sequence[str], rows: Sequence[Mapping[str, str]], **style: bool) -> Path:
        path = folder / name
        path.write_bytes(export_text(header, rows, **style))
        return path

    return write


Sync = Callable[..., tuple[Extract, NormalizedBatch]]


@pytest.fixture
def sync() -> Sync:
    """Read and normalize one file or folder with the i-Ready source: ``sync(path, **settings)``."""

    def run(path: Path, **settings: object) -> tuple[Extract, NormalizedBatch]:
        source = IReadySource(IReadyConfig(path=path, **settings))
        extract = source.read()
        return extract, source.normalize(extract)

    return run


_GRADE_3 = {
    "Last Name": "Last 7",
    "First Name": "First 7",
    "Student ID": "700301",
    "Student Grade": "3",
    "Academic Year": "2025-2026",
    "School": "School 3",
    "Enrolled": "Enrolled",
    "Sex": "female",
    "Annual Typical Growth Measure": "33",
    "Annual Stretch Growth Measure": "63",
    "Mid On Grade Level Scale Score": "545",
}
_GRADE_K = {**_GRADE_3, "Student ID": "700302", "Student Grade": "K", "Annual Typical Growth Measure": "40"}


@pytest.fixture
def ela_rows() -> list[dict[str, str]]:
    """Three tests of a grade 3 student and one of a kindergartner, with each placement vocabulary used."""
    fall = {
        "Start Date": "9/8/2025",
        "Completion Date": "9/9/2025",
        "Norming Window": "Fall (Beginning of Year - November 15)",
        "Baseline Diagnostic (Y/N)": "Y",
        "Most Recent Diagnostic YTD (Y/N)": "N",
        "Duration (min)": "41",
        "Overall Scale Score": "468",
        "Overall Placement": "Grade 1",
        "Overall Relative Placement": "2 Grade Levels Below",
        "Percentile": "12",
        "Lexile Measure": "BR120L",
        "Phonological Awareness Placement": "Not Assessed",
        "Phonological Awareness Relative Placement": "Not Assessed",
        "Phonics Scale Score": "481",
        "Phonics Placement": "Grade 1",
        "Phonics Relative Placement": "2 Grade Levels Below",
        "High-Frequency Words Scale Score": "510",
        "High-Frequency Words Placement": "Max Score",
        "High-Frequency Words Relative Placement": "Mid or Above Grade Level",
        "Vocabulary Scale Score": "455",
        "Vocabulary Placement": "Grade K",
        "Vocabulary Relative Placement": "3 or More Grade Levels Below",
        "Comprehension: Overall Scale Score": "470",
        "Comprehension: Overall Placement": "Grade 1",
        "Comprehension: Overall Relative Placement": "2 Grade Levels Below",
        "Comprehension: Literature Scale Score": "490",
        "Comprehension: Literature Placement": "Grade 2",
        "Comprehension: Literature Relative Placement": "1 Grade Level Below",
        "Comprehension: Informational Text Scale Score": "530",
        "Comprehension: Informational Text Placement": "Early 3",
        "Comprehension: Informational Text Relative Placement": "Early On Grade Level",
        "Diagnostic Gain": "0",
        "Percent Progress to Annual Typical Growth (%)": "0",
        "Percent Progress to Annual Stretch Growth (%)": "0",
    }
    winter = {
        **fall,
        "Start Date": "1/13/2026",
        "Completion Date": "1/13/2026",
        "Norming Window": "Winter (November 16 - March 1)",
        "Baseline Diagnostic (Y/N)": "N",
        "Duration (min)": "9",
        "Rush Flag": "Red Rush Flag",
        "Overall Scale Score": "430",
        "Overall Placement": "Grade K",
        "Overall Relative Placement": "3 or More Grade Levels Below",
        "Percentile": "3",
        "Lexile Measure": "BR400L",
    }
    spring = {
        **fall,
        "Start Date": "5/19/2026",
        "Completion Date": "5/19/2026",
        "Norming Window": "Spring (March 2 - End of Year)",
        "Baseline Diagnostic (Y/N)": "N",
        "Most Recent Diagnostic YTD (Y/N)": "Y",
        "Duration (min)": "52",
        "Overall Scale Score": "547",
        "Overall Placement": "Mid 3",
        "Overall Relative Placement": "Mid or Above Grade Level",
        "Percentile": "51",
        "Lexile Measure": "520L",
        "Phonics Scale Score": "",
        "Phonics Placement": "Tested Out",
        "Phonics Relative Placement": "Tested Out",
        "Vocabulary Scale Score": "",
        "Vocabulary Placement": "Surpassed Level",
        "Vocabulary Relative Placement": "Mid or Above Grade Level",
        "Diagnostic Gain": "79",
        "Percent Progress to Annual Typical Growth (%)": "239",
        "Percent Progress to Annual Stretch Growth (%)": "125",
    }
    kindergarten = {
        **fall,
        "Completion Date": "9/8/2025",
        "Duration (min)": "25",
        "Overall Scale Score": "362",
        "Overall Placement": "Emerging K",
        "Overall Relative Placement": "1 Grade Level Below",
        "Percentile": "20",
        "Lexile Measure": "",
        "Phonological Awareness Scale Score": "380",
        "Phonological Awareness Placement": "Early K",
        "Phonological Awareness Relative Placement": "Early On Grade Level",
        "Phonics Scale Score": "370",
        "Phonics Placement": "Early K",
        "Phonics Relative Placement": "Early On Grade Level",
        "High-Frequency Words Scale Score": "400",
        "High-Frequency Words Placement": "Mid K",
        "High-Frequency Words Relative Placement": "Mid or Above Grade Level",
        "Vocabulary Scale Score": "400",
        "Vocabulary Placement": "Mid K",
        "Vocabulary Relative Placement": "Mid or Above Grade Level",
        "Comprehension: Overall Scale Score": "355",
        "Comprehension: Overall Placement": "Emerging K",
        "Comprehension: Overall Relative Placement": "1 Grade Level Below",
        "Comprehension: Literature Scale Score": "350",
        "Comprehension: Literature Placement": "Emerging K",
        "Comprehension: Literature Relative Placement": "1 Grade Level Below",
        "Comprehension: Informational Text Scale Score": "420",
        "Comprehension: Informational Text Placement": "Late K",
        "Comprehension: Informational Text Relative Placement": "Mid or Above Grade Level",
    }
    return [
        {**_GRADE_3, **fall},
        {**_GRADE_3, **winter},
        {**_GRADE_3, **spring},
        {**_GRADE_K, **kindergarten},
    ]


@pytest.fixture
def math_rows() -> list[dict[str, str]]:
    """Two tests of a grade 6 student: an Emerging Mathematician Quantile, then on grade level."""
    common = {
        **_GRADE_3,
        "Student ID": "700601",
        "Student Grade": "6",
        "Mid On Grade Level Scale Score": "514",
    }
    fall = {
        "Start Date": "8/28/2025",
        "Completion Date": "8/28/2025",
        "Norming Window": "Fall (Beginning of Year - November 15)",
        "Baseline Diagnostic (Y/N)": "Y",
        "Most Recent Diagnostic YTD (Y/N)": "N",
        "Duration (min)": "79",
        "Overall Scale Score": "431",
        "Overall Placement": "Grade 2",
        "Overall Relative Placement": "3 or More Grade Levels Below",
        "Percentile": "4",
        "Quantile Measure": "EM50Q",
        "Number and Operations Scale Score": "421",
        "Number and Operations Placement": "Grade 2",
        "Number and Operations Relative Placement": "3 or More Grade Levels Below",
        "Algebra and Algebraic Thinking Scale Score": "480",
        "Algebra and Algebraic Thinking Placement": "Grade 4",
        "Algebra and Algebraic Thinking Relative Placement": "2 Grade Levels Below",
        "Measurement and Data Scale Score": "489",
        "Measurement and Data Placement": "Grade 5",
        "Measurement and Data Relative Placement": "1 Grade Level Below",
        "Geometry Scale Score": "525",
        "Geometry Placement": "Mid 6",
        "Geometry Relative Placement": "Mid or Above Grade Level",
        "Diagnostic Gain": "0",
        "Percent Progress to Annual Typical Growth (%)": "0",
        "Percent Progress to Annual Stretch Growth (%)": "0",
    }
    spring = {
        **fall,
        "Start Date": "4/22/2026",
        "Completion Date": "4/23/2026",
        "Norming Window": "Spring (March 2 - End of Year)",
        "Baseline Diagnostic (Y/N)": "N",
        "Most Recent Diagnostic YTD (Y/N)": "Y",
        "Overall Scale Score": "507",
        "Overall Placement": "Early 6",
        "Overall Relative Placement": "Early On Grade Level",
        "Percentile": "67",
        "Quantile Measure": "905Q",
        "Diagnostic Gain": "76",
        "Percent Progress to Annual Typical Growth (%)": "230",
        "Percent Progress to Annual Stretch Growth (%)": "121",
    }
    return [{**common, **fall}, {**common, **spring}]


@pytest.fixture
def as_current() -> Callable[[str], str]:
    """A header name of any year -> its 2025-26 name (the reference's rename table)."""
    return current_name
