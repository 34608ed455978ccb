"""One testing window of a synthetic district as i-Ready Diagnostic Results columns (scores and domains).

Everyone tests once per window, on a school day inside the window; about one student in seventy retakes
a few days later, and about one test in fifty is rushed (a Rush Flag, a short duration and a score about
a grade level low), as happens in real schools. Draws come from their own seeded streams per subject and
window, so the same district always writes the same files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from connectors.iready.vocabulary import DOMAINS
from testkit.simulate import iready as simulate
from testkit.synthetic import SyntheticDistrict

NORMING_WINDOWS = {
    "fall": "Fall (Beginning of Year - November 15)",
    "winter": "Winter (November 16 - March 1)",
    "spring": "Spring (March 2 - End of Year)",
}
RETAKE_RATE = 1 / 70
RUSH_RATE = 1 / 50
# Domains whose content ends at a grade level: past it, i-Ready reports Max Score (young students, with
# the top score) or Surpassed Level (older ones, no score); Phonological Awareness is tested in K-1 only.
_CONTENT_ENDS = {"Phonics": 4.0, "High-Frequency Words": 2.0}
_ASSESSED_THROUGH = {"Phonological Awareness": 1}


@dataclass(slots=True)
class Window:
    """The tests of one window: ``student`` indexes the students table, one row per test."""

    name: str
    student: np.ndarray
    retake: np.ndarray
    rushed: np.ndarray
    shift: np.ndarray  # grade levels this sitting differs from the student's level (rush, retake noise)
    started: np.ndarray
    completed: np.ndarray


def sittings(district: SyntheticDistrict, subject: str, window: str) -> Window:
    rng = district.spec.rng(f"iready.{subject}.{window}")
    count = district.students.num_rows
    retakers = np.flatnonzero(rng.random(count) < RETAKE_RATE)
    student = np.concatenate([np.arange(count), retakers])
    retake = np.arange(len(student)) >= count
    order = np.lexsort((retake, student))
    student, retake = student[order], retake[order]
    rushed = rng.random(len(student)) < RUSH_RATE
    shift = np.where(rushed, -1.0, 0.0) + np.where(retake, rng.normal(0.0, 0.2, len(student)), 0.0)
    first, last = district.window_dates(window)
    day = rng.integers(0, max((last - first).days - 6, 1), count)[student]
    day = day + np.where(retake, rng.integers(3, 7, len(student)), 0)
    started = np.datetime64(first) + day
    completed = started + (rng.random(len(student)) < 0.15)
    return Window(window, student, retake, rushed, shift, started, completed)


def dates_text(days: np.ndarray) -> np.ndarray:
    """``M/D/YYYY`` without zero padding, as 2025-26 exports write dates."""
    distinct, where = np.unique(days, return_inverse=True)
    texts = [f"{d.month}/{d.day}/{d.year}" for d in distinct.tolist()]
    return np.array(texts)[where]


def placement_columns(
    subject: str, grade: np.ndarray, level: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Scale score, placement and relative placement (vendor words) of a level; plus the category."""
    equivalent = grade + level
    text, category = simulate.placements(subject, grade, equivalent)
    scores = simulate.scale_scores(subject, equivalent).astype(str)
    return {
        "Scale Score": scores,
        "Placement": text,
        "Relative Placement": simulate.RELATIVE[category],
    }, category


def domain_columns(
    district: SyntheticDistrict, subject: str, tests: Window, grade: np.ndarray
) -> dict[str, np.ndarray]:
    levels = {
        key: district.domain_level_at(subject, key, tests.name).to_numpy()[tests.student] + tests.shift
        for _, key in DOMAINS[subject]
        if key
    }
    columns = {}
    for vendor_domain, key in DOMAINS[subject]:
        level = (
            levels[key]
            if key
            else (levels["comprehension_literature"] + levels["comprehension_informational"]) / 2
        )
        measures, _ = placement_columns(subject, grade, level)
        _mark_beyond_content(vendor_domain, subject, grade, grade + level, measures)
        columns |= {f"{vendor_domain} {measure}": values for measure, values in measures.items()}
    return columns


def _mark_beyond_content(
    vendor_domain: str,
    subject: str,
    grade: np.ndarray,
    equivalent: np.ndarray,
    measures: dict[str, np.ndarray],
) -> None:
    if vendor_domain in _ASSESSED_THROUGH:
        skipped = grade > _ASSESSED_THROUGH[vendor_domain]
        for measure in ("Placement", "Relative Placement"):
            measures[measure] = np.where(skipped, "Not Assessed", measures[measure])
        measures["Scale Score"] = np.where(skipped, "", measures["Scale Score"])
    if vendor_domain in _CONTENT_ENDS:
        top = _CONTENT_ENDS[vendor_domain]
        beyond, young = equivalent >= top, grade < top
        top_score = str(simulate.scale_scores(subject, np.array([top]))[0])
        measures["Placement"] = np.where(
            beyond, np.where(young, "Max Score", "Surpassed Level"), measures["Placement"]
        )
        measures["Scale Score"] = np.where(beyond, np.where(young, top_score, ""), measures["Scale Score"])
        measures["Relative Placement"] = np.where(
            beyond, simulate.RELATIVE[-1], measures["Relative Placement"]
        )
