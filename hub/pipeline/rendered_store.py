"""A night's rendered reports kept as one Arrow table (one Parquet file), each row with two digests.

``source`` digests what a rendering was made from: the report's data (its JSON document, its generated time
aside) and the renderers' own code. A report whose source is last night's at every content type is not
rendered again: its rows are last night's (``render_unless_kept``), which is most of a night where a week's
sessions touched some classes and not others.

``digest`` is the push ledger's content hash without a destination (``hub.push.content_hash``): taken once,
when a report is rendered, it lets the next rendering tell which reports say the same as last night by
comparing two columns, and lets the push tell that a whole set was sent before, without reading or hashing
a body again.

The file holds one row group per part of reports rendered together (``PART``), so that the next night,
rendering the same parts in the same order, reads of last night's bodies only the row group or two its
kept rows are in (``KeptSet``).
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from itertools import accumulate, islice
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import hub.reports as reports_package
from hub.connector import RenderedReport, ReportSummary
from hub.push import content_hash
from hub.reports import AlignmentReport
from hub.reports.model import generated_stamps
from hub.reports.render_json import render_json
from hub.reports.rendered import JSON, RENDERERS, render

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
PART = 200
"""Reports rendered (and held) at a time: about 20 MB of bodies in three formats at the demo's sizes."""


def rendered_table(
    reports: Sequence[RenderedReport],
    sources: Sequence[str | None] | None = None,
    digests: Sequence[str] | None = None,
) -> pa.Table:
    """Rendered reports as one table, so that a push (or its rerun) sends exactly these; ``sources`` are
    their reports' ``source_key`` (none: never taken as kept), ``digests`` their content hashes if taken."""
    dumped: dict[int, str] = {}  # a report's renderings share one summary: dumped once, not per format
    return pa.table(
        {
            "kind": [r.kind for r in reports],
            "target": [r.target for r in reports],
            "title": [r.title for r in reports],
            "content_type": [r.content_type for r in reports],
            "body": [r.body for r in reports],
            "summary": [_dumped(r.summary, dumped) for r in reports],
            "volatile": [list(r.volatile) for r in reports],
            DIGEST: digests if digests is not None else [content_hash(r) for r in reports],
            SOURCE: sources if sources is not None else [None] * len(reports),
            SIZE: [len(r.body) for r in reports],
        },
        schema=SCHEMA,
    )


def _dumped(summary: ReportSummary, dumped: dict[int, str]) -> str:
    """``summary`` as the kept set's text, dumped once per summary object (the reports are held meanwhile,
    so an id is not reused)."""
    if id(summary) not in dumped:
        dumped[id(summary)] = json.dumps(dict(summary), sort_keys=True)
    return dumped[id(summary)]


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


def source_key(report: AlignmentReport, document: bytes) -> str:
    """What ``report``'s renderings are made from: its JSON ``document`` (every value a rendering shows, in
    order), its generated time aside (the renderings' ``volatile`` text), and the renderers' code (the
    builders' too: one that changed a value's kind renders every report again). The document is one
    rendering made anyway, where taking the key by pickling the report cost as much as rendering it."""
    stamp = generated_stamps(report)[0].encode()
    return hashlib.sha256(_renderers() + document.replace(stamp, b"")).hexdigest()


