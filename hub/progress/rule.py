"""The aimline from baseline to goal, the trend of the points, and the decision rule's signal.

Over every placement at once: ``Judged`` holds one segment of points per placement (the points from its
baseline on, in date order) and the rule reads each segment's last points as one small matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from hub.diagnostics._arrow import concat
from hub.progress.policy import ADJUST, ON_TRACK, RAISE_GOAL, TOO_FEW_POINTS, ProgressPolicy
from hub.progress.series import segment_starts
from hub.progress.text import day_text, number_text, texts
from hub.progress.trend import least_squares


@dataclass(frozen=True, slots=True)
class Judged:
    """Per placement: the aimline, the trend and the signal (numpy or Arrow columns of equal length)."""

    aimline_per_day: np.ndarray
    rate_of_improvement: np.ndarray  # nan where no slope can be told
    trend_at_goal: np.ndarray  # the trend line's value on the goal's date; nan likewise
    signal: pa.Array
    signal_reason: pa.Array


def judged(
    days: np.ndarray,
    scores: np.ndarray,
    lengths: np.ndarray,
    goal: np.ndarray,
    goal_day: np.ndarray,
    policy: ProgressPolicy,
) -> Judged:
    """The aimline from each segment's first point (the baseline) to ``goal`` on ``goal_day``, the trend
    of the segment's points (its rate, and where it would be on ``goal_day``), and the rule's signal on
    the points after the baseline."""
    first = segment_starts(lengths)
    baseline_day, baseline = days[first], scores[first]
    per_day = (goal - baseline) / np.maximum(goal_day - baseline_day, 1)
    signal, reason = decide(days, scores, lengths, baseline_day, baseline, per_day, policy)
    trend = least_squares(days, scores, lengths, goal_day)
    return Judged(per_day, trend.per_week, trend.value_at, signal, reason)


def decide(
    days: np.ndarray,
    scores: np.ndarray,
    lengths: np.ndarray,
    baseline_day: np.ndarray,
    baseline: np.ndarray,
    per_day: np.ndarray,
    policy: ProgressPolicy,
) -> tuple[pa.Array, pa.Array]:
    """The decision rule on the points after each baseline: the last ``consecutive_points`` all below the
    aimline -> adjust, all above -> raise_goal, fewer than that many points -> too_few_points."""
    needed = policy.consecutive_points
    after = lengths - 1
    enough = after >= needed
    last = (segment_starts(lengths) + lengths)[enough][:, None] - needed + np.arange(needed)
    last_days, last_scores = days[last], scores[last]
    aim = baseline[enough][:, None] + per_day[enough][:, None] * (last_days - baseline_day[enough][:, None])
    below = last_scores < aim
    verdict = np.where(
        below.all(axis=1), ADJUST, np.where((last_scores > aim).all(axis=1), RAISE_GOAL, ON_TRACK)
    )
    signal = np.full(len(lengths), TOO_FEW_POINTS, dtype=object)
    signal[enough] = verdict
    latest = concat(
        "latest ",
        number_text(last_scores[:, -1], "g"),
        " on ",
        day_text(last_days[:, -1]),
        " against an aimline of ",
        number_text(aim[:, -1], ".1f"),
    )
    count_below = below.sum(axis=1)
    judged_reason = np.where(
        verdict == ADJUST,
        texts(f"the last {needed} points are below the aimline (", latest, ")"),
        np.where(
            verdict == RAISE_GOAL,
            texts(f"the last {needed} points are above the aimline (", latest, ")"),
            texts(
                f"of the last {needed} points, ",
                number_text(count_below, "d"),
                " below the aimline and ",
                number_text(needed - count_below, "d"),
                " on or above it (",
                latest,
                ")",
            ),
        ),
    )
    reason = texts(number_text(after, "d"), f" point(s) since the baseline; the rule reads the last {needed}")
    reason[enough] = judged_reason
    return pa.array(signal, pa.string()), pa.array(reason, pa.string())
