"""Header sniffing recognises a file by its first line, whatever Excel saved it as."""

from __future__ import annotations

import codecs
import io

import pytest

from hub.sniff import header_cells

HEADER = "TermName,StudentID,Subject,Nom de l'élève"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (b"", "utf-8"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (b"", "cp1252"),
    ],
    ids=["utf-8", "utf-8 BOM", "utf-16 LE", "utf-16 BE", "windows-1252"],
)
def test_the_header_reads_the_same_in_every_encoding_excel_writes(bom: bytes, codec: str) -> None:
    raw = bom + f"{HEADER}\r\n201,1,Math,Zoë\r\n".encode(codec)
    assert header_cells(io.BytesIO(raw)) == ["TermName", "StudentID", "Subject", "Nom de l'élève"]


def test_tabs_or_commas_whichever_the_line_holds() -> None:
    assert header_cells(io.BytesIO(b"TermName\tStudentID\tSchoolName, Inc\n")) == [
        "TermName",
        "StudentID",
        "SchoolName, Inc",
    ]


def test_an_empty_file_has_no_cells() -> None:
    assert header_cells(io.BytesIO(b"")) == []
