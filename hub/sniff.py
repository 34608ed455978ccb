"""Reading just the header line of a delimited export, to recognise the file by what it holds.

Exports get renamed between the vendor and the hub, so connectors tell files apart by their header, not
their name. The line is decoded as the whole file will be (``hub.decoding.first_lines``), so a header in
UTF-16 or Windows-1252 is recognised the same as one in UTF-8.
"""

from __future__ import annotations

from typing import IO

from hub.decoding import first_lines, record_cells

_LIMIT = 1 << 20  # what recognition looks at: a header longer than 1 MiB is no header


def header_cells(stream: IO[bytes], name: str = "") -> list[str]:
    """The first line's cells, comma- or tab-delimited (whichever the line holds more of)."""
    lines = first_lines(stream.read(_LIMIT), name)
    line = lines[0] if lines else ""
    delimiter = "\t" if line.count("\t") > line.count(",") else ","
    return record_cells(line, delimiter) or []  # a line no CSV reader reads is no header we know
