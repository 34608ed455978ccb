"""A connector's rows as the warehouse stores them: the model's schema, the district added, no NULs."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.connector import Issue, SyncMode
from hub.model.arrow import conform, conform_present


def conformed(name: str, data: pa.Table, district_id: str, mode: SyncMode, nul: Counter[str]) -> pa.Table:
    """``data`` in ``name``'s stored schema with its district, less NUL characters; the rows each text
    column held them in are added to ``nul`` (``nul_issues`` words them once per table and column)."""
    kept = conform_present(name, data) if mode is SyncMode.PATCH else conform(name, data)
    district = pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(kept.num_rows, dtype=np.int32)), pa.array([district_id])
    ).cast(pa.string())
    return _without_nul(kept.append_column("district_id", district), nul)


def _without_nul(data: pa.Table, nul: Counter[str]) -> pa.Table:
    """NUL characters out of every text column: PostgreSQL refuses them (a whole COPY fails on one) where
    SQLite stores them, so both warehouses must get the same text. File connectors remove them while
    decoding; this catches any other source (a REST API's JSON, a vendor's plugin)."""
    for index, column in enumerate(data.columns):
        if not pa.types.is_string(column.type) or not pc.any(pc.match_substring(column, "\x00")).as_py():
            continue
        nul[data.field(index).name] += pc.sum(pc.match_substring(column, "\x00")).as_py()
        data = data.set_column(index, data.field(index), pc.replace_substring(column, "\x00", ""))
    return data


def nul_issues(name: str, nul: Counter[str]) -> list[Issue]:
    """One warning per column of ``name`` whose text held NUL characters (``conformed``)."""
    return [
        Issue(
            name,
            None,
            column,
            None,
            "nul_bytes",
            f"{rows} value(s) held NUL characters, which no text holds; they were removed",
            "warning",
        )
        for column, rows in nul.items()
    ]
