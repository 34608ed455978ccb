"""One way for every CSV connector to turn a vendor file's bytes into UTF-8 text.

Files reach the hub as Excel saved them: UTF-8 with or without a byte order mark ("CSV UTF-8"), UTF-16
with a BOM ("Unicode Text"), or the Windows code page of "CSV (Comma delimited)". Each is read, and a file
that is not plain UTF-8 says which encoding it was read as, because a wrong guess shows as wrong accents
in a student's name. A file that no single encoding reads (UTF-8 with stray Windows bytes, a binary file
renamed .csv) is refused with the line and byte of the first bad byte. NUL bytes, which no text cell
holds and PostgreSQL refuses, are removed with a warning, so that both warehouses load the same text.

    encoding = detect_file(open_file, name)       # or detect_bytes(data, name)
    text = to_utf8(data, encoding)                # UTF-8 bytes, no BOM, no NULs
    lines = first_lines(data, name)               # the header line(s), decoded, for recognising a file
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from charset_normalizer import from_bytes

from hub.connector import ConnectorError

__all__ = [
    "SAVE_AS_UTF8",
    "UNREADABLE_ROW",
    "TextEncoding",
    "UndecodableFile",
    "detect_bytes",
    "detect_file",
    "first_lines",
    "header_cells",
    "read_utf8",
    "record_cells",
    "to_utf8",
    "utf8_stream",
    "whole_file_block",
]

UNREADABLE_ROW = "the row cannot be read as CSV (a cell past 128 KiB or a stray carriage return); not loaded"
SAVE_AS_UTF8 = 'save it again from Excel as "CSV UTF-8 (Comma delimited)"'
_CHUNK = 16 << 20
_SNIFF = 1 << 20  # what the detector looks at: enough text to judge, small enough to judge fast
_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "UTF-8 with a byte order mark"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 (big-endian)"),
)
# The code pages Excel's "CSV (Comma delimited)" writes for the districts the hub serves; the detector
# weighs them against UTF-8, and a looser mess threshold than its default keeps short files of accented
# names (Ñúñez, Zoë) from being judged as noise.
_CODE_PAGES = {"cp1252": "Windows-1252"}
_MESS_THRESHOLD = 0.5

Opener = Callable[[], AbstractContextManager[IO[bytes]]]


class UndecodableFile(ConnectorError):
    """The file is in no encoding the hub reads; the message names the first bad byte and the fix."""


@dataclass(frozen=True, slots=True)
class TextEncoding:
    """How a file's bytes are to be read."""

    codec: str  # a Python codec name
    label: str  # as a person calls it
    bom: int = 0  # bytes of byte order mark to skip
    nul_bytes: int = 0
    first_nul_line: int | None = None
    first_foreign_line: int | None = None  # where the first byte that is not UTF-8 sits

    @property
    def is_utf8(self) -> bool:
        return self.codec == "utf-8"

    @property
    def clean(self) -> bool:
        """UTF-8 with nothing to remove: the bytes can be parsed as they are."""
        return self.is_utf8 and not self.bom and not self.nul_bytes

    def warnings(self) -> list[tuple[str, int | None, str]]:
        """(kind, line, reason) of what a person should know about how the file was read."""
        found: list[tuple[str, int | None, str]] = []
        if not self.is_utf8:
            found.append(
                (
                    "encoding",
                    self.first_foreign_line,
                    f"is not UTF-8: read as {self.label} (detected); to be sure, {SAVE_AS_UTF8}",
                )
            )
        if self.nul_bytes:
            found.append(
                (
                    "nul_bytes",
                    self.first_nul_line,
                    f"holds {self.nul_bytes} NUL byte(s) (the first on line {self.first_nul_line}), which "
                    "no text holds; they were removed",
                )
            )
        return found


def detect_bytes(data: bytes, name: str) -> TextEncoding:
    return _detect(lambda: iter((data,)), name)


def detect_file(open_file: Opener, name: str) -> TextEncoding:
    """The encoding of a file too large to hold twice: it is read in blocks, twice at most."""

    def blocks() -> Iterator[bytes]:
        with open_file() as stream:
            yield from iter(lambda: stream.read(_CHUNK), b"")

    return _detect(blocks, name)


def to_utf8(data: bytes, encoding: TextEncoding) -> bytes:
    """The file's text as UTF-8 bytes, without BOM or NULs; ``data`` itself when it is clean already."""
    if encoding.clean:
        return data
    body = data[encoding.bom :]
    if not encoding.is_utf8:
        body = body.decode(encoding.codec).encode("utf-8")
    return body.replace(b"\x00", b"") if encoding.nul_bytes else body


def read_utf8(path: Path, name: str) -> tuple[bytes, TextEncoding]:
    """A whole file's text as UTF-8 bytes, with how it was read."""
    data = path.read_bytes()
    encoding = detect_bytes(data, name)
    return to_utf8(data, encoding), encoding


def first_lines(data: bytes | Path, name: str, count: int = 1) -> list[str]:
    """The first ``count`` lines of a file, decoded as the whole file will be (for recognising a file by its
    header before reading it). Only the first block is looked at, so a broken byte further on is left to
    the real read to report."""
    if isinstance(data, Path):
        with data.open("rb") as stream:
            data = stream.read(_SNIFF + 1)  # one byte more tells a longer file, read only in part
    head = data[:_SNIFF]
    try:
        encoding = _detect(lambda: iter((head,)), name, partial=len(data) > _SNIFF)
    except UndecodableFile:  # the read proper refuses the file, with the line and byte
        encoding = TextEncoding("utf-8", "UTF-8")
    text = codecs.getincrementaldecoder(encoding.codec)("replace").decode(head[encoding.bom :])
    return text.replace("\x00", "").splitlines()[:count]


