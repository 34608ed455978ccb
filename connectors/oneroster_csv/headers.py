"""A file's header row against its spec: name every column, or say which required one is missing.

Columns are matched by name, so a header in another order still reads right (with a warning). Names
that are clearly meant as a spec column (other case, 1.0 name, one-letter typo) are taken as that column;
``metadata.*`` and unknown columns are kept as they are, so nothing the vendor sent is dropped.
"""

from __future__ import annotations

import difflib

import pyarrow as pa
import pyarrow.compute as pc

from connectors.oneroster.report import FileLog
from connectors.oneroster.schema import FileSpec
from connectors.oneroster_csv.csvread import CsvTable

EXTENSION_PREFIX = "metadata."
_TYPO_CUTOFF = 0.85


def name_columns(raw: CsvTable, spec: FileSpec, required: tuple[str, ...], log: FileLog) -> pa.Table | None:
    """The file's table with named columns, spec columns first; None (file fatal) if a required is missing."""
    known = (*spec.columns, *spec.also_known)
    names = _resolve(raw.header, known, spec, log)
    missing = [column for column in required if column not in names.values()]
    if missing:
        listed = ", ".join(f"'{column}'" for column in missing)
        noun = "column" if len(missing) == 1 else "columns"
        log.fatal(f"{spec.file}: required {noun} {listed} missing from the header row")
        return None
    columns: dict[str, pa.ChunkedArray] = {}
    for position, name in sorted(names.items()):
        column = raw.table.column(position)
        if name is None:
            _unnamed(column, raw.lines, log)
        elif name not in columns:
            columns[name] = column
    _check_order([name for name in columns if name in known], spec, log)
    absent = [column for column in spec.columns if column not in columns]
    if absent:
        log.warn("missing_optional_header", f"header has no {', '.join(absent)} column(s); read as blank")
    nulls = pa.nulls(raw.table.num_rows, pa.string())
    ordered = {column: columns.get(column, nulls) for column in spec.columns}
    ordered.update({name: column for name, column in columns.items() if name not in ordered})
    return pa.table(ordered)


def _resolve(
    header: list[str], known: tuple[str, ...], spec: FileSpec, log: FileLog
) -> dict[int, str | None]:
    """Header position -> column name (None: a cell with no name). Exact names win over guesses."""
    names: dict[int, str | None] = {}
    taken: set[str] = set()
    for position, cell in enumerate(header):
        if cell in known:
            names[position] = cell
            if cell in taken:
                log.warn("duplicate_header", f"column {cell} appears twice in the header; first one read")
            taken.add(cell)
    by_lower = {column.lower(): column for column in known}
    legacy = {old.lower(): new for old, new in spec.legacy_names.items()}
    for position, cell in enumerate(header):
        if position in names:
            continue
        text = cell.strip()
        name, kind = _guess(text, by_lower, legacy, [c for c in known if c not in taken])
        if name is not None and name in taken:
            log.warn(
                "duplicate_header", f"header {cell!r} would be {name}, which is already there; kept as is"
            )
            name, kind = text, None
        if kind is not None:
            log.warn(kind, f"header {cell!r} read as {name}", column=cell)
        if name is not None:
            taken.add(name)
        names[position] = name
    extensions = [cell for cell in header if cell.lower().startswith(EXTENSION_PREFIX)]
    if extensions:
        log.warn("extension_columns", f"has {len(extensions)} metadata.* extension column(s); kept as sent")
    return names


def _guess(
    text: str, by_lower: dict[str, str], legacy: dict[str, str], untaken: list[str]
) -> tuple[str | None, str | None]:
    """(name, warning kind) for a header cell that is not exactly a spec column."""
    if not text:
        return None, None
    lower = text.lower()
    if lower.startswith(EXTENSION_PREFIX):
        return text, None
    if lower in legacy:
        return legacy[lower], "legacy_header"
    if lower in by_lower:
        return by_lower[lower], "header_case"
    close = difflib.get_close_matches(lower, [c.lower() for c in untaken], n=2, cutoff=_TYPO_CUTOFF)
    if len(close) == 1:
        return by_lower[close[0]], "header_typo"
    return text, "unknown_column"


def _unnamed(column: pa.ChunkedArray, lines: pa.ChunkedArray, log: FileLog) -> None:
    filled = pc.is_valid(column).combine_chunks()
    if pc.any(filled).as_py():
        reason = "value under a header cell with no name; which column it belongs to is unknown, so ignored"
        log.warn_rows("empty_header_column", reason, filled, lines.combine_chunks())
    else:
        log.warn("empty_header_column", "a header cell has no name and its column is empty; ignored")


def _check_order(present: list[str], spec: FileSpec, log: FileLog) -> None:
    position = {column: index for index, column in enumerate(spec.columns)}
    indices = [position[name] for name in present if name in position]
    if indices != sorted(indices):
        log.warn("header_order", "columns are not in the order the spec gives; read by name")
