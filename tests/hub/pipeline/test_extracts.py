"""Raw extracts: kept as Parquet beside what reading found, replayable, and pruned to the newest nights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from hub.connector import Extract, FileReport, Issue
from hub.pipeline.extracts import extract_dir, latest_extract, load_extract, prune_extracts, save_extract


def _extract(rows: int) -> Extract:
    return Extract(
        streams={"users": pa.table({"sourcedId": [str(i) for i in range(rows)]})},
        files={"users.csv": FileReport("users.csv", rows=rows + 1, accepted=rows, rejected=1)},
        issues=[Issue("users.csv", 3, "role", "wizard", "vocabulary", "role 'wizard' is not a role")],
        info={"version": "1.1"},
    )


def test_an_extract_replays_exactly(tmp_path: Path) -> None:
    directory = save_extract(_extract(5), extract_dir(tmp_path, "roster"))
    replayed = load_extract(directory)
    assert replayed.streams["users"].equals(_extract(5).streams["users"])
    assert replayed.files["users.csv"] == _extract(5).files["users.csv"]
    assert replayed.issues == _extract(5).issues and replayed.info == {"version": "1.1"}


def test_only_the_newest_nights_are_kept(tmp_path: Path) -> None:
    first = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    for night in range(16):
        save_extract(_extract(night + 1), extract_dir(tmp_path, "roster", first + timedelta(days=night)))
    removed = prune_extracts(tmp_path, "roster", keep=14)
    assert [path.name[:8] for path in removed] == ["20260101", "20260102"]
    assert len(list((tmp_path / "raw" / "roster").iterdir())) == 14
    assert load_extract(latest_extract(tmp_path, "roster")).streams["users"].num_rows == 16


def test_a_stream_stored_as_it_is_read_replays_exactly_without_dictionary_pages(tmp_path: Path) -> None:
    rows = pa.table({"session_id": ["s-1", "s-1", None, "s-2"] * 50, "minutes": ["30", "", "45", "30"] * 50})
    batches = pa.RecordBatchReader.from_batches(rows.schema, rows.to_batches(7))
    streamed = Extract(streams={"sessions": batches}, files={}, issues=[])
    directory = save_extract(streamed, extract_dir(tmp_path, "sessions"))
    stored = pq.ParquetFile(directory / "sessions.parquet")
    encodings = {
        encoding
        for group in range(stored.metadata.num_row_groups)
        for column in range(stored.metadata.num_columns)
        for encoding in stored.metadata.row_group(group).column(column).encodings
    }
    assert not {"PLAIN_DICTIONARY", "RLE_DICTIONARY"} & encodings, encodings  # zstd alone: cheaper to write
    replayed = load_extract(directory, streamed=("sessions",)).streams["sessions"]
    assert pa.Table.from_batches(list(replayed), rows.schema).equals(rows)
