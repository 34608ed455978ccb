"""Believable MAP numbers for the synthetic district, derived from its grade levels.

The RIT curve below is made up (smooth, rising fast in the early grades and slowly in high school);
NWEA's norm tables are NWEA's copyright and are not needed to make a demo look right. Percentiles
compare a student with grade-mates at the same window; growth fields compare the student's RIT gain
with the gain of a grade-mate who stays on track.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from connectors.nwea_map.config import QUINTILES

# RIT = a - b * exp(-k * grade) + c * grade: about 140 in kindergarten fall, 205-220 in grade 5, and a
# slow climb of 2-3 points a year in high school.
_CURVE = {"ela": (221.25, 81.25, 0.322, 1.0), "math": (225.28, 83.28, 0.36, 1.5)}
_GRID = np.linspace(-1.5, 16.0, 3501)
_GROWTH_SD = {"FallToWinter": 5.5, "FallToSpring": 7.0, "WinterToSpring": 5.0}  # RIT points
_QUINTILE_CUTS = np.array([20, 40, 60, 80])


def rit(subject: str, grade_equivalent: np.ndarray) -> np.ndarray:
    """RIT of a student achieving at ``grade_equivalent`` (0 = kindergarten fall)."""
    a, b, k, c = _CURVE[subject]
    grade_equivalent = np.maximum(grade_equivalent, _GRID[0])
    return a - b * np.exp(-k * grade_equivalent) + c * grade_equivalent


def peer_spread(grade_num: np.ndarray) -> np.ndarray:
    """Standard deviation, in grade levels, of achievement among grade-mates (widens with grade)."""
    return 0.5 + 0.08 * grade_num


def percentile(z: np.ndarray) -> np.ndarray:
    """1..99 from a z-score (logistic approximation of the normal curve; plenty for a demo)."""
    return np.clip(np.rint(100.0 / (1.0 + np.exp(-1.702 * z))), 1, 99).astype(np.int64)


def quintile(percentiles: np.ndarray) -> np.ndarray:
    return np.array(QUINTILES)[np.searchsorted(_QUINTILE_CUTS, percentiles)]


def lexile(rit_scores: np.ndarray) -> np.ndarray:
    return _measure(12.5 * rit_scores - 1800.0, "BR", "L")


def quantile(rit_scores: np.ndarray) -> np.ndarray:
    return _measure(12.0 * rit_scores - 1900.0, "EM", "Q")


def _measure(values: np.ndarray, below_zero: str, unit: str) -> np.ndarray:
    rounded = (np.rint(values / 5.0) * 5).astype(np.int64)
    prefix = np.where(rounded < 0, below_zero, "")
    return np.char.add(np.char.add(prefix, np.abs(rounded).astype(str)), unit)


@dataclass(frozen=True, slots=True)
class Growth:
    """The growth-summary fields of one window pair, for every student."""

    projected: np.ndarray
    observed: np.ndarray
    observed_se: np.ndarray
    met: np.ndarray
    cgi: np.ndarray
    cgp: np.ndarray
    quintile: np.ndarray


def growth(
    pair: str,
    start: np.ndarray,
    end: np.ndarray,
    typical: np.ndarray,
    se_start: np.ndarray,
    se_end: np.ndarray,
) -> Growth:
    observed = end - start
    cgi = (observed - typical) / _GROWTH_SD[pair]
    cgp = percentile(cgi)
    return Growth(
        projected=np.rint(typical),
        observed=observed,
        observed_se=np.round(np.hypot(se_start, se_end), 1),
        met=np.where(observed >= np.rint(typical), "Yes", "No"),
        cgi=np.round(cgi, 2),
        cgp=cgp,
        quintile=quintile(cgp),
    )


def grade_equivalent(subject: str, rit_scores: np.ndarray) -> np.ndarray:
    """The inverse of ``rit``: where on the curve a score sits."""
    return np.interp(rit_scores, rit(subject, _GRID), _GRID)
