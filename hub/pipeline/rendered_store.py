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
    ]
)
KEPT_COLUMNS = SCHEMA.names[:-2]
"""What a ``RenderedReport`` holds."""
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def rendered_table(
    reports: Sequence[RenderedReport], sources: Sequence[str | None] | None = None
) -> pa.Table:
    """Rendered reports as one table, so that a push (or its rerun) sends exactly these; ``sources`` are
    their reports' ``source_key`` (none: never taken as kept)."""
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
            SOURCE: sources if sources is not None else [None] * len(reports),
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


def read_rendered(path: Path) -> pa.Table:
    """The set kept at ``path``; a set kept before rows carried their digests gets a content digest now
    (and no source: each of its reports is rendered again once)."""
    table = pq.read_table(path)
    return table if SOURCE in table.column_names else rendered_table(reports_of(table))


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
) -> pa.Table:
    """The set of ``reports`` in ``content_types``, in order: a report whose ``source_key`` is that of
    last night's rows at each of its addresses takes those rows, unrendered; the others are rendered."""
    addresses = zip(*(last[name].to_pylist() for name in ADDRESS), strict=True)
    kept_at = {address: row for row, address in enumerate(addresses)}
    kept_sources = last[SOURCE].to_pylist()
    fresh: list[RenderedReport] = []
    sources: list[str] = []
    order: list[int] = []  # a fresh row's index, or minus one minus a kept row's
    for report in reports:
        key = source_key(report)
        rows = [kept_at.get((report.kind, report.target, kind)) for kind in content_types]
        if all(row is not None and kept_sources[row] == key for row in rows):
            order += [-1 - row for row in rows if row is not None]
            continue
        made = render(report, content_types)
        order += range(len(fresh), len(fresh) + len(made))
        fresh += made
        sources += [key] * len(made)
    table = rendered_table(fresh, sources)
    rows = [at if at >= 0 else table.num_rows - 1 - at for at in order]
    return pa.concat_tables([table, last.select(SCHEMA.names).cast(SCHEMA)]).take(pa.array(rows, pa.int64()))


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
    # a kept row takes the fresh source: what it was made from tonight, so tomorrow need not render it
    merged = merged.set_column(merged.schema.get_field_index(SOURCE), SOURCE, fresh[SOURCE])
    return merged, pc.invert(same).to_pylist()


def set_digest(table: pa.Table) -> str:
    """One digest of a whole set: its rows' addresses and digests, in order."""
    digest = hashlib.sha256()
    for address, row_digest in zip(address_key(table).to_pylist(), table[DIGEST].to_pylist(), strict=True):
        digest.update(f"{address}\x1e{row_digest}\n".encode())
    return digest.hexdigest()