Blocks = Callable[[], Iterator[bytes]]


def _detect(blocks: Blocks, name: str, *, partial: bool = False) -> TextEncoding:
    head = next(blocks(), b"")
    for bom, codec, label in _BOMS:
        if head.startswith(bom):
            return _scan(blocks, name, codec, label, len(bom), partial)
    try:
        return _scan(blocks, name, "utf-8", "UTF-8", 0, partial)
    except _BadByte as bad:
        refusal = UndecodableFile(_undecodable(name, "UTF-8", bad.line, bad.offset, bad.value), file=name)
        if bad.utf8_before:  # accents in UTF-8 before this byte: a file of two encodings, no guess is right
            raise refusal from None
        guess = from_bytes(head[:_SNIFF], cp_isolation=list(_CODE_PAGES), threshold=_MESS_THRESHOLD).best()
        if guess is None or guess.encoding not in _CODE_PAGES:
            raise refusal from None
        try:
            found = _scan(blocks, name, guess.encoding, _CODE_PAGES[guess.encoding], 0, partial)
        except UndecodableFile:  # the code page fits the first block only: the first bad byte is the news
            raise refusal from None
        return replace(found, first_foreign_line=bad.line)


class _BadByte(Exception):
    def __init__(self, offset: int, line: int, value: int, utf8_before: bool) -> None:
        super().__init__(offset)
        self.offset, self.line, self.value, self.utf8_before = offset, line, value, utf8_before


def _scan(blocks: Blocks, name: str, codec: str, label: str, bom: int, partial: bool) -> TextEncoding:
    """Decode every block (nothing kept) to prove the whole file reads; count NULs and lines on the way.

    A bad byte in what should be UTF-8 raises ``_BadByte`` (another code page may read the file); in any
    other encoding the file is refused.
    """
    decoder = codecs.getincrementaldecoder(codec)("strict")
    offset = lines = nuls = 0
    first_nul: int | None = None
    non_ascii = False
    for index, chunk in enumerate(blocks()):
        skipped = bom if index == 0 else 0
        block = chunk[skipped:]
        if codec == "utf-8" and block.isascii() and not decoder.getstate()[0]:
            # ASCII is UTF-8 as it stands: counted in the bytes, not decoded (most exports are ASCII)
            text = block.decode("ascii") if b"\x00" in block else ""
            newlines = block.count(b"\n")
        else:
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as error:
                at = offset + skipped + error.start
                line = lines + block.count(b"\n", 0, error.start) + 1
                if codec != "utf-8" or bom:
                    message = _undecodable(name, label, line, at, block[error.start])
                    raise UndecodableFile(message, file=name) from None
                before = non_ascii or not block[: error.start].isascii()
                raise _BadByte(at, line, block[error.start], before) from None
            non_ascii = non_ascii or not text.isascii()
            newlines = text.count("\n")
        found = text.count("\x00")
        if found and first_nul is None:
            first_nul = lines + text[: text.index("\x00")].count("\n") + 1
        nuls += found
        lines += newlines
        offset += len(chunk)
    if not partial:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise UndecodableFile(_undecodable(name, label, lines + 1, offset, None), file=name) from None
    return TextEncoding(codec, label, bom, nuls, first_nul)


def _undecodable(name: str, label: str, line: int, offset: int, value: int | None) -> str:
    what = (
        f"has byte 0x{value:02X} (byte {offset + 1} of the file)"
        if value is not None
        else "ends mid-character"
    )
    return f"{name}: cannot be read as text: line {line} {what}, which is not {label}; {SAVE_AS_UTF8}"


def utf8_stream(open_file: Opener, name: str) -> tuple[Opener, TextEncoding]:
    """An opener of the file's text as UTF-8: the file itself when it is clean, else its converted bytes."""
    encoding = detect_file(open_file, name)
    if encoding.clean:
        return open_file, encoding
    with open_file() as stream:
        converted = to_utf8(stream.read(), encoding)
    return (lambda: io.BytesIO(converted)), encoding


def whole_file_block(size: int) -> int:
    """A pyarrow CSV block size that holds a whole in-memory file: a cell larger than the block would
    otherwise fail the file ("straddling object"), where an oversized cell should cost only its row."""
    return max(1 << 20, min(size + 1, (1 << 31) - 1))


def record_cells(text: str, delimiter: str = ",") -> list[str] | None:
    """The cells of one CSV record; None where Python's csv module cannot read it (a cell past its 128 KiB
    limit, a bare carriage return), which the caller rejects rather than crash on."""
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return None


def header_cells(lines: list[str], name: str, delimiter: str = ",") -> list[str]:
    """The cells of a file's header line (``first_lines``); a line no CSV reader reads is a file error."""
    cells = record_cells(lines[0] if lines else "", delimiter)
    if cells is None:
        raise ConnectorError(
            f"{name}: the header line cannot be read as CSV (a stray quote or carriage return, or a cell "
            "longer than any column name); is this the right file?",
            file=name,
        )
    return cells
