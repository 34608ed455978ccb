"""A quote left open costs its own row, not every row after it.

In CSV a value that starts with a quote runs until the next quote, across line breaks. One stray quote
(``3,"Ana,Smith``) therefore swallows the rest of the file into one value, and the parser can only reject
that one giant row. ``open_quotes`` finds such lines before parsing: a line with an odd number of quotes
opens a value that spans lines, and when the very next line is a complete row on its own (the header's
number of fields, its quotes balanced) the value was never meant to span lines. Such lines are returned
with their quotes removed, so that the file parses row by row; the connector rejects them by line.
Counting quotes per line is vectorised, so a clean file costs one pass over its bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from hub.decoding import record_cells

__all__ = ["REASON", "OpenQuotes", "lines_parse_alone", "open_quotes"]

_BLOCK = 1 << 24  # bytes looked at a time: temporaries that fit a cache, not the size of the file
REASON = "a quote opens a value that never closes on this line; the row is not loaded (fix the quote)"


@dataclass(slots=True)
class OpenQuotes:
    data: bytes  # the file, with the quotes of the broken lines removed
    lines: list[int] = field(default_factory=list)  # physical lines (header = 1) of the broken rows
    records: list[int] = field(default_factory=list)  # the same rows counted as CSV records (header = 1)


def open_quotes(data: bytes, width: int, delimiter: str = ",") -> OpenQuotes:
    """Find and neutralise the lines whose quote swallows the lines after it (see the module's doc)."""
    octets = np.frombuffer(data, dtype=np.uint8)
    odd = _odd_quote_lines(
        _with_breaks(octets[offset : offset + _BLOCK]) for offset in range(0, len(octets), _BLOCK)
    )
    if not len(odd):
        return OpenQuotes(data)
    ends = np.flatnonzero(octets == ord("\n"))
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(data)]))

    def line(index: int) -> bytes:
        return data[starts[index] : stops[index]]

    broken: list[int] = []
    continued = 0  # lines that are the inside of a value spanning lines, before the current one
    records: list[int] = []
    position = 0
    while position < len(odd):
        index = int(odd[position])
        following = index + 1
        if following < len(starts) and _complete_row(line(following), width, delimiter):
            broken.append(index)
            records.append(index + 1 - continued)
            position += 1
            continue
        closing = int(odd[position + 1]) if position + 1 < len(odd) else len(starts) - 1
        continued += closing - index
        position += 2
    if not broken:
        return OpenQuotes(data)
    mended = bytearray(data)
    for index in reversed(broken):  # from the end, so the offsets before each cut stay right
        mended[starts[index] : stops[index]] = line(index).replace(b'"', b"")
    return OpenQuotes(bytes(mended), [index + 1 for index in broken], records)


def lines_parse_alone(path: Path, longest: int) -> bool:
    """Whether every line of the file closes its quotes and is shorter than ``longest`` bytes: then no
    value spans lines, and the file parses as it stands, ``longest`` bytes at a time. The file is looked at
    a block at a time."""
    tail = 0  # bytes since the last line break
    short = True

    def blocks(stream: BinaryIO) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        nonlocal tail, short
        for block in iter(lambda: stream.read(_BLOCK), b""):
            octets, breaks = _with_breaks(np.frombuffer(block, dtype=np.uint8))
            if len(breaks):
                short &= bool(np.diff(breaks, prepend=-1 - tail).max() < longest)
                tail = len(block) - int(breaks[-1]) - 1
            else:
                tail += len(block)
            short &= tail < longest
            yield octets, breaks

    with path.open("rb") as stream:
        odd = _odd_quote_lines(blocks(stream))
    return short and not len(odd)


def _with_breaks(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A block of bytes with where its line breaks are: found once, for every look at its lines."""
    return block, np.flatnonzero(block == ord("\n"))


def _odd_quote_lines(blocks: Iterable[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The lines (numbered from 0) that hold an odd number of quotes, in the bytes of ``blocks`` in turn
    (each with its line breaks, ``_with_breaks``).

    Each line's quotes are counted modulo 2 by an xor over its bytes, block by block so that no temporary
    is as large as the file (a session log is gigabytes); the count of a line cut by a block's end is
    carried into the next block.
    """
    odd: list[np.ndarray] = []
    lines = 0  # line breaks before the block
    carry = 0  # the quotes since the last line break, modulo 2
    for block, breaks in blocks:
        pieces = np.concatenate(([0], breaks + 1))  # each line's part in the block, then the tail
        parity = np.zeros(len(pieces), dtype=np.uint8)
        holding = pieces < len(block)
        parity[holding] = np.bitwise_xor.reduceat((block == ord('"')).view(np.uint8), pieces[holding])
        parity[0] ^= carry
        odd.append(lines + np.flatnonzero(parity[:-1]))
        carry = int(parity[-1])
        lines += len(breaks)
    if carry:  # the last line, with no line break after it
        odd.append(np.array([lines]))
    return np.concatenate(odd) if odd else np.array([], dtype=np.int64)


def _complete_row(text: bytes, width: int, delimiter: str) -> bool:
    if text.count(b'"') % 2:
        return False
    decoded = text.decode("utf-8", errors="replace").rstrip("\r")
    cells = record_cells(decoded, delimiter)
    return cells is not None and len(cells) == width
