"""A student's points on one measure as numpy slices: how goals and the rule read ``progress_point``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True, slots=True)
class Series:
    """One student's points on one measure, in date order (numpy arrays of equal length)."""

    measure: str
    ids: np.ndarray
    days: np.ndarray  # date ordinals
    scores: np.ndarray
    goals: np.ndarray  # nan where the source set none

    def take(self, rows: np.ndarray | slice) -> Series:
        return Series(self.measure, self.ids[rows], self.days[rows], self.scores[rows], self.goals[rows])


KEYS = ["person_source_id", "source", "subject", "canonical_domain", "measure"]
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def points_by_person(points: pa.Table) -> dict[str, dict[tuple, Series]]:
    """person -> (source, subject, domain, measure) -> Series, sorted by date.

    One sort and one pass over the boundaries between series (not over the points): a series is a slice
    of the sorted columns, held as numpy views.
    """
    points = points.sort_by([(key, "ascending") for key in KEYS] + [("observed_on", "ascending")])
    rows = points.num_rows
    if not rows:
        return {}
    starts = np.zeros(rows, dtype=bool)
    starts[0] = True
    for key in KEYS:
        codes = pc.dictionary_encode(points[key], null_encoding="encode").combine_chunks().indices
        values = codes.to_numpy()
        starts[1:] |= values[1:] != values[:-1]
    first = np.flatnonzero(starts)
    last = np.append(first[1:], rows)
    ids = np.asarray(points["source_id"].to_pylist(), dtype=object)
    days = points["observed_on"].cast(pa.int32()).to_numpy() + EPOCH_ORDINAL
    scores = points["score"].to_numpy().astype(float)
    goals = pc.fill_null(points["goal_score"], np.nan).to_numpy().astype(float)
    everything = Series("", ids, days, scores, goals)
    by_person: dict[str, dict[tuple, Series]] = {}
    heads = points.select(KEYS).take(pa.array(first)).to_pylist()
    for head, start, end in zip(heads, first, last, strict=True):
        key = (head["source"], head["subject"], head["canonical_domain"], head["measure"])
        series = everything.take(slice(int(start), int(end)))
        by_person.setdefault(head["person_source_id"], {})[key] = Series(
            head["measure"], series.ids, series.days, series.scores, series.goals
        )
    return by_person


def merged(series: list[Series], measure: str) -> Series | None:
    """Points of one measure from several keys (mastery checks on the skill and on several skills)."""
    if not series:
        return None
    order = np.argsort(np.concatenate([s.days for s in series]), kind="stable")
    return Series(
        measure,
        np.concatenate([s.ids for s in series])[order],
        np.concatenate([s.days for s in series])[order],
        np.concatenate([s.scores for s in series])[order],
        np.concatenate([s.goals for s in series])[order],
    )


def since(series: Series, first_day: int) -> Series:
    keep = series.days >= first_day
    return Series(
        series.measure, series.ids[keep], series.days[keep], series.scores[keep], series.goals[keep]
    )