@cache
def _renderers() -> bytes:
    """A digest of the renderers' code and templates, so that a new version renders every report again."""
    digest = hashlib.sha256()
    folder = Path(reports_package.__file__).parent
    for path in sorted([*folder.glob("*.py"), *folder.glob("templates/*")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def rendered_parts(path: Path) -> Iterator[list[RenderedReport]]:
    """The set kept at ``path`` as reports, a row group at a time (a part as ``render_in_parts`` wrote
    it), in the set's order: what a push holds of the bodies at once."""
    parquet = pq.ParquetFile(path)
    if SIZE not in parquet.schema_arrow.names:
        yield reports_of(read_rendered(path))
        return
    for group in range(parquet.num_row_groups):
        yield reports_of(parquet.read_row_group(group, columns=KEPT_COLUMNS))


class KeptSet:
    """Last night's set: its rows' addresses, sources and digests in memory, its bodies left where they are
    (a table, or a Parquet file read one row group at a time), so that holding it costs no body."""

    def __init__(self, index: pa.Table, rows: Callable[[list[int]], pa.Table]) -> None:
        addresses = zip(*(index[name].to_pylist() for name in ADDRESS), strict=True)
        self.at = {address: row for row, address in enumerate(addresses)}
        self.sources: list[str | None] = index[SOURCE].to_pylist()
        self.digests: list[str] = index[DIGEST].to_pylist()
        self.rows = rows
        """The set's rows at these indices, in their order (``SCHEMA``)."""

    @classmethod
    def of(cls, table: pa.Table) -> KeptSet:
        table = table.select(SCHEMA.names).cast(SCHEMA)
        return cls(table, lambda rows: table.take(pa.array(rows, pa.int64())))

    @classmethod
    def at_path(cls, path: Path) -> KeptSet:
        """The set kept at ``path`` (none before the first night); a set kept in one piece, or before rows
        carried digests, is read whole once."""
        if not path.is_file():
            return cls.of(SCHEMA.empty_table())
        parquet = pq.ParquetFile(path)
        if SIZE not in parquet.schema_arrow.names or parquet.num_row_groups == 1:
            return cls.of(read_rendered(path))
        sizes = [parquet.metadata.row_group(group).num_rows for group in range(parquet.num_row_groups)]
        ends = list(accumulate(sizes))
        held: dict[int, pa.Table] = {}  # the row groups the last part read: the next part mostly reads on

        def rows(wanted: list[int]) -> pa.Table:
            groups = sorted({bisect_right(ends, row) for row in wanted})
            for group in set(held) - set(groups):
                del held[group]
            shift, at = {}, 0  # per group: where its first row lands in the groups read, minus its index
            for group in groups:
                if group not in held:
                    held[group] = parquet.read_row_group(group).cast(SCHEMA)
                shift[group] = at - (ends[group] - sizes[group])
                at += sizes[group]
            taken = [row + shift[bisect_right(ends, row)] for row in wanted]
            return pa.concat_tables([held[group] for group in groups]).take(pa.array(taken, pa.int64()))

        return cls(parquet.read(columns=[*ADDRESS, SOURCE, DIGEST]), rows)


def render_unless_kept(
    reports: Iterable[AlignmentReport],
    last: KeptSet | pa.Table,
    content_types: Sequence[str] = tuple(RENDERERS),
) -> tuple[pa.Table, list[bool]]:
    """The set of ``reports`` in ``content_types``, in order, and per row whether it changed since ``last``.

    A report whose ``source_key`` is that of last night's rows at each of its addresses takes those rows,
    unrendered. The others are rendered, and a rendering that says what last night's row said (its
    generated stamp aside: equal digests) is still last night's row, so its file is not written again;
    either way a row taken from last night carries tonight's source, so tomorrow need not render it.
    """
    table, changed, _ = _rendered_part(reports, last, content_types)
    return table, changed


def _rendered_part(
    reports: Iterable[AlignmentReport], last: KeptSet | pa.Table, content_types: Sequence[str]
) -> tuple[pa.Table, list[bool], list[RenderedReport]]:
    """``render_unless_kept``, and the renderings that changed, as made: what their files are written
    from, rather than from the table's rows turned back into reports (a copy of every body)."""
    kept = last if isinstance(last, KeptSet) else KeptSet.of(last)
    fresh: list[RenderedReport] = []
    digests: list[str] = []
    order: list[int] = []  # a fresh row's index, or minus one minus a kept row's
    sources: list[str] = []  # each row's, in order
    for report in reports:
        document = render_json(report)
        key = source_key(report, document)
        rows = [kept.at.get((report.kind, report.target, kind)) for kind in content_types]
        if all(row is not None and kept.sources[row] == key for row in rows):
            order += [-1 - row for row in rows if row is not None]
            sources += [key] * len(rows)
            continue
        for made, row in zip(render(report, content_types, {JSON: document}), rows, strict=True):
            digest = content_hash(made)
            if row is not None and kept.digests[row] == digest:
                order.append(-1 - row)
            else:
                order.append(len(fresh))
                fresh.append(made)
                digests.append(digest)
            sources.append(key)
    table = rendered_table(fresh, [None] * len(fresh), digests)
    if all(at >= 0 for at in order):  # all rendered tonight, in order: no copy of the bodies to take
        merged = table
    else:
        from_last = sorted({-1 - at for at in order if at < 0})
        position = {row: table.num_rows + index for index, row in enumerate(from_last)}
        rows = pa.array([at if at >= 0 else position[-1 - at] for at in order], pa.int64())
        merged = pa.concat_tables([table, kept.rows(from_last)]).take(rows)
    merged = merged.set_column(SCHEMA.get_field_index(SOURCE), SOURCE, pa.array(sources, pa.string()))
    return merged, [at >= 0 for at in order], fresh


def render_in_parts(
    reports: Iterable[AlignmentReport],
    path: Path,
    content_types: Sequence[str],
    changed: Callable[[list[RenderedReport]], None],
    part: int = PART,
) -> Path:
    """``render_unless_kept`` over ``reports`` a part at a time, against the set kept at ``path``, written
    to ``path`` as one row group per part (replaced whole, when the last part is in); ``changed`` gets
    each part's renderings that changed since last night, in order (for their files). Memory holds a
    part's bodies and reports, never the district's; a row group is what tomorrow reads of tonight's set
    for a part."""
    last = KeptSet.at_path(path)
    partial = path.with_name(f".{path.name}.partial")
    with pq.ParquetWriter(partial, SCHEMA, compression="zstd") as writer:
        for reports_part in _parts(iter(reports), part):
            table, _, fresh = _rendered_part(reports_part, last, content_types)
            changed(fresh)
            writer.write_table(table, row_group_size=max(table.num_rows, 1))
    return partial.replace(path)


def _parts(reports: Iterator[AlignmentReport], size: int) -> Iterator[list[AlignmentReport]]:
    while part := list(islice(reports, size)):
        yield part


def address_key(table: pa.Table) -> pa.Array:
    """Kind, target and content type of each row as one text (a report's address in a destination)."""
    return pc.binary_join_element_wise(*(table[name] for name in ADDRESS), "\x1f")


def set_digest(table: pa.Table) -> str:
    """One digest of a whole set: its rows' addresses and digests, in order."""
    digest = hashlib.sha256()
    for address, row_digest in zip(address_key(table).to_pylist(), table[DIGEST].to_pylist(), strict=True):
        digest.update(f"{address}\x1e{row_digest}\n".encode())
    return digest.hexdigest()
