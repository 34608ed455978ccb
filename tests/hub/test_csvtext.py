"""Grouping rows by position (``first_rows``) and flagging repeated keys (``repeats``)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from hub.csvtext import first_rows, repeats


def test_keys_are_numbered_in_order_of_first_appearance_across_chunks() -> None:
    keys = pa.chunked_array([["s2", "s1", "s2"], ["s3", "s1", None, None]])

    codes, first = first_rows(keys)

    assert codes.tolist() == [0, 1, 0, 2, 1, 3, 3]
    assert first.tolist() == [0, 1, 3, 5]


def test_a_repeat_is_a_live_row_whose_key_an_earlier_live_row_holds() -> None:
    keys = pa.chunked_array([["a", "b", "a"], ["b", "c", "a"]])
    live = np.array([False, True, True, True, True, True])  # the first "a" was rejected earlier

    assert repeats(keys, live).tolist() == [False, False, False, True, False, True]
