"""Which of MAP's six growth windows speaks for a test, and what it says.

The export fills a growth window only for pairs that *end* in the exported term (FallToWinter... for a
winter test), and the ``Typical<Pair>Growth`` projections only for pairs that *start* in it. A test's
growth is read from the first window ending in its term that has data, preferring the one that starts in
the same school year:

    fall    FallToFall (last fall -> this fall; the only window ending in fall)
    winter  FallToWinter, then WinterToWinter
    spring  FallToSpring, then WinterToSpring, then SpringToSpring
    summer  none

From that window come ``growth_to_date`` (ObservedGrowth), ``conditional_growth_index`` and
``conditional_growth_percentile`` (the export's own CGI and CGP: the norms behind them are NWEA's, and a
re-derivation would only drift from what teachers see in MAP's reports) and ``typical_growth``
(ProjectedGrowth). A test without such a window (a student's first test of the year) gets as
``typical_growth`` the projection from its term to spring: TypicalFallToSpringGrowth for fall,
TypicalWinterToSpringGrowth for winter, TypicalSpringToSpringGrowth for spring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.nwea_map.values import Column

PAIRS_ENDING_IN = {
    "fall": ("FallToFall",),
    "winter": ("FallToWinter", "WinterToWinter"),
    "spring": ("FallToSpring", "WinterToSpring", "SpringToSpring"),
}
PROJECTION_FROM = {
    "fall": "TypicalFallToSpringGrowth",
    "winter": "TypicalWinterToSpringGrowth",
    "spring": "TypicalSpringToSpringGrowth",
}
_FIELDS = {
    "typical_growth": "ProjectedGrowth",
    "growth_to_date": "ObservedGrowth",
    "conditional_growth_index": "ConditionalGrowthIndex",
    "conditional_growth_percentile": "ConditionalGrowthPercentile",
}


@dataclass(slots=True)
class GrowthColumns:
    typical_growth: Column
    growth_to_date: Column
    conditional_growth_index: Column
    conditional_growth_percentile: Column


def growth(window: Column, number: Callable[[str], Column]) -> GrowthColumns:
    """``number(column)`` gives a column's values as float64 (all null when the layout lacks it)."""
    size = len(window)
    picked = {field: pa.nulls(size, pa.float64()) for field in _FIELDS}
    chosen: Column = pa.array(np.zeros(size, dtype=bool))
    for season, pairs in PAIRS_ENDING_IN.items():
        in_season = pc.equal(window, season)
        for pair in pairs:
            has_data = pc.or_(
                pc.is_valid(number(f"{pair}ObservedGrowth")),
                pc.is_valid(number(f"{pair}ConditionalGrowthIndex")),
            )
            take = pc.and_not(pc.fill_null(pc.and_(in_season, has_data), False), chosen)
            for field, suffix in _FIELDS.items():
                picked[field] = pc.if_else(take, number(f"{pair}{suffix}"), picked[field])
            chosen = pc.or_(chosen, take)
    for season, column in PROJECTION_FROM.items():
        fallback = pc.and_not(pc.fill_null(pc.equal(window, season), False), chosen)
        picked["typical_growth"] = pc.if_else(fallback, number(column), picked["typical_growth"])
    percentile = pc.cast(pc.round(picked["conditional_growth_percentile"]), pa.int64())
    return GrowthColumns(
        picked["typical_growth"], picked["growth_to_date"], picked["conditional_growth_index"], percentile
    )
