"""Finding repeated values in a column of millions: one hash pass, then integer work in numpy.

``dictionary_encode`` gives every distinct value a code in a single pass (measured several times cheaper
than sorting millions of GUID strings); when there are as many codes as values nothing repeats, which is
the common answer. Otherwise the codes, being integers, show the repeats cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True, slots=True)
class Repeats:
    rows: np.ndarray  # positions of the rows that repeat an earlier row's value
    firsts: np.ndarray  # for each of those, the position of the first row with that value


def find_repeats(values: pa.Array | pa.ChunkedArray) -> Repeats | None:
    """Rows whose value appeared on an earlier row (nulls never repeat), or None when there are none."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()  # encoding chunk by chunk would repeat the dictionary per chunk
    encoded = pc.dictionary_encode(values)
    if len(encoded.dictionary) == len(values) - values.null_count:
        return None
    codes = pc.fill_null(encoded.indices, -1).to_numpy()
    _, first_of_code = np.unique(codes, return_index=True)
    seen_before = np.ones(len(codes), dtype=bool)
    seen_before[first_of_code] = False
    seen_before &= codes >= 0
    rows = np.flatnonzero(seen_before)
    firsts = first_of_code[codes[first_of_code] >= 0]  # the null code, -1, has a "first" row too
    first_row = np.empty(len(encoded.dictionary), dtype=np.int64)
    first_row[codes[firsts]] = firsts
    return Repeats(rows, first_row[codes[rows]])
