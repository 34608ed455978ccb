"""Ids named a batch at a time: every id once, in order, and a read still made when there are none."""

from __future__ import annotations

import pyarrow as pa

from hub.pipeline.id_batches import id_batches


def test_ids_come_in_order_in_batches_of_at_most_the_size() -> None:
    ids = pa.array([f"s{i}" for i in range(5)])
    assert list(id_batches(ids, 2)) == [["s0", "s1"], ["s2", "s3"], ["s4"]]
    assert list(id_batches(ids, 5)) == [["s0", "s1", "s2", "s3", "s4"]]


def test_no_ids_are_one_empty_batch() -> None:
    assert list(id_batches(pa.array([], pa.string()), 1_000)) == [[]]
