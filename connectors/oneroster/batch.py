"""Small steps every normalized table goes through: split off deletions, rename, time-stamp, conform."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from hub.connector import NormalizedBatch, SyncMode
from hub.model import conform

_DATE_ONLY = r"^\d{4}-\d{2}-\d{2}$"
_HAS_ZONE = r"(Z|[+-]\d{2}:?\d{2})$"


def split_deletions(stream: pa.Table, mode: SyncMode) -> tuple[pa.Table, list[str]]:
    """Rows to upsert, and the sourcedIds to delete (delta only: in bulk, leaving a row out deletes it)."""
    deleting = pc.fill_null(pc.equal(stream.column("status"), "tobedeleted"), False)
    if not pc.any(deleting).as_py():
        return stream, []
    live = stream.filter(pc.invert(deleting))
    if mode is SyncMode.BULK:
        return live, []
    return live, pc.filter(stream.column("sourcedId"), deleting).to_pylist()


def renamed(stream: pa.Table, columns: dict[str, str]) -> dict[str, pa.ChunkedArray]:
    data = {
        model: stream.column(vendor) for vendor, model in columns.items() if vendor in stream.column_names
    }
    data["source_modified_at"] = modified_at(stream.column("dateLastModified"))
    return data


def add_table(
    batch: NormalizedBatch, table: str, data: dict[str, pa.ChunkedArray], mode: SyncMode, deleted: list[str]
) -> None:
    batch.tables[table] = conform(table, pa.table(data))
    batch.modes[table] = mode
    if deleted:
        batch.deletes[table] = deleted


def modified_at(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """dateLastModified as UTC time; a bare date is midnight, a time without an offset is UTC."""
    if values.null_count == len(values):
        return pa.nulls(len(values), pa.timestamp("us", tz="UTC"))
    text = pc.if_else(
        pc.match_substring_regex(values, _DATE_ONLY),
        pc.binary_join_element_wise(values, "T00:00:00Z", ""),
        values,
    )
    text = pc.if_else(
        pc.match_substring_regex(text, _HAS_ZONE), text, pc.binary_join_element_wise(text, "Z", "")
    )
    return pc.cast(text, pa.timestamp("us", tz="UTC"))
