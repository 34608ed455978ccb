"""``whole_groups``: blocks of a stream that each hold every row of their keys, rows in their own order."""

from __future__ import annotations

import pyarrow as pa

from hub.spilled import SpilledBlocks, whole_groups


def blocks_of(keys: list[str | None], rows: int, batch: int = 3) -> list[list[tuple[str | None, int]]]:
    table = pa.table({"Student ID": pa.array(keys, pa.string()), "line": range(len(keys))})
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=batch))
    return [
        list(zip(*block.to_pydict().values(), strict=True))
        for block in whole_groups(reader, "Student ID", rows)
    ]


def test_each_block_holds_every_row_of_its_keys_in_their_order() -> None:
    found = blocks_of(["a", "b", "a", " c", "b", "c", "d", None, "e", None], rows=3)
    assert found == [
        [("a", 0), ("b", 1), ("a", 2), ("b", 4)],  # a and b first seen first, together past the block size
        [(" c", 3), ("c", 5)],  # compared without surrounding blanks
        [("d", 6), (None, 7), (None, 9)],  # rows without a key are one group
        [("e", 8)],
    ]


def test_a_stream_whose_keys_lie_together_keeps_its_order_and_a_large_group_is_one_block() -> None:
    keys = ["a"] * 5 + ["b", "b", "c"]
    assert [[line for _, line in block] for block in blocks_of(keys, rows=2)] == [
        [0, 1, 2, 3, 4],
        [5, 6],
        [7],
    ]
    assert blocks_of([], rows=2) == []


def test_spilled_blocks_are_read_back_whole_every_time() -> None:
    spilled = SpilledBlocks()
    spilled.add({"x": pa.table({"n": [1, 2]}), "y": pa.table({"m": ["a"]})})
    spilled.add({"x": pa.table({"n": [3]})})
    for _ in range(2):
        assert [{name: t.to_pydict() for name, t in block.items()} for block in spilled] == [
            {"x": {"n": [1, 2]}, "y": {"m": ["a"]}},
            {"x": {"n": [3]}},
        ]
    assert len(spilled) == 2
