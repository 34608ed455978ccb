"""Small-cell suppression: no aggregate leaves the hub with a figure that could point at a few students.

Impact writes into each table's schema metadata which columns are its keys and which counts each figure
rests on (``keys``, ``figures``), so reports, dashboards and Dagster metadata all suppress the same cells.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring.errors import TutoringError


def suppress(table: pa.Table, min_n: int = 10) -> pa.Table:
    """Blank every figure resting on fewer than ``min_n`` students, counts included; mark the row.

    Figures and the counts they rest on come from the table's ``figures`` metadata (set by impact); a
    table without it treats every numeric non-key column as resting on every ``n`` / ``*_n`` column.
    """
    metadata = table.schema.metadata or {}
    figures: dict[str, list[str]] = json.loads(metadata.get(b"figures", b"{}"))
    if not figures:
        keys = set(json.loads(metadata.get(b"keys", b"[]")))
        counts = [name for name in table.column_names if name == "n" or name.endswith("_n")]
        if not counts:
            raise TutoringError("suppress: the table has no n (or *_n) column to judge its cells by")
        figures = {
            field.name: counts
            for field in table.schema
            if field.name not in keys
            and (pa.types.is_integer(field.type) or pa.types.is_floating(field.type))
        }
    # a count of 0 discloses nobody; 1 to min_n - 1 can
    small = {
        name: pc.fill_null(pc.and_(pc.greater(table[name], 0), pc.less(table[name], min_n)), False)
        for name in {count for counts in figures.values() for count in counts}
    }
    hidden = pa.chunked_array([pa.array(np.zeros(table.num_rows, dtype=bool))])
    for name, counts in figures.items():
        blank = small[counts[0]]
        for count in counts[1:]:
            blank = pc.or_(blank, small[count])
        column = table[name]
        table = table.set_column(
            table.column_names.index(name), name, pc.if_else(blank, pa.scalar(None, column.type), column)
        )
        hidden = pc.or_(hidden, blank)
    if "suppressed" in table.column_names:
        hidden = pc.or_(hidden, table["suppressed"])
        table = table.drop_columns(["suppressed"])
    return table.append_column("suppressed", hidden).replace_schema_metadata(metadata)
