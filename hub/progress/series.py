"""A district's points sorted into series, as numpy columns: how goals and the rule read ``progress_point``.

A series is one student's points on one (source, subject, domain, measure), in date order. Every series is
a slice of the sorted columns, so the whole goal step works on flat arrays and per-series offsets rather
than on a Python object per student.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

KEYS = ["person_source_id", "source", "subject", "canonical_domain", "measure"]
COLUMNS = ["source_id", *KEYS, "observed_on", "score", "goal_score"]
"""The columns of ``progress_point`` the goal step reads (the rest is bookkeeping)."""
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
SPAN = 1 << 22
"""More days than any date ordinal: ``series * SPAN + day`` orders points by series, then date."""


@dataclass(frozen=True, slots=True)
class SortedPoints:
    """Points sorted by series (``KEYS``, nulls last), then date; ties in a date keep the input's order."""

    ids: pa.ChunkedArray
    """source_id in the input's order (``ids_in`` finds points by id without sorting the text)"""
    sorted_at: np.ndarray
    """the input row of each sorted point"""
    days: np.ndarray  # date ordinals
    scores: np.ndarray
    goals: np.ndarray  # nan where the source set none
    heads: pa.Table
    """one row per series, in sort order (its row number is the series' rank): ``KEYS``, start, end"""
    order: np.ndarray
    """``series * SPAN + day`` per point: ascending, so one ``searchsorted`` finds a date in any series"""

    def first_on_or_after(self, series: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Index of the first point of ``series`` on or after ``days`` (the end of the series if none)."""
        return np.searchsorted(self.order, series * SPAN + days, side="left")

    def ids_in(self, wanted: pa.Array) -> np.ndarray:
        """Sorted indices of the points whose source_id is among ``wanted``, ascending."""
        hit = pc.fill_null(pc.is_in(self.ids, value_set=wanted), False).to_numpy(zero_copy_only=False)
        return np.flatnonzero(hit[self.sorted_at])


def sorted_points(points: pa.Table) -> SortedPoints:
    """One stable sort on integer ranks of the keys (no string column is reordered), and the boundaries
    between series where any rank changes."""
    ranks = [_ranks(points[key]) for key in KEYS]
    days = points["observed_on"].cast(pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)
    sorted_at = np.lexsort([days, *reversed(ranks)]) if points.num_rows else np.zeros(0, np.int64)
    starts = np.zeros(points.num_rows, dtype=bool)
    starts[:1] = True
    for rank in ranks:
        ordered = rank[sorted_at]
        starts[1:] |= ordered[1:] != ordered[:-1]
    first = np.flatnonzero(starts)
    ends = np.append(first[1:], points.num_rows)[: len(first)]
    heads = points.select(KEYS).take(pa.array(sorted_at[first], pa.int64()))
    heads = heads.append_column("start", pa.array(first, pa.int64()))
    heads = heads.append_column("end", pa.array(ends, pa.int64()))
    days = days[sorted_at] + EPOCH_ORDINAL
    return SortedPoints(
        ids=points["source_id"],
        sorted_at=sorted_at,
        days=days,
        scores=points["score"].to_numpy().astype(float)[sorted_at],
        goals=pc.fill_null(points["goal_score"], np.nan).to_numpy().astype(float)[sorted_at],
        heads=heads,
        order=np.repeat(np.arange(len(first), dtype=np.int64), ends - first) * SPAN + days,
    )


def _ranks(values: pa.ChunkedArray) -> np.ndarray:
    """Each value's place among the distinct values in ascending order, null last (Arrow's sort order)."""
    encoded = pc.dictionary_encode(values).combine_chunks()
    place = np.empty(len(encoded.dictionary), dtype=np.int64)
    place[pc.sort_indices(encoded.dictionary).to_numpy()] = np.arange(len(encoded.dictionary))
    codes = pc.fill_null(encoded.indices, len(place)).to_numpy()
    return np.append(place, len(place))[codes]


def ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The indices ``starts[i] .. ends[i] - 1`` of every range, concatenated in order."""
    lengths = ends - starts
    shift = starts - segment_starts(lengths)
    return np.repeat(shift, lengths) + np.arange(int(lengths.sum()))


def segment_starts(lengths: np.ndarray) -> np.ndarray:
    """Where each of consecutive segments of ``lengths`` begins in their concatenation."""
    return (np.cumsum(lengths) - lengths).astype(np.int64)
