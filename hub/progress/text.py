"""Numbers and dates as the goal and the rule word them, formatted once per distinct value.

A district's scores, goals and dates repeat (a mastery check is a few percentages; a night is one date),
so each distinct value is formatted in Python once and the column is taken from those few strings.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from hub.diagnostics._arrow import concat


def number_text(values: np.ndarray, spec: str) -> pa.Array:
    """``format(value, spec)`` of every value ("g", ".1f", "d", ...)."""
    distinct, at = np.unique(values, return_inverse=True)
    words = pa.array([format(value, spec) for value in distinct.tolist()], pa.string())
    return words.take(pa.array(at.reshape(-1), pa.int64()))


def day_text(ordinals: np.ndarray) -> pa.Array:
    """Date ordinals as ``YYYY-MM-DD``."""
    distinct, at = np.unique(ordinals, return_inverse=True)
    words = pa.array([date.fromordinal(day).isoformat() for day in distinct.tolist()], pa.string())
    return words.take(pa.array(at.reshape(-1), pa.int64()))


def texts(*parts: pa.Array | pa.ChunkedArray | str) -> np.ndarray:
    """The parts joined row by row, as an object array (so rules can pick among wordings with
    ``np.where``)."""
    return np.asarray(concat(*parts).to_numpy(zero_copy_only=False), dtype=object)
