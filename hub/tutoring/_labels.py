"""How schools name and order what a decision mentions: years, windows, grades, subjects, domains, vendors.

Each function works on whole columns, so a basis or an exit reason is written for every row at once.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics._arrow import number_text
from hub.diagnostics.gaps import VENDOR_LABELS
from hub.skills import DOMAINS

__all__ = [
    "DOMAIN_LABELS",
    "GRADE_ORDER",
    "SUBJECT_LABELS",
    "VENDOR_LABELS",
    "WINDOW_ORDER",
    "relabel",
    "school_year_text",
    "whole_number_text",
    "window_rank",
]

WINDOW_ORDER = ("fall", "winter", "spring", "summer")
"""Windows in the order a school year runs through them (later windows supersede earlier ones)."""
GRADE_ORDER = ("IT", "PR", "PK", "TK", "KG", *(f"{grade:02d}" for grade in range(1, 14)))
"""CEDS grade codes in school order; grades outside it (UG, Other) never merge with a neighbour."""
SUBJECT_LABELS = {"ela": "ELA", "math": "Math"}
DOMAIN_LABELS = {key: name for domains in DOMAINS.values() for key, name in domains.items()}


def relabel(values: pa.Array | pa.ChunkedArray, labels: dict[str, str]) -> pa.Array | pa.ChunkedArray:
    """Map codes to readable labels in bulk; codes without a label pass through unchanged."""
    position = pc.index_in(values, value_set=pa.array(list(labels), pa.string()))
    return pc.coalesce(pc.take(pa.array(list(labels.values()), pa.string()), position), values)


def window_rank(windows: pa.Array | pa.ChunkedArray) -> pa.Array:
    """0 for fall .. 3 for summer; unknown windows sort first so that a known window wins."""
    return pc.fill_null(pc.index_in(windows, value_set=pa.array(WINDOW_ORDER)), -1)


def school_year_text(years: pa.Array | pa.ChunkedArray) -> pa.Array:
    """2026 -> "2025-26", the way schools name a year (``school_year`` is the year it ends)."""
    start = pc.cast(pc.subtract(years, 1), pa.string())
    return pc.binary_join_element_wise(start, pc.utf8_slice_codeunits(pc.cast(years, pa.string()), -2), "-")


def whole_number_text(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Scores and percentages in a sentence: rounded, and "n/a" where the vendor gave none."""
    return pc.fill_null(number_text(values), "n/a")
