"""The synthetic district's MAP tests, one table per subject and window, in the 2020+ column order.

Every student tests in ELA ("Language Arts", course Reading) and math each window. About 2 % of tests
are rushed (35-70 % rapid guesses, short, a few RIT points low); half of those are retaken a few days
later, and the retake is the one that counts (``GrowthMeasureYN`` TRUE). Growth fields sit on the test
that counts, for the window pairs ending in its term; ``Typical*Growth`` projections on every test, for
the pairs starting in its term.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from connectors.nwea_map.writer_goals import goal_columns
from testkit.simulate import nwea_map as simulate
from testkit.synthetic import WINDOWS, SyntheticDistrict
from testkit.synthetic.calendar import elapsed_fraction

Columns = dict[str, np.ndarray | str]
"""Cells by column name: one value per row, or one text for every row."""

_SUBJECT = {"ela": "Language Arts", "math": "Mathematics"}
_COURSE = {"ela": "Reading", "math": "Math K-12"}
_TEST = {"ela": "Growth: Reading {} CCSS 2010 V4", "math": "Growth: Math {} CCSS 2010 V2"}
_FORMS = ("K-2", "2-5", "6+")  # by grade: K-1, 2-5, 6 and up
_ENDING_IN = {"winter": ("fall",), "spring": ("fall", "winter")}  # growth pairs filled on a test


@dataclass(frozen=True, slots=True)
class _Attempts:
    """Every student's test in one window, then the retakes: ``who`` is the student of each row."""

    who: np.ndarray
    rit: np.ndarray
    rushed: np.ndarray
    counts: np.ndarray
    """Per row: the test that counts for growth (``GrowthMeasureYN``)."""
    counted: np.ndarray
    """Per student: the RIT of the test that counts."""


def _attempts(rng: np.random.Generator, true_rit: np.ndarray) -> _Attempts:
    """About 2 % rush (a few RIT points low); half of those retake, and the retake counts."""
    n = len(true_rit)
    rushed = rng.random(n) < 0.02
    retaken = np.flatnonzero(rushed & (rng.random(n) < 0.5))
    first_rit = true_rit - rushed * rng.integers(6, 16, n)
    counted = first_rit.copy()
    counted[retaken] = true_rit[retaken]
    counts = np.ones(n + len(retaken), dtype=bool)
    counts[retaken] = False
    return _Attempts(
        who=np.concatenate([np.arange(n), retaken]),
        rit=np.concatenate([first_rit, true_rit[retaken]]),
        rushed=np.concatenate([rushed, np.zeros(len(retaken), dtype=bool)]),
        counts=counts,
        counted=counted,
    )


def term_name(school_year: int, window: str) -> str:
    """``Fall 2025-2026``: MAP names a term by season and both calendar years of the school year."""
    return f"{window.title()} {school_year - 1}-{school_year}"


