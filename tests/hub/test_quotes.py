"""Open quotes are found line by line even where a line straddles the blocks the bytes are read in."""

from __future__ import annotations

from hub.quotes import _BLOCK, open_quotes


def test_a_stray_quote_on_a_line_cut_by_a_block_end_is_found() -> None:
    good = b'1,"Ana",x\n'
    before = good * ((_BLOCK - 5) // len(good))
    stray = b'2,"Bo,y\n'  # starts a few bytes before the block's end: its quote is in the first block
    broken_line = before.count(b"\n") + 2  # numbered from 1, after the padding line
    data = before + b"pad\n" + stray + good * 3
    assert len(before) + 4 < _BLOCK < len(before) + 4 + len(stray)

    found = open_quotes(data, 3)

    assert found.lines == [broken_line]
    assert found.data.count(b"\n") == data.count(b"\n") and b"2,Bo,y\n" in found.data


def test_an_even_line_cut_by_a_block_end_is_left_alone() -> None:
    good = b'1,"Ana",x\n'
    data = good * (_BLOCK // len(good) + 3)  # some line straddles the block's end

    assert open_quotes(data, 3).lines == []
