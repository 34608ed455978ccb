"""A table set aside a part at a time comes back in the order it went in, and leaves no scratch file."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pytest

from hub.pipeline.set_aside import SetAside


def part(ids: list[str]) -> pa.Table:
    return pa.table({"source_id": pa.array(ids, pa.string()), "score": pa.array(range(len(ids)), pa.int64())})


def test_parts_come_back_in_order_and_the_scratch_file_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with SetAside("skill_gap") as kept:
        for ids in (["a", "b"], [], ["c"]):
            kept.add(part(ids))
        assert [path.name for path in tmp_path.glob("*/*")] == ["skill_gap.arrow"]
        blocks = list(kept.blocks())
    assert all(list(block) == ["skill_gap"] for block in blocks)
    back = pa.concat_tables(block["skill_gap"] for block in blocks)
    assert back.to_pylist() == [*part(["a", "b"]).to_pylist(), *part(["c"]).to_pylist()]
    assert not list(tmp_path.iterdir())


def test_a_table_of_no_rows_comes_back_as_one_empty_block() -> None:
    """A bulk write of nothing must still be handed in: it removes every stored row."""
    with SetAside("skill_gap") as kept:
        kept.add(part([]))
        [block] = list(kept.blocks())
    assert block["skill_gap"].equals(part([]))