def subject_tests(district: SyntheticDistrict, subject: str) -> Iterator[tuple[np.ndarray, Columns]]:
    """Per window: (the student index of each row, the row values by column name)."""
    grade = district.students.column("grade_num").to_numpy().astype(np.int64)
    year = district.spec.school_year
    elapsed = {window: elapsed_fraction(window, year) for window in WINDOWS}
    counted: dict[str, np.ndarray] = {}
    errors: dict[str, np.ndarray] = {}
    for index, window in enumerate(WINDOWS):
        rng = district.spec.rng(f"nwea_map.{subject}.{window}")
        n = len(grade)
        level = district.level_at(subject, window).to_numpy()
        true_rit = np.rint(simulate.rit(subject, grade + level))
        attempts = _attempts(rng, true_rit)
        counted[window] = attempts.counted
        errors[window] = np.round(rng.uniform(2.9, 3.6, n), 2)
        who, rit, rushed_row = attempts.who, attempts.rit, attempts.rushed
        is_retake = np.arange(len(who)) >= n
        start, end = district.window_dates(window)
        day = np.datetime64(start) + rng.integers(0, (end - start).days + 1, n).astype("timedelta64[D]")
        later = rng.integers(2, 8, len(who)).astype("timedelta64[D]")
        position = simulate.grade_equivalent(subject, rit) - grade[who] - elapsed[window]
        percentile = simulate.percentile(position / simulate.peer_spread(grade[who]))
        rows: Columns = {
            "TermName": term_name(year, window),
            "Subject": _SUBJECT[subject],
            "Course": _COURSE[subject],
            "GrowthMeasureYN": np.where(attempts.counts, "TRUE", "FALSE"),
            "NormsReferenceData": "2020",
            "WISelectedAYFall": "2",
            "WISelectedAYWinter": "18",
            "WISelectedAYSpring": "34",
            "TestType": "Survey With Goals",
            "TestName": np.array([_TEST[subject].format(form) for form in _FORMS])[_form(grade[who])],
            "TestID": 700_000_000 + (2 * index + (subject == "math")) * 10**7 + np.arange(len(who)),
            "TestStartDate": np.where(is_retake, np.minimum(day[who] + later, np.datetime64(end)), day[who]),
            "TestStartTime": _clock(rng.integers(8 * 3600, 15 * 3600, len(who))),
            "TestDurationMinutes": np.where(
                rushed_row,
                rng.integers(6, 18, len(who)),
                np.clip(np.rint(rng.normal(50, 12, len(who))), 18, 110),
            ).astype(float),
            "TestRITScore": rit,
            "TestStandardError": errors[window][who],
            "TestPercentile": percentile,
            "AchievementQuintile": simulate.quintile(percentile),
            "PercentCorrect": np.clip(np.rint(rng.normal(52, 8, len(who))), 20, 90),
            "RapidGuessingPercentage": np.where(
                rushed_row,
                rng.uniform(35, 70, len(who)),
                np.where(rng.random(len(who)) < 0.15, rng.uniform(2, 15, len(who)), 0.0),
            ),
        }
        rows["LexileScore" if subject == "ela" else "QuantileScore"] = (
            simulate.lexile if subject == "ela" else simulate.quantile
        )(rit)
        rows.update(goal_columns(district, subject, window, elapsed[window], rng, who))
        rows.update(_typical(subject, simulate.grade_equivalent(subject, rit), elapsed, window))
        for start_window in _ENDING_IN.get(window, ()):
            rows.update(
                _growth(subject, start_window, window, counted, errors, who, attempts.counts, elapsed)
            )
        yield who, rows


def _typical(subject: str, start: np.ndarray, elapsed: dict[str, float], window: str) -> Columns:
    """Typical growth from this term (a grade-mate on track gains ``elapsed`` of a year, or a year)."""
    rows: Columns = {}
    later = WINDOWS[WINDOWS.index(window) :]
    for end in later:
        years = 1.0 if end == window else elapsed[end] - elapsed[window]
        gain = simulate.rit(subject, start + years) - simulate.rit(subject, start)
        rows[f"Typical{window.title()}To{end.title()}Growth"] = np.rint(gain)
    return rows


def _growth(
    subject: str,
    start: str,
    end: str,
    counted: dict[str, np.ndarray],
    errors: dict[str, np.ndarray],
    who: np.ndarray,
    counts: np.ndarray,
    elapsed: dict[str, float],
) -> Columns:
    start_ge = simulate.grade_equivalent(subject, counted[start])
    typical = simulate.rit(subject, start_ge + elapsed[end] - elapsed[start]) - counted[start]
    pair = f"{start.title()}To{end.title()}"
    fields = simulate.growth(pair, counted[start], counted[end], typical, errors[start], errors[end])
    values = {
        "ProjectedGrowth": fields.projected,
        "ObservedGrowth": fields.observed,
        "ObservedGrowthSE": fields.observed_se,
        "MetProjectedGrowth": fields.met,
        "ConditionalGrowthIndex": fields.cgi,
        "ConditionalGrowthPercentile": fields.cgp.astype(float),
        "GrowthQuintile": fields.quintile,
    }
    return {
        f"{pair}{name}": np.where(counts, column[who], np.nan if column.dtype.kind == "f" else "")
        for name, column in values.items()
    }


def _form(grade: np.ndarray) -> np.ndarray:
    return np.searchsorted([2, 6], grade, "right")


def _clock(seconds: np.ndarray) -> np.ndarray:
    """Seconds after midnight as ``HH:MM:SS``."""
    hours, minutes, rest = (
        np.char.zfill(part.astype(str), 2) for part in (seconds // 3600, seconds // 60 % 60, seconds % 60)
    )
    return np.char.add(np.char.add(np.char.add(np.char.add(hours, ":"), minutes), ":"), rest)
