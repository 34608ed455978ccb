"""The rate of improvement: the least-squares slope of each series' points, per week."""

from __future__ import annotations

import numpy as np

from hub.progress.series import segment_starts


def least_squares_per_week(days: np.ndarray, scores: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per segment of ``lengths`` consecutive points, the slope of the ordinary least-squares line through
    (day, score), times seven; nan below two points or when every point is on one day (no slope).

    Centred sums, as the textbook two-pass formula: raw sums of day ordinals squared (about 5e11 each)
    would cancel away most of the precision the slope needs.
    """
    slopes = np.full(len(lengths), np.nan)
    fitted = lengths >= 2
    if not fitted.any():
        return slopes
    keep = np.repeat(fitted, lengths)
    x, y, sizes = days[keep].astype(float), scores[keep].astype(float), lengths[fitted]
    starts = segment_starts(sizes)
    spread = x - np.repeat(np.add.reduceat(x, starts) / sizes, sizes)
    offset = y - np.repeat(np.add.reduceat(y, starts) / sizes, sizes)
    sum_squares = _dots(spread, spread, starts, sizes)
    products = _dots(spread, offset, starts, sizes)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(sum_squares == 0, np.nan, products / sum_squares * 7)
    slopes[fitted] = slope
    return slopes


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
