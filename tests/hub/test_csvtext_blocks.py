"""A CSV file parsed from disk a block at a time reads as it does whole: rows, blanks, lines and rejects."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub import csvtext

HEADER = b"id,note,score\n"


def _rows(count: int, start: int = 0) -> bytes:
    return b"".join(b'%d,"note %d ",%d\n' % (i, i, i % 7) for i in range(start, start + count))


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, block: int) -> tuple[list[dict], list[tuple]]:
    monkeypatch.setattr(csvtext, "BLOCK", block)
    table, issues = csvtext.read_csv(path, ("id",))
    return table.to_pylist(), [(i.line, i.kind, i.value) for i in issues]


def test_a_file_read_in_small_blocks_matches_the_whole_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(HEADER + _rows(400) + b"400,too,many,fields\n" + b"401,  ,\n" + _rows(400, 402))

    rows, issues = _read(path, monkeypatch, 1 << 10)

    assert (rows, issues) == _read(path, monkeypatch, 1 << 30)
    monkeypatch.setattr(csvtext, "BLOCK", 1 << 10)
    assert csvtext.read_csv(path, ("id",))[0]["id"].num_chunks > 10  # parsed a block at a time
    assert issues == [(402, "column_count", "400,too,many,fields")]  # the line after 401 rows (header = 1)
    assert len(rows) == 801 and rows[400] == {"id": "401", "note": None, "score": None, "_line": 403}
    assert rows[-1] == {"id": "801", "note": "note 801", "score": str(801 % 7), "_line": 803}


def test_a_cell_larger_than_a_block_costs_no_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "log.csv"
    long = b"x" * 5000
    path.write_bytes(HEADER + _rows(50) + b'50,"' + long + b'",1\n' + _rows(50, 51))

    rows, issues = _read(path, monkeypatch, 1 << 10)  # the cell straddles blocks: the file is read whole

    assert issues == [] and len(rows) == 101
    assert rows[50] == {"id": "50", "note": long.decode(), "score": "1", "_line": 52}


def test_values_spanning_lines_and_open_quotes_keep_their_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(HEADER + _rows(30) + b'30,"two\nlines",2\n' + b'31,"open,3\n' + _rows(30, 32))

    rows, issues = _read(path, monkeypatch, 1 << 9)

    assert issues == [(34, "open_quote", None)]
    assert rows[30] == {"id": "30", "note": "two\nlines", "score": "2", "_line": 32}
    assert rows[31]["id"] == "32" and rows[31]["_line"] == 35 and len(rows) == 61
