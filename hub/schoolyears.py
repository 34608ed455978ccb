"""Whether a test date lies inside the school year its export labels it with, for the vendors' checks.

A school year runs July to June and is named by the year it ends in (2025-26 is 2026). A date within a
month of the boundary may carry either neighbour's label (summer school, a late spring window), so only a
date further off is flagged: the label or the date was typed wrong, and which one cannot be told.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["outside_labelled_year"]

Column = pa.ChunkedArray | pa.Array


def outside_labelled_year(dates: Column, labelled: Column) -> Column:
    """True where both are given and ``dates`` falls outside the school year ``labelled`` (ending year)."""
    month = pc.month(dates)
    natural = pc.add(pc.year(dates), pc.cast(pc.greater_equal(month, 7), pa.int64()))
    inside = pc.equal(labelled, natural)
    june_ahead = pc.and_(pc.equal(month, 6), pc.equal(labelled, pc.add(natural, 1)))
    july_behind = pc.and_(pc.equal(month, 7), pc.equal(labelled, pc.subtract(natural, 1)))
    return pc.fill_null(pc.invert(pc.or_(inside, pc.or_(june_ahead, july_behind))), False)
