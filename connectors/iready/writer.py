"""The synthetic district as i-Ready Diagnostic Results exports, byte for byte in the vendor's shape.

Two files, ``diagnostic_results_ela_CONFIDENTIAL.csv`` (65 columns) and ``..._math_CONFIDENTIAL.csv``
(58), in the 2025-26 layout: UTF-8 BOM, CRLF, nothing quoted, ``M/D/YYYY`` dates. Like the vendor's
year-to-date export each holds every test of the year so far (fall, winter and spring, or up to
``through``): ``Baseline Diagnostic`` is Y on a student's first test, ``Most Recent Diagnostic YTD`` on the
last one only. ``Student ID`` is the SIS id and ``Student State ID`` the state id, as districts set it up.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.iready.headers import ELA_2025_26, MATH_2025_26
from connectors.iready.writer_people import class_columns, student_columns
from connectors.iready.writer_scores import (
    NORMING_WINDOWS,
    Window,
    dates_text,
    domain_columns,
    placement_columns,
    sittings,
)
from testkit.simulate import iready as simulate
from testkit.synthetic import WINDOWS, SyntheticDistrict


def write_iready(district: SyntheticDistrict, out_dir: Path, *, through: str = "spring") -> list[Path]:
    """Write the ELA and Math exports with the tests of every window up to ``through``; their paths."""
    if through not in WINDOWS:
        raise ValueError(f"unknown window {through!r}; expected one of {', '.join(WINDOWS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    windows = WINDOWS[: WINDOWS.index(through) + 1]
    people = student_columns(district)
    classes = class_columns(district)
    paths = []
    for subject, header in (("ela", ELA_2025_26), ("math", MATH_2025_26)):
        path = out_dir / f"diagnostic_results_{subject}_CONFIDENTIAL.csv"
        baseline = None
        with path.open("wb") as stream:
            stream.write(codecs.BOM_UTF8)
            for window in windows:
                tests = sittings(district, subject, window)
                baseline = baseline or Baseline.of(district, subject, tests)
                scores = _score_columns(district, subject, tests, baseline, last=window == windows[-1])
                per_student = people | classes[subject]
                table = pa.table(
                    [_column(name, scores, per_student, tests.student) for name in header], names=list(header)
                )
                pacsv.write_csv(table, stream, _with_header(window == windows[0]))
        paths.append(path)
    return paths


def _with_header(first: bool) -> pacsv.WriteOptions:
    return pacsv.WriteOptions(quoting_style="none", quoting_header="none", eol="\r\n", include_header=first)


def _column(
    name: str, scores: dict[str, np.ndarray], per_student: dict[str, pa.Array], student: np.ndarray
) -> pa.Array:
    if name in scores:  # numbers are turned into text by Arrow, much faster than by numpy
        return pa.array(scores[name]).cast(pa.string())
    if name in per_student:
        return pc.take(per_student[name], pa.array(student))
    return pa.nulls(len(student), pa.string())


@dataclass(slots=True)
class Baseline:
    """Each student's first test of the year: what gains and growth targets are measured from."""

    score: np.ndarray
    category: np.ndarray

    @classmethod
    def of(cls, district: SyntheticDistrict, subject: str, fall: Window) -> Baseline:
        grade = district.students.column("grade_num").to_numpy().astype(np.int64)
        first = ~fall.retake
        level = district.level_at(subject, fall.name).to_numpy()[fall.student[first]] + fall.shift[first]
        equivalent = grade[fall.student[first]] + level
        _, category = simulate.placements(subject, grade[fall.student[first]], equivalent)
        return cls(simulate.scale_scores(subject, equivalent), category)


def _score_columns(
    district: SyntheticDistrict, subject: str, tests: Window, baseline: Baseline, *, last: bool
) -> dict[str, np.ndarray]:
    rng = district.spec.rng(f"iready.{subject}.{tests.name}.sitting")
    all_grades = district.students.column("grade_num").to_numpy().astype(np.int64)
    grade = all_grades[tests.student]
    level_now = district.level_at(subject, tests.name).to_numpy()
    level = level_now[tests.student] + tests.shift
    overall, category = placement_columns(subject, grade, level)
    score = overall["Scale Score"].astype(np.int64)
    gain = np.maximum(score - baseline.score[tests.student], 0)
    typical, stretch = (
        target[tests.student] for target in simulate.growth_targets(subject, all_grades, baseline.category)
    )
    percentile = simulate.percentiles(level, float(np.median(level_now)), grade)
    is_last = np.append(tests.student[1:] != tests.student[:-1], True)  # rows are in student order
    reading_measure, reading_range = simulate.measures(subject, grade + level)
    prefix = "Lexile" if subject == "ela" else "Quantile"
    columns = {
        "Start Date": dates_text(tests.started),
        "Completion Date": dates_text(tests.completed),
        "Norming Window": np.full(len(grade), NORMING_WINDOWS[tests.name]),
        "Baseline Diagnostic (Y/N)": np.where((tests.name == WINDOWS[0]) & ~tests.retake, "Y", "N"),
        "Most Recent Diagnostic YTD (Y/N)": np.where(last & is_last, "Y", "N"),
        "Duration (min)": np.where(
            tests.rushed, rng.integers(6, 15, len(grade)), rng.integers(25, 95, len(grade))
        ),
        "Rush Flag": np.where(
            tests.rushed, np.where(rng.random(len(grade)) < 0.5, "Red Rush Flag", "Yellow Rush Flag"), ""
        ),
        "Read Aloud": np.full(len(grade), "Off"),
        **{f"Overall {measure}": values for measure, values in overall.items()},
        "Percentile": percentile,
        "Grouping": np.minimum(category, 3) + 1 + (percentile >= 85),
        f"{prefix} Measure": reading_measure,
        f"{prefix} Range": reading_range,
        **domain_columns(district, subject, tests, grade),
        "Diagnostic Gain": gain,
        "Annual Typical Growth Measure": typical,
        "Annual Stretch Growth Measure": stretch,
        "Percent Progress to Annual Typical Growth (%)": np.rint(100 * gain / typical).astype(np.int64),
        "Percent Progress to Annual Stretch Growth (%)": np.rint(100 * gain / stretch).astype(np.int64),
        "Mid On Grade Level Scale Score": simulate.MID_ON_GRADE[subject][grade],
    }
    return columns | (
        _reading(grade, category) if subject == "ela" else _projections(category, last & is_last)
    )


def _reading(grade: np.ndarray, category: np.ndarray) -> dict[str, np.ndarray]:
    """Screened in K-3 only: Y for students two or more grade levels below."""
    flag = np.where(grade <= 3, np.where(category <= 1, "Y", "N"), "Not Provided")
    return {"Reading Difficulty Indicator (Y/N)": flag}


def _projections(category: np.ndarray, most_recent: np.ndarray) -> dict[str, np.ndarray]:
    """State-test levels: where the student lands without more growth, with typical, with stretch growth
    (the last two are blank on the most recent test, as in the vendor's exports)."""
    now = np.maximum(category, 1)

    def level(steps: int) -> np.ndarray:
        return np.where(most_recent, "", np.char.add("Level ", np.minimum(now + steps, 4).astype(str)))

    return {
        "Proficiency if Student Shows No Additional Growth": np.char.add("Level ", now.astype(str)),
        "Projection if Student Achieves Typical Growth": level(1),
        "Projection if Student Achieves Stretch Growth": level(2),
    }
