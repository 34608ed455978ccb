"""Where each student stands and how fast they move, in grade levels.

Levels are stated relative to the student's grade placement at the fall window: 0 is on grade level in
September, -2.3 is 2.3 grade levels below. Growth is the grade levels gained over a whole school year
without tutoring, so a student growing 1.0 reads about +0.8 by the spring window.

How the fall levels are drawn (in standard-deviation units, then scaled by a spread that widens with
grade, because gaps in grade levels widen as students get older):

- ELA and math share a general factor (correlation about 0.64);
- subgroups shift the mean mildly (ELA: English learners -0.45, students with disabilities -0.6,
  economically disadvantaged -0.3; math: -0.25, -0.55, -0.3), a real-world pattern kept modest so that
  most students of every subgroup sit within the general spread;
- one student in ten has an extra long tail below (the students who need intensive support);
- nobody is placed more than 3 grade levels above, nor below ``lowest_level``: pre-kindergarten for the
  youngest, two grade levels plus half the grade below for the rest (a 10th grader reads at 3rd-grade
  level at the lowest). The tail is drawn in spread units, so without this floor an 11th grader could
  land in kindergarten, which no teacher would believe.

Growth is about 1.0 +- 0.25 for most students; about 7% stall (0 +- 0.25, so some regress).
"""

from __future__ import annotations

import numpy as np

from hub.skills import DOMAINS
from testkit.synthetic.spec import DistrictSpec

_SHIFT = {
    "ela": {"english_learner": -0.45, "disability": -0.6, "economically_disadvantaged": -0.3},
    "math": {"english_learner": -0.25, "disability": -0.55, "economically_disadvantaged": -0.3},
}
_MEAN = 0.05  # sd units; with the subgroup shifts the district sits a little below grade level overall
# Domains that English learners find harder than their subject level suggests.
_ELL_DOMAIN_SHIFT = {"vocabulary": -0.35, "language_and_writing": -0.2, "comprehension_informational": -0.1}
TEST_NOISE = 0.2  # sd of one subject score, in grade levels
DOMAIN_NOISE = 0.3  # a domain score rests on fewer items


def spread(grade_num: np.ndarray) -> np.ndarray:
    return 0.45 + 0.08 * grade_num


def lowest_level(grade_num: np.ndarray) -> np.ndarray:
    """The lowest fall level a student of each grade is drawn at (see the module's docstring)."""
    return -np.minimum(grade_num + 1.0, 2.0 + grade_num / 2)


def fall_levels(
    spec: DistrictSpec, grade_num: np.ndarray, subgroups: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    rng = spec.rng("fall_levels")
    n = len(grade_num)
    general = rng.standard_normal(n)
    levels = {}
    for subject, shifts in _SHIFT.items():
        z = 0.8 * general + 0.6 * rng.standard_normal(n) + _MEAN
        for group, shift in shifts.items():
            z += shift * subgroups[group]
        tail = rng.random(n) < 0.10
        z -= tail * rng.exponential(1.0, n)
        levels[subject] = np.clip(z * spread(grade_num), lowest_level(grade_num), 3.0)
    return levels


def growth(spec: DistrictSpec, disability: np.ndarray) -> dict[str, np.ndarray]:
    rng = spec.rng("growth")
    n = len(disability)
    rates = {}
    for subject in DOMAINS:
        typical = rng.normal(1.0, 0.25, n) - 0.1 * disability
        stalled = rng.random(n) < 0.07
        rates[subject] = np.where(stalled, rng.normal(0.0, 0.25, n), typical)
    return rates


def domain_offsets(spec: DistrictSpec, subject: str, english_learner: np.ndarray) -> dict[str, np.ndarray]:
    """Each student's deviation per domain from their subject level; they average to 0 per student.

    Drawn per domain from its own stream; centring keeps the subject level the mean of the domains.
    """
    raw = {
        domain: spec.rng(f"domain_offset.{subject}.{domain}").normal(0.0, 0.5, len(english_learner))
        + _ELL_DOMAIN_SHIFT.get(domain, 0.0) * english_learner
        for domain in _domains(subject)
    }
    mean = np.mean(list(raw.values()), axis=0)
    return {domain: values - mean for domain, values in raw.items()}


def measurement_noise(spec: DistrictSpec, purpose: str, n: int, scale: float) -> np.ndarray:
    return spec.rng(f"noise.{purpose}").normal(0.0, scale, n)


def _domains(subject: str) -> dict[str, str]:
    if subject not in DOMAINS:
        raise ValueError(f"unknown subject {subject!r}; expected one of {', '.join(DOMAINS)}")
    return DOMAINS[subject]
