"""What a synthetic student's level looks like on an i-Ready report (for the demo-data writer only).

A level is a grade equivalent: grade 3 + level -1.2 = 1.8, "late first grade". From it come a scale score
(through the Mid On Grade Level cut of each grade, as the vendor's samples show them), a placement with
i-Ready's rules (Early / Mid / Late only within the student's own grade, else the grade alone), the
relative placement (Mid or Above exactly when the score reaches the grade's mid cut, as in real exports),
a Lexile or Quantile measure and a national percentile. Believable, not the vendor's tables.
"""

from __future__ import annotations

import numpy as np

MID_ON_GRADE = {
    # K..8 as observed in the vendor's exports; 9..12 continue the grade 6..8 slope.
    "ela": np.array([396, 458, 513, 545, 579, 609, 616, 632, 642, 650, 657, 664, 671]),
    "math": np.array([373, 413, 441, 464, 482, 498, 514, 531, 541, 550, 558, 566, 574]),
}
RELATIVE = np.array(
    [
        "3 or More Grade Levels Below",
        "2 Grade Levels Below",
        "1 Grade Level Below",
        "Early On Grade Level",
        "Mid or Above Grade Level",
    ]
)
GRADE_LABELS = np.array(["K", *(str(grade) for grade in range(1, 13))])
MID_OR_ABOVE = 4


def scale_scores(subject: str, equivalent: np.ndarray) -> np.ndarray:
    """Scale scores rising through each grade's mid cut at mid-year (grade + 0.5), within 100..800."""
    cuts = MID_ON_GRADE[subject]
    anchors = np.arange(len(cuts)) + 0.5
    scores = np.interp(equivalent, anchors, cuts)
    below, above = equivalent < anchors[0], equivalent > anchors[-1]
    scores[below] = cuts[0] + (equivalent[below] - anchors[0]) * (cuts[1] - cuts[0])
    scores[above] = cuts[-1] + (equivalent[above] - anchors[-1]) * (cuts[-1] - cuts[-2])
    return np.clip(np.rint(scores), 100, 800).astype(np.int64)


def placements(subject: str, grade: np.ndarray, equivalent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Placement text, relative placement category 0..4) per student.

    Past the top of the scale (beyond grade 12) a student reads Late 12, never Early 12 again; in the own
    grade, Mid or Above (and Mid rather than Early) exactly when the rounded score reaches the grade's mid
    cut, the rule every vendor sample keeps.
    """
    equivalent = np.clip(equivalent, -1.0, 12.99)
    placed = np.floor(equivalent).astype(np.int64)
    reaches_mid = scale_scores(subject, equivalent) >= MID_ON_GRADE[subject][grade]
    stage = np.where(~reaches_mid, "Early", np.where(equivalent - placed < 0.8, "Mid", "Late"))
    label = GRADE_LABELS[np.clip(placed, 0, 12)]
    own_grade = np.char.add(np.char.add(stage, " "), label)
    other = np.where(placed < 0, "Emerging K", np.char.add("Grade ", label))
    text = np.where(placed == grade, own_grade, other)
    below = grade - placed
    category = np.select(
        [below >= 3, below == 2, below == 1, (below == 0) & ~reaches_mid], [0, 1, 2, 3], MID_OR_ABOVE
    )
    return text, category


# Per subject: measure = slope * grade equivalent + offset (a fifth of the slope past grade 8, where the
# scales flatten out); the range below and above the measure; the unit; the prefix for values below 0.
_MEASURES = {"ela": (160, -100, 100, 50, "L", "BR"), "math": (150, 100, 50, 50, "Q", "EM")}


def measures(subject: str, equivalent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lexile (``BR120L`` below zero) or Quantile (``EM50Q``) measure and its range, in steps of 5."""
    slope, offset, below, above, unit, prefix = _MEASURES[subject]
    scaled = slope * np.minimum(equivalent, 8) + slope / 5 * np.maximum(equivalent - 8, 0) + offset
    value = (np.rint(scaled / 5) * 5).astype(np.int64)

    def text(number: np.ndarray) -> np.ndarray:
        digits = np.abs(number).astype(str)
        return np.char.add(np.where(number < 0, np.char.add(prefix, digits), digits), unit)

    return text(value), np.char.add(np.char.add(text(value - below), "-"), text(value + above))


def percentiles(level: np.ndarray, expected: float, grade: np.ndarray) -> np.ndarray:
    """National percentile: the level against a typical student's at this time of year; the spread of
    levels widens with grade. The normal CDF in its tanh form, exact to a percentile point."""
    z = (level - expected) / (0.45 + 0.08 * grade)
    share = 0.5 * (1 + np.tanh(0.7978845608 * (z + 0.044715 * z**3)))
    return np.clip(np.rint(share * 100), 1, 99).astype(np.int64)


def growth_targets(subject: str, grade: np.ndarray, baseline: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Annual typical and stretch growth (scale points): a grade's typical gain, more for students who
    start further below, and stretch enough to close the gap, as the vendor's targets behave."""
    cuts = MID_ON_GRADE[subject]
    yearly = np.maximum(np.diff(cuts, append=cuts[-1] + (cuts[-1] - cuts[-2])), 10)
    below = 4 - np.minimum(baseline, 4)
    typical = yearly[grade] + 3 * below
    return typical, np.rint(typical * (1.3 + 0.25 * below)).astype(np.int64)
