"""The aimline from baseline to goal, the trend of the points, and the decision rule's signal."""

from __future__ import annotations

from datetime import date

import numpy as np

from hub.progress.policy import ADJUST, ON_TRACK, RAISE_GOAL, TOO_FEW_POINTS, ProgressPolicy
from hub.progress.series import Series
from hub.progress.trend import least_squares_per_week


def judged(
    placement: dict,
    series: Series,
    base: int,
    goal: float,
    basis: str,
    goal_date: date,
    policy: ProgressPolicy,
) -> dict:
    """The aimline from the baseline to the goal, the trend of the points, and the rule's signal."""
    baseline_day, baseline = int(series.days[base]), float(series.scores[base])
    span_days = max(goal_date.toordinal() - baseline_day, 1)
    per_day = (goal - baseline) / span_days
    observed = slice(base, None)
    slope = least_squares_per_week(series.days[observed], series.scores[observed])
    after_days, after_scores = series.days[base + 1 :], series.scores[base + 1 :]
    signal, reason = decide(after_days, after_scores, baseline_day, baseline, per_day, policy)
    return {
        "source_id": placement["source_id"],
        "membership_source_id": placement["source_id"],
        "group_source_id": placement["group_source_id"],
        "person_source_id": placement["person_source_id"],
        "subject": placement["subject"],
        "school_source_id": placement["school_source_id"],
        "canonical_domain": placement["canonical_domain"],
        "measure": series.measure,
        "goal_basis": basis,
        "baseline_date": date.fromordinal(baseline_day),
        "baseline_score": baseline,
        "goal_date": goal_date,
        "goal_score": goal,
        "aimline_per_week": per_day * 7,
        "points": len(series.days) - base,
        "latest_date": date.fromordinal(int(series.days[-1])),
        "latest_score": float(series.scores[-1]),
        "rate_of_improvement": slope,
        "signal": signal,
        "signal_reason": reason,
    }


def decide(
    days: np.ndarray,
    scores: np.ndarray,
    baseline_day: int,
    baseline: float,
    per_day: float,
    policy: ProgressPolicy,
) -> tuple[str, str]:
    """The decision rule on the points after the baseline: the last ``consecutive_points`` all below the
    aimline -> adjust, all above -> raise_goal, fewer than that many points -> too_few_points."""
    needed = policy.consecutive_points
    if len(days) < needed:
        return TOO_FEW_POINTS, f"{len(days)} point(s) since the baseline; the rule reads the last {needed}"
    last_days, last_scores = days[-needed:], scores[-needed:]
    aim = baseline + per_day * (last_days - baseline_day)
    latest = (
        f"latest {last_scores[-1]:g} on {date.fromordinal(int(last_days[-1])):%Y-%m-%d} against an aimline "
        f"of {aim[-1]:.1f}"
    )
    if np.all(last_scores < aim):
        return ADJUST, f"the last {needed} points are below the aimline ({latest})"
    if np.all(last_scores > aim):
        return RAISE_GOAL, f"the last {needed} points are above the aimline ({latest})"
    below = int(np.sum(last_scores < aim))
    return ON_TRACK, (
        f"of the last {needed} points, {below} below the aimline and {needed - below} on or above it "
        f"({latest})"
    )
