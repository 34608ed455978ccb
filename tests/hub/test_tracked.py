"""``hub.tracked.rows_since``: which rows of a re-read cumulative export go on to normalize and apply."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from hub.connector import ConnectorError, Extract
from hub.tracked import KeptFiles, rows_since, tracked_state

KEYS = ("student",)


def extract(*files: tuple[str, list[tuple[str | None, str | None]]]) -> Extract:
    """One stream of (student, score) rows, each file's rows numbered by line from 2."""
    rows = [
        (name, line, student, score)
        for name, cells in files
        for line, (student, score) in enumerate(cells, 2)
    ]
    table = pa.table(
        {
            "student": pa.array([row[2] for row in rows], pa.string()),
            "score": pa.array([row[3] for row in rows], pa.string()),
            "_file": pa.array([row[0] for row in rows], pa.string()),
            "_line": pa.array([row[1] for row in rows], pa.int64()),
        }
    )
    return Extract({"results": table}, {}, [])


def night(tmp_path: Path, state: dict | None, digests: dict[str, str], *files) -> tuple[list, dict]:
    """The students whose rows go on, and the state the apply would keep."""
    read = rows_since(extract(*files), digests, state, KeptFiles(tmp_path / "kept"), KEYS)
    students = sorted(set(read.streams["results"]["student"].to_pylist()), key=str)
    return students, tracked_state(read, state)


def test_only_the_students_of_new_changed_or_gone_rows_go_on(tmp_path: Path) -> None:
    first = [("a", "1"), ("b", None), ("c", "3"), ("d", "")]
    students, state = night(tmp_path, None, {"r.csv": "h1"}, ("r.csv", first))
    assert students == ["a", "b", "c", "d"]  # nothing kept yet: everything

    # a row inserted before the others (every line moves), a blank now empty text, a row gone, one new
    later = [("e", "5"), ("a", "1"), ("b", ""), ("d", ""), ("f", "6")]
    students, state = night(tmp_path, state, {"r.csv": "h2"}, ("r.csv", later))
    assert students == ["b", "e", "f"]  # c's row is gone, but c has no row left to apply
    assert state == {"tracked": {"r.csv": "h2"}}

    # the same file again under its recorded hash, and a second file holding one of a's tests
    students, state = night(
        tmp_path, state, {"r.csv": "h2", "s.csv": "h3"}, ("r.csv", later), ("s.csv", [("a", "9")])
    )
    assert students == ["a"]  # every row of a, from both files: a test in two files is decided over both

    # the second file removed: its student's rows in the first file are decided again
    students, _ = night(tmp_path, state, {"r.csv": "h2"}, ("r.csv", later))
    assert students == ["a"]


def test_a_lost_kept_version_reads_everything(tmp_path: Path) -> None:
    _, state = night(tmp_path, None, {"r.csv": "h1"}, ("r.csv", [("a", "1"), ("b", "2")]))
    (tmp_path / "kept" / "h1.arrow").unlink()
    students, _ = night(tmp_path, state, {"r.csv": "h2"}, ("r.csv", [("a", "1"), ("b", "2"), ("c", "3")]))
    assert students == ["a", "b", "c"]


def test_blocks_that_fail_to_come_keep_nothing(tmp_path: Path) -> None:
    kept = KeptFiles(tmp_path / "kept")
    rows = pa.table({"student": ["p-1", "p-2"]})

    def broken() -> Iterator[pa.Table]:
        yield rows
        raise ConnectorError("a.csv: not a readable CSV file", file="a.csv")

    with pytest.raises(ConnectorError):
        kept.save("d1", broken())
    assert not kept.has("d1") and not list((tmp_path / "kept").iterdir())

    kept.save("d2", [rows, rows.slice(1)])
    assert kept.load("d2")["student"].to_pylist() == ["p-1", "p-2", "p-2"]
    assert [block.num_rows for block in kept.blocks("d2")] == [2, 1]  # read back as written
