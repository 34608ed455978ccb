"""Levels and growth look like diagnostic data: growth near a year, spread, some regress, gaps by domain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pyarrow as pa
import pytest

from hub.skills import DOMAINS
from testkit.synthetic import WINDOWS, DistrictSpec, SyntheticDistrict, build_district, window_dates


@pytest.fixture(scope="module")
def district() -> SyntheticDistrict:
    return build_district(DistrictSpec(students=2000, seed=21))


@pytest.mark.parametrize("subject", ["ela", "math"])
def test_growth_from_fall_to_spring_is_most_of_a_year(district: SyntheticDistrict, subject: str) -> None:
    fall, winter, spring = (district.level_at(subject, window).to_numpy() for window in WINDOWS)
    assert 0.6 <= np.mean(spring - fall) <= 0.9
    assert 0.2 <= np.mean(winter - fall) <= 0.55
    regressed = np.mean(spring < fall)
    assert 0.01 <= regressed <= 0.15


@pytest.mark.parametrize("subject", ["ela", "math"])
def test_fall_levels_spread_with_a_tail_below(district: SyntheticDistrict, subject: str) -> None:
    levels = district.students[f"{subject}_level_fall"].to_numpy()
    assert -0.6 <= np.median(levels) <= 0.2
    assert 0.1 <= np.mean(levels <= -1) <= 0.4  # need support
    assert 0.02 <= np.mean(levels <= -2) <= 0.15  # need intensive support
    assert np.mean(levels >= 1) >= 0.05


@pytest.mark.parametrize("subject", ["ela", "math"])
def test_nobody_is_drawn_implausibly_far_below_grade(district: SyntheticDistrict, subject: str) -> None:
    """Never below pre-K, and at most two grade levels plus half the grade below: a 10th grader reads at
    3rd-grade level at the lowest. High schoolers needing intensive support are still there."""
    grade = district.students["grade_num"].to_numpy().astype(float)
    levels = district.students[f"{subject}_level_fall"].to_numpy()
    high_school = grade >= 9

    assert np.all(grade + levels >= -1)
    assert np.all(levels >= -(2 + grade / 2))
    assert (grade + levels)[grade == 10].min() >= 3
    assert 0.02 <= np.mean(levels[high_school] <= -3) <= 0.25


def test_subgroups_sit_mildly_lower(district: SyntheticDistrict) -> None:
    levels = district.students["ela_level_fall"].to_numpy()
    for group in ("english_learner", "disability", "economically_disadvantaged"):
        member = district.students[group].to_numpy(zero_copy_only=False)
        gap = levels[~member].mean() - levels[member].mean()
        assert 0.1 <= gap <= 1.2, group


def test_domain_offsets_differ_by_student_and_average_zero(district: SyntheticDistrict) -> None:
    offsets = district.domain_offsets("ela")
    assert set(offsets) == set(DOMAINS["ela"])
    stacked = np.vstack([array.to_numpy() for array in offsets.values()])
    assert np.allclose(stacked.mean(axis=0), 0.0)
    assert 0.3 <= stacked.std() <= 0.7
    weakest = stacked.argmin(axis=0)
    assert len(set(weakest.tolist())) == len(offsets)  # different students have different gaps


def test_domain_level_follows_subject_level(district: SyntheticDistrict) -> None:
    subject = district.level_at("math", "winter").to_numpy()
    domain = district.domain_level_at("math", "geometry", "winter").to_numpy()
    assert np.corrcoef(subject, domain)[0, 1] > 0.8
    assert np.array_equal(domain, district.domain_level_at("math", "geometry", "winter").to_numpy())


def test_tutoring_effect_is_zero_until_simulated(district: SyntheticDistrict) -> None:
    effect = district.tutoring_effect("ela", "spring").to_numpy()
    assert effect.shape == (district.students.num_rows,)
    assert not effect.any()


def test_levels_respond_to_an_assigned_tutoring_effect() -> None:
    district = build_district(DistrictSpec(students=300, seed=21))
    subject_before = district.level_at("math", "spring").to_numpy()
    domain_before = district.domain_level_at("math", "geometry", "spring").to_numpy()
    boost = np.where(np.arange(300) % 2 == 0, 0.5, 0.0)
    district.tutoring_effect = lambda subject, window: pa.array(boost)
    assert np.allclose(district.level_at("math", "spring").to_numpy() - subject_before, boost)
    assert np.allclose(
        district.domain_level_at("math", "geometry", "spring").to_numpy() - domain_before, boost
    )


def test_windows_fall_in_the_school_year(district: SyntheticDistrict) -> None:
    assert district.window_dates("fall") == (date(2025, 9, 2), date(2025, 9, 30))
    assert window_dates("winter", 2026)[0].month == 1
    assert window_dates("spring", 2026)[1] == date(2026, 5, 29)
    year_start, year_end = (
        district.sessions["start_date"][0].as_py(),
        district.sessions["end_date"][0].as_py(),
    )
    for window in WINDOWS:
        start, end = district.window_dates(window)
        assert year_start <= start <= end <= year_end


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: d.level_at("science", "fall"), "unknown subject"),
        (lambda d: d.level_at("ela", "summer"), "unknown window"),
        (lambda d: d.domain_level_at("ela", "geometry", "fall"), "unknown ela domain"),
    ],
)
def test_unknown_names_are_refused(
    district: SyntheticDistrict, call: Callable[[SyntheticDistrict], object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call(district)
