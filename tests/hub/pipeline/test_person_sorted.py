"""Parts whose persons interleave in byte order come out as one sort of all their rows would order them,
however the parts' rows fall into the set-aside files' batches and the written slices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hub.pipeline.person_sorted import BATCH_ROWS, PersonSortedFile

KEYS = [("person_source_id", "ascending"), ("week", "ascending")]


def _part(persons: list[str], rng: np.random.Generator) -> pa.Table:
    """A part as a step makes one: each person's rows together, sorted by person and week."""
    weeks = [int(n) for n in rng.integers(1, 40, size=len(persons))]
    rows = pa.table(
        {
            "person_source_id": [p for p, n in zip(persons, weeks, strict=True) for _ in range(n)],
            "week": [w for n in weeks for w in range(n)],
        }
    )
    return rows.append_column("value", pa.array(rng.random(rows.num_rows))).sort_by(KEYS)


@pytest.mark.parametrize("persons", [1, 7, 10_000])
def test_interleaved_parts_are_written_in_byte_order(tmp_path: Path, persons: int) -> None:
    rng = np.random.default_rng(5)
    everyone = [f"{prefix}{n:04d}" for n in range(900) for prefix in ("p", "P", "é")]
    parts = [_part(sorted(everyone[start::3]), rng) for start in range(3)]  # each part holds every third
    assert max(part.num_rows for part in parts) > 2 * BATCH_ROWS  # ranges cross batches

    with PersonSortedFile(tmp_path / "weeks.parquet", persons) as written:
        for part in [parts[2], parts[0], parts[1].slice(0, 0), parts[1]]:  # an empty one adds nothing
            written.add(part)
        path = written.finish()

    assert pq.read_table(path).equals(pa.concat_tables(parts).sort_by(KEYS))
    assert [p.name for p in tmp_path.iterdir()] == ["weeks.parquet"]  # nothing set aside is left


def test_no_rows_write_the_empty_table(tmp_path: Path) -> None:
    empty = _part([], np.random.default_rng(0))
    with PersonSortedFile(tmp_path / "weeks.parquet", 3) as written:
        written.add(empty)
        path = written.finish()
    assert pq.read_table(path).schema == empty.schema and pq.read_table(path).num_rows == 0
