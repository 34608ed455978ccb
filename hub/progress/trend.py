"""The rate of improvement: the least-squares slope of a student's points, per week."""

from __future__ import annotations

import numpy as np


def least_squares_per_week(days: np.ndarray, scores: np.ndarray) -> float | None:
    """Slope of the ordinary least-squares line through (day, score), times seven; None below two points
    or when every point is on one day (no slope can be told)."""
    if len(days) < 2:
        return None
    x = days.astype(float)
    spread = x - x.mean()
    sum_squares = float(np.dot(spread, spread))
    if sum_squares == 0:
        return None
    return float(np.dot(spread, scores - scores.mean()) / sum_squares) * 7
