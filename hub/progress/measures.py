"""Which points each placement is monitored on: the district's measure, the mastery checks, or the scale.

Columnar: placements meet their student's series in one join on (person, subject); each rule of
``hub.progress.goals`` then picks per placement with array operations, and the chosen points of every
placement land in one flat index array (``Chosen``), in date order per placement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.progress.points import PREFIX
from hub.progress.series import SortedPoints, ranges

MASTERY = "mastery_check"
CSV_SOURCE = "progress_csv"
VENDOR_NAMES = {"iready": "i-Ready", "nwea_map": "MAP Growth"}
DISTRICT, MASTERED, VENDOR = 0, 1, 2
"""How a placement's goal is set (``Chosen.kind``): the district's, mastery, the vendor's typical growth."""


@dataclass(frozen=True, slots=True)
class Chosen:
    """The placements that have points to monitor, and those points (indices into ``SortedPoints``)."""

    placement: np.ndarray
    """row of the placements table, ascending"""
    kind: np.ndarray
    measure: pa.Array
    district_goal: np.ndarray
    """the latest goal the district set on the chosen points (nan unless ``DISTRICT``)"""
    lengths: np.ndarray
    """points per placement"""
    points: np.ndarray
    """indices of the chosen points, placement after placement, each in date order"""


@dataclass(frozen=True, slots=True)
class _Part:
    """One rule's placements, before the rules' choices are put in placement order."""

    placement: np.ndarray
    kind: int
    measure: pa.Array
    district_goal: np.ndarray
    lengths: np.ndarray
    points: np.ndarray


def choose(points: SortedPoints, placements: pa.Table, entered: np.ndarray, tests: pa.Array) -> Chosen:
    """Each placement's measure, by the first rule with points (the order of ``hub.progress.goals``).

    ``placements``: person_source_id, subject, canonical_domain, entry_result_source_id; ``entered``:
    the date ordinal tutoring began, from which points count; ``tests``: the source_ids of the tests a
    placement may have entered on. A placement without points on any rule is left out.
    """
    pairs = _pairs(points.heads, placements)
    row, series = pairs["_placement"].to_numpy(), pairs["_series"].to_numpy()
    since, end = points.first_on_or_after(series, entered[row]), pairs["end"].to_numpy()
    source_given = pc.fill_null(pc.not_equal(pairs["source"], ""), False)
    domain_fits = pc.or_kleene(
        pc.is_null(pairs["canonical_domain"]), pc.equal(pairs["canonical_domain"], pairs["_domain"])
    )
    on_target = _mask(pc.and_kleene(source_given, domain_fits)) & (end > since)
    district = _district(points, pairs, on_target & _mask(pc.equal(pairs["source"], CSV_SOURCE)), since)
    mastery = on_target & _mask(pc.equal(pairs["measure"], MASTERY)) & ~np.isin(row, district.placement)
    mastered = _mastered(points, row[mastery], since[mastery], end[mastery])
    decided = np.union1d(district.placement, mastered.placement)
    vendor_pairs = _mask(pc.is_in(pairs["source"], pa.array(list(VENDOR_NAMES)))) & ~np.isin(row, decided)
    vendor = _vendor(points, pairs.filter(pa.array(vendor_pairs)), placements, tests)
    return _in_placement_order([district, mastered, vendor])


