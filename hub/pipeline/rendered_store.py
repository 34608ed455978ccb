"""A night's rendered reports kept as one Arrow table (one Parquet file), each row with two digests.

``source`` digests what a rendering was made from: the report's data (its generated time aside) and the
renderers' own code. A report whose source is last night's at every content type is not rendered again: its
rows are last night's (``render_unless_kept``), which is most of a night where a week's sessions touched
some classes and not others.

``digest`` is the push ledger's content hash without a destination (``hub.push.content_hash``): taken once,
when a report is rendered, it lets the next rendering tell which reports say the same as last night by
comparing two columns, and lets the push tell that a whole set was sent before, without reading or hashing
a body again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import hub.reports as reports_package
from hub.connector import RenderedReport
from hub.push import content_hash
from hub.reports import AlignmentReport
from hub.reports.rendered import RENDERERS, render

DIGEST = "digest"
SOURCE = "source"
SIZE = "size"
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
        (SOURCE, pa.string()),
        (SIZE, pa.int64()),
    ]
)
KEPT_COLUMNS = ["kind", "target", "title", "content_type", "body", "summary", "volatile"]
"""What a ``RenderedReport`` holds."""
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def rendered_table(
    reports: Sequence[RenderedReport],
    sources: Sequence[str | None] | None = None,
    digests: Sequence[str] | None = None,
) -> pa.Table:
    """Rendered reports as one table, so that a push (or its rerun) sends exactly these; ``sources`` are
    their reports' ``source_key`` (none: never taken as kept), ``digests`` their content hashes if taken."""
    return pa.table(
        {
            "kind": [r.kind for r in reports],
            "target": [r.target for r in reports],
            "title": [r.title for r in reports],
            "content_type": [r.content_type for r in reports],
            "body": [r.body for r in reports],
            "summary": [json.dumps(dict(r.summary), sort_keys=True) for r in reports],
            "volatile": [list(r.volatile) for r in reports],
            DIGEST: digests if digests is not None else [content_hash(r) for r in reports],
            SOURCE: sources if sources is not None else [None] * len(reports),
            SIZE: [len(r.body) for r in reports],
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
        for row in table.select(KEPT_COLUMNS).to_pylist()
    ]


def read_rendered(path: Path, columns: Sequence[str] | None = None) -> pa.Table:
    """The set kept at ``path`` (only ``columns``, if named); a set kept before rows carried their digests
    gets them now (no source: each of its reports is rendered again once)."""
    if SIZE not in pq.read_schema(path).names:
        table = rendered_table(reports_of(pq.read_table(path)))
        return table.select(columns) if columns else table
    return pq.read_table(path, columns=columns)


def source_key(report: AlignmentReport) -> str:
    """What ``report``'s renderings are made from: its data, its generated time aside (the renderings'
    ``volatile`` text), and the renderers' code. Equal pickles are equal data; a pickle that differs for
    equal data only costs a rendering."""
    data = pickle.dumps(dataclasses.replace(report, generated_at=_EPOCH), protocol=5)
    return hashlib.sha256(_renderers() + data).hexdigest()


@cache
def _renderers() -> bytes:
    """A digest of the renderers' code and templates, so that a new version renders every report again."""
    digest = hashlib.sha256()
    folder = Path(reports_package.__file__).parent
    for path in sorted([*folder.glob("*.py"), *folder.glob("templates/*")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def render_unless_kept(
    reports: Sequence[AlignmentReport], last: pa.Table, content_types: Sequence[str] = tuple(RENDERERS)
) -> tuple[pa.Table, list[bool]]:
    """The set of ``reports`` in ``content_types``, in order, and per row whether it changed since ``last``.

    A report whose ``source_key`` is that of last night's rows at each of its addresses takes those rows,
    unrendered. The others are rendered, and a rendering that says what last night's row said (its
    generated stamp aside: equal digests) is still last night's row, so its file is not written again;
    either way a row taken from last night carries tonight's source, so tomorrow need not render it.
    """
    addresses = zip(*(last[name].to_pylist() for name in ADDRESS), strict=True)
    kept_at = {address: row for row, address in enumerate(addresses)}
    kept_sources, kept_digests = last[SOURCE].to_pylist(), last[DIGEST].to_pylist()
    fresh: list[RenderedReport] = []
    digests: list[str] = []
    order: list[int] = []  # a fresh row's index, or minus one minus a kept row's
    sources: list[str] = []  # each row's, in order
    for report in reports:
        key = source_key(report)
        rows = [kept_at.get((report.kind, report.target, kind)) for kind in content_types]
        if all(row is not None and kept_sources[row] == key for row in rows):
            order += [-1 - row for row in rows if row is not None]
            sources += [key] * len(rows)
            continue
        for made, row in zip(render(report, content_types), rows, strict=True):
            digest = content_hash(made)
            if row is not None and kept_digests[row] == digest:
                order.append(-1 - row)
            else:
                order.append(len(fresh))
                fresh.append(made)
                digests.append(digest)
            sources.append(key)
    table = rendered_table(fresh, [None] * len(fresh), digests)
    fresh.clear()  # the bodies are in the table now: do not hold them twice
    if all(at >= 0 for at in order):  # all rendered tonight, in order: no copy of the bodies to take
        merged = table
    else:
        rows = pa.array([at if at >= 0 else table.num_rows - 1 - at for at in order], pa.int64())
        merged = pa.concat_tables([table, last.select(SCHEMA.names).cast(SCHEMA)]).take(rows)
    merged = merged.set_column(SCHEMA.get_field_index(SOURCE), SOURCE, pa.array(sources, pa.string()))
    return merged, [at >= 0 for at in order]


def last_rendered(path: Path) -> pa.Table:
    """The set rendered last time at ``path``; none before the first."""
    return read_rendered(path) if path.is_file() else SCHEMA.empty_table()


def address_key(table: pa.Table) -> pa.Array:
    """Kind, target and content type of each row as one text (a report's address in a destination)."""
    return pc.binary_join_element_wise(*(table[name] for name in ADDRESS), "\x1f")


def set_digest(table: pa.Table) -> str:
    """One digest of a whole set: its rows' addresses and digests, in order."""
    digest = hashlib.sha256()
    for address, row_digest in zip(address_key(table).to_pylist(), table[DIGEST].to_pylist(), strict=True):
        digest.update(f"{address}\x1e{row_digest}\n".encode())
    return digest.hexdigest()
