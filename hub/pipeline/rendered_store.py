"""A night's rendered reports kept as one Arrow table (one Parquet file), each row with its content digest.

The digest is the push ledger's content hash without a destination (``hub.push.content_hash``): taken once,
when a report is rendered, it lets the next rendering tell which reports said the same as last night by
comparing two columns, and lets the push tell that a whole set was sent before, without reading or hashing
a body again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hub.connector import RenderedReport
from hub.push import content_hash

DIGEST = "digest"
ADDRESS = ["kind", "target", "content_type"]
SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("target", pa.string()),
        ("title", pa.string()),
        ("content_type", pa.string()),
        ("body", pa.binary()),
        ("summary", pa.string()),
        ("volatile", pa.list_(pa.string())),
        (DIGEST, pa.string()),
    ]
)


def rendered_table(reports: Sequence[RenderedReport]) -> pa.Table:
    """Rendered reports as one table, so that a push (or its rerun) sends exactly these."""
    return pa.table(
        {
            "kind": [r.kind for r in reports],
            "target": [r.target for r in reports],
            "title": [r.title for r in reports],
            "content_type": [r.content_type for r in reports],
            "body": [r.body for r in reports],
            "summary": [json.dumps(dict(r.summary), sort_keys=True) for r in reports],
            "volatile": [list(r.volatile) for r in reports],
            DIGEST: [content_hash(r) for r in reports],
        },
        schema=SCHEMA,
    )


def reports_of(table: pa.Table) -> list[RenderedReport]:
    return [
        RenderedReport(
            row["kind"],
            row["target"],
            row["title"],
            row["content_type"],
            row["body"],
            json.loads(row["summary"]),
            tuple(row.get("volatile") or ()),
        )
        for row in table.select(SCHEMA.names[:-1]).to_pylist()
    ]


def read_rendered(path: Path) -> pa.Table:
    """The set kept at ``path``; a set kept before rows carried their digest gets them now."""
    table = pq.read_table(path)
    return table if DIGEST in table.column_names else rendered_table(reports_of(table))


def last_rendered(path: Path) -> pa.Table:
    """The set rendered last time at ``path``; none before the first."""
    return read_rendered(path) if path.is_file() else SCHEMA.empty_table()


def address_key(table: pa.Table) -> pa.Array:
    """Kind, target and content type of each row as one text (a report's address in a destination)."""
    return pc.binary_join_element_wise(*(table[name] for name in ADDRESS), "\x1f")


def unless_unchanged(fresh: pa.Table, last: pa.Table) -> tuple[pa.Table, list[bool]]:
    """The fresh set, in its order, with each row that says what last time's row at its address said (its
    generated stamp aside: equal digests) replaced by last time's row; and, per row, whether it changed.
    So an unchanged report keeps its bytes and its file is not written again."""
    at = pc.index_in(address_key(fresh), value_set=address_key(last).combine_chunks())
    same = pc.fill_null(pc.equal(last[DIGEST].take(at), fresh[DIGEST]), False)
    rows = pc.if_else(same, pc.add(at, fresh.num_rows), pa.array(range(fresh.num_rows), pa.int32()))
    merged = pa.concat_tables([fresh, last.select(fresh.column_names).cast(fresh.schema)]).take(rows)
    return merged, pc.invert(same).to_pylist()


def set_digest(table: pa.Table) -> str:
    """One digest of a whole set: its rows' addresses and digests, in order."""
    digest = hashlib.sha256()
    for address, row_digest in zip(address_key(table).to_pylist(), table[DIGEST].to_pylist(), strict=True):
        digest.update(f"{address}\x1e{row_digest}\n".encode())
    return digest.hexdigest()