def _mask(condition: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return pc.fill_null(condition, False).to_numpy(zero_copy_only=False)


def _pairs(heads: pa.Table, placements: pa.Table) -> pa.Table:
    """Every (placement, series) of one student and subject: the series a placement may be monitored on,
    by placement, then series in their sorted order (the order the rules break ties in)."""
    heads = heads.append_column("_series", pa.array(np.arange(heads.num_rows), pa.int64()))
    wanted = pa.table(
        {
            "person_source_id": placements["person_source_id"],
            "subject": placements["subject"],
            "_domain": placements["canonical_domain"],
            "_placement": pa.array(np.arange(placements.num_rows), pa.int64()),
        }
    )
    pairs = wanted.join(heads, ["person_source_id", "subject"], join_type="inner")
    return pairs.sort_by([("_placement", "ascending"), ("_series", "ascending")])


def _district(points: SortedPoints, pairs: pa.Table, candidate: np.ndarray, since: np.ndarray) -> _Part:
    """The district's measure with a goal: of those with points since entry and a goal set on one of them,
    the one with the most such points (ties: the first series in sorted order)."""
    given = np.where(np.isnan(points.goals), -1, np.arange(len(points.goals)))
    latest_goal = np.maximum.accumulate(given) if len(given) else given
    end = pairs["end"].to_numpy()
    goal_at = latest_goal[np.maximum(end - 1, 0)] if len(latest_goal) else np.full(len(end), -1)
    candidate = candidate & (goal_at >= since)
    which = np.flatnonzero(candidate)
    row, size = pairs["_placement"].to_numpy()[which], (end - since)[which]
    order = np.lexsort((which, -size, row))
    first = order[np.unique(row[order], return_index=True)[1]]
    picked = which[first]
    return _Part(
        placement=row[first],
        kind=DISTRICT,
        measure=pairs["measure"].take(pa.array(picked, pa.int64())).combine_chunks(),
        district_goal=points.goals[goal_at[picked]],
        lengths=(end - since)[picked],
        points=ranges(since[picked], end[picked]),
    )


def _mastered(points: SortedPoints, row: np.ndarray, since: np.ndarray, end: np.ndarray) -> _Part:
    """Mastery checks since entry, on the targeted skill and on several skills of the subject, merged in
    date order (ties in a date: the series' sorted order, then the series' own order)."""
    owner = np.repeat(row, end - since)
    index = ranges(since, end)
    order = np.lexsort((index, points.days[index], owner))
    placement, lengths = np.unique(owner, return_counts=True)
    return _Part(
        placement=placement,
        kind=MASTERED,
        measure=pa.array([MASTERY] * len(placement), pa.string()),
        district_goal=np.full(len(placement), np.nan),
        lengths=lengths,
        points=index[order],
    )


def _vendor(points: SortedPoints, pairs: pa.Table, placements: pa.Table, tests: pa.Array) -> _Part:
    """The diagnostic's scale from the entry test's point on: the first vendor series of the subject
    (sorted order) holding that point, from it to the series' end."""
    entry = placements["entry_result_source_id"].combine_chunks()
    entry_point = pc.if_else(pc.is_in(entry, tests), pc.binary_join_element_wise(PREFIX, entry, ""), None)
    hit = points.ids_in(pc.drop_null(entry_point))
    starts = points.heads["start"].to_numpy()
    found = pa.table(
        {
            "_series": pa.array(np.searchsorted(starts, hit, side="right") - 1, pa.int64()),
            "_point": points.ids.take(pa.array(points.sorted_at[hit], pa.int64())),
            "_at": pa.array(hit, pa.int64()),
        }
    )
    wanted = pairs.select(["_placement", "_series", "end", "measure"]).append_column(
        "_point", entry_point.take(pairs["_placement"])
    )
    matched = wanted.join(found, ["_series", "_point"], join_type="inner")
    matched = matched.sort_by([("_placement", "ascending"), ("_at", "ascending")])
    row = matched["_placement"].to_numpy()
    first = np.unique(row, return_index=True)[1]
    at, end = matched["_at"].to_numpy()[first], matched["end"].to_numpy()[first]
    return _Part(
        placement=row[first],
        kind=VENDOR,
        measure=matched["measure"].take(pa.array(first, pa.int64())).combine_chunks(),
        district_goal=np.full(len(first), np.nan),
        lengths=end - at,
        points=ranges(at, end),
    )


def _in_placement_order(parts: list[_Part]) -> Chosen:
    placement = np.concatenate([part.placement for part in parts])
    lengths = np.concatenate([part.lengths for part in parts])
    order = np.argsort(placement, kind="stable")
    by_point = np.argsort(np.repeat(placement, lengths), kind="stable")
    return Chosen(
        placement=placement[order],
        kind=np.concatenate([np.full(len(part.placement), part.kind) for part in parts])[order],
        measure=pa.concat_arrays([part.measure for part in parts]).take(pa.array(order, pa.int64())),
        district_goal=np.concatenate([part.district_goal for part in parts])[order],
        lengths=lengths[order],
        points=np.concatenate([part.points for part in parts]).astype(np.int64)[by_point],
    )
