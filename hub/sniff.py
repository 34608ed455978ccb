"""Reading just the header line of a delimited export, to recognise the file by what it holds.

Exports get renamed between the vendor and the hub, so connectors tell files apart by their header, not
their name. Only the first line is read. The decoding here is the minimum a header needs (a UTF-8 BOM
stripped, a UTF-16 BOM honoured, Windows-1252 when the bytes are not UTF-8); the rows are decoded by the
connector's own reader.
"""

from __future__ import annotations

import codecs
import csv
from typing import IO

_LIMIT = 1 << 20  # a header longer than 1 MiB is no header


def header_cells(stream: IO[bytes]) -> list[str]:
    """The first line's cells, comma- or tab-delimited (whichever the line holds more of)."""
    line = header_line(stream)
    delimiter = "\t" if line.count("\t") > line.count(",") else ","
    return next(csv.reader([line], delimiter=delimiter), [])


def header_line(stream: IO[bytes]) -> str:
    """The first line of ``stream`` as text, without its line break."""
    raw = stream.read(_LIMIT)
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            text = raw[len(bom) :].decode(encoding, errors="replace")
            return text.split("\n", 1)[0].rstrip("\r")
    first = raw.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        return first.decode("utf-8-sig")
    except UnicodeDecodeError:
        return first.decode("cp1252", errors="replace")
