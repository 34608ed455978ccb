"""Picking rows in bulk: the first of each key, and filters that cost nothing when nothing goes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.nwea_map.values import Column


def first_rows(keys: Column, among: Column) -> Column:
    """Mask of the first row of each key among the rows under ``among``."""
    position = pa.array(np.arange(len(keys)))
    candidates = pa.table({"key": keys, "at": position}).filter(among)
    if pc.count_distinct(candidates.column("key")).as_py() == candidates.num_rows:
        return among
    first = candidates.group_by("key").aggregate([("at", "min")]).column("at_min")
    return pc.is_in(position, first)


def filtered(table: pa.Table, mask: Column) -> pa.Table:
    """``table.filter(mask)``, skipped in the usual case where every row stays."""
    return table if pc.all(mask).as_py() else table.filter(mask)
