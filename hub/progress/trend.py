"""The trend of each series' points: the least-squares line, as its slope per week (the rate of
improvement) and its value on a given day (where the trend would be by the goal's date)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hub.progress.series import segment_starts


@dataclass(frozen=True, slots=True)
class Trend:
    """Per series: the least-squares line's slope per week and its value on the day asked (nan where no
    line can be told: below two points, or every point on one day)."""

    per_week: np.ndarray
    value_at: np.ndarray


def least_squares(days: np.ndarray, scores: np.ndarray, lengths: np.ndarray, at: np.ndarray) -> Trend:
    """Per segment of ``lengths`` consecutive points, the ordinary least-squares line through (day, score):
    its slope times seven, and its value on the segment's day of ``at``.

    Centred sums, as the textbook two-pass formula: raw sums of day ordinals squared (about 5e11 each)
    would cancel away most of the precision the slope needs.
    """
    slopes, values = np.full(len(lengths), np.nan), np.full(len(lengths), np.nan)
    fitted = lengths >= 2
    if not fitted.any():
        return Trend(slopes, values)
    keep = np.repeat(fitted, lengths)
    x, y, sizes = days[keep].astype(float), scores[keep].astype(float), lengths[fitted]
    starts = segment_starts(sizes)
    mean_x, mean_y = np.add.reduceat(x, starts) / sizes, np.add.reduceat(y, starts) / sizes
    spread, offset = x - np.repeat(mean_x, sizes), y - np.repeat(mean_y, sizes)
    sum_squares = _dots(spread, spread, starts, sizes)
    products = _dots(spread, offset, starts, sizes)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_day = np.where(sum_squares == 0, np.nan, products / sum_squares)
    slopes[fitted] = per_day * 7  # the same operations, in the same order, as the rate stored before
    values[fitted] = mean_y + per_day * (at[fitted] - mean_x)
    return Trend(slopes, values)


def _dots(a: np.ndarray, b: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The dot product of ``a`` and ``b`` over each segment.

    One batched ``matmul`` per distinct segment length (a few dozen), which runs the same BLAS dot as
    ``np.dot`` on one series: the figures are those of a per-series loop to the last bit, and unlike a
    ``reduceat`` of products they keep the digest of the decisions identical.
    """
    dots = np.empty(len(sizes))
    for size in np.unique(sizes):
        which = np.flatnonzero(sizes == size)
        at = starts[which][:, None] + np.arange(size)
        dots[which] = np.matmul(a[at][:, None, :], b[at][:, :, None])[:, 0, 0]
    return dots
