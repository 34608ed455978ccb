"""A file read in blocks (``detect_file``): ASCII blocks are counted as bytes, and a character split across
two blocks is still read whole, or refused when its end never comes."""

from __future__ import annotations

from pathlib import Path

from hub.decoding import _CHUNK, UndecodableFile, detect_file


def _file_with_split_character(tmp_path: Path, after: bytes) -> Path:
    """ASCII lines up to one byte short of the first block, then "é" (two bytes) across the boundary."""
    line = b"ses-1,stu-1,present\n"
    head = line * ((_CHUNK - 1) // len(line))
    head += b"x" * (_CHUNK - 1 - len(head))
    path = tmp_path / "sessions.csv"
    path.write_bytes(head + "é".encode()[:1] + after)
    return path


def test_a_character_split_across_blocks_is_read_as_utf8(tmp_path: Path) -> None:
    path = _file_with_split_character(tmp_path, "é".encode()[1:] + b"\x00,after\nlast\n")

    found = detect_file(lambda: path.open("rb"), path.name)

    assert found.is_utf8 and found.nul_bytes == 1
    assert found.first_nul_line == (_CHUNK - 1) // len(b"ses-1,stu-1,present\n") + 1


def test_an_ascii_block_after_half_a_character_is_not_taken_for_utf8(tmp_path: Path) -> None:
    path = _file_with_split_character(tmp_path, b",after\n")  # the é's second byte never comes

    try:
        found = detect_file(lambda: path.open("rb"), path.name)
    except UndecodableFile:
        return  # refused, with the line and byte
    assert not found.is_utf8, "a lone 0xC3 byte is no UTF-8"  # else read as a code page that has it
