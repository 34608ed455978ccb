"""status and dateLastModified: what makes a row an upsert or a deletion, and when it last changed."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from connectors.oneroster.rows import Rows
from connectors.oneroster.vocab import map_distinct, token_canonical

# RE2 patterns, run by pyarrow over whole columns.
DATE = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_SPEC = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"
DATETIME_ISO = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})?$"


def check_lifecycle(rows: Rows) -> None:
    """status and dateLastModified: required and checked in delta files; in bulk files, where they should
    be blank, a value is kept if it reads and ignored if not (the row still belongs to the whole set)."""
    status, modified = rows.col("status"), rows.col("dateLastModified")
    bulk = rows.mode == "bulk"
    if bulk and status.null_count == len(status) == modified.null_count:
        return  # the usual bulk file: nothing to check
    mapped = map_distinct(status, token_canonical("status"))
    if bulk:
        carrying = pc.or_(pc.is_valid(status), pc.is_valid(modified))
        reason = "bulk file row fills status/dateLastModified, which bulk files leave blank; kept"
        rows.warn(carrying, "bulk_lifecycle_fields", reason)
        rows.warn(mapped.invalid, "bulk_lifecycle_unreadable", _UNREADABLE.format("status"), column="status")
    else:
        rows.reject(mapped.invalid, "bad_enum", "status must be active or tobedeleted", column="status")
        missing = pc.or_(pc.is_null(status), pc.is_null(modified))
        reason = "delta file row needs both status and dateLastModified"
        rows.reject(missing, "missing_lifecycle", reason, column="status")
    rows.warn_rewrites("status", mapped)
    rows.set("status", mapped.values)
    rows.deleting = pc.fill_null(pc.equal(mapped.values, "tobedeleted"), False)
    _modified_dates(rows, modified)


_UNREADABLE = "{} cannot be read; bulk files leave it blank anyway, so it is ignored"


def _modified_dates(rows: Rows, modified: pa.ChunkedArray) -> None:
    spec_form = pc.match_substring_regex(modified, DATETIME_SPEC)
    iso = pc.match_substring_regex(modified, DATETIME_ISO)
    date_only = pc.match_substring_regex(modified, DATE)
    moment = pc.utf8_slice_codeunits(modified, 0, 19)
    real = pc.is_valid(pc.strptime(moment, format="%Y-%m-%dT%H:%M:%S", unit="s", error_is_null=True))
    bad = pc.invert(pc.or_(pc.and_(iso, real), pc.and_(date_only, _real_dates(modified))))
    if rows.mode == "bulk":
        reason = _UNREADABLE.format("dateLastModified")
        rows.warn(bad, "bulk_lifecycle_unreadable", reason, column="dateLastModified", values=modified)
        rows.set(
            "dateLastModified", pc.if_else(pc.fill_null(bad, False), pa.scalar(None, pa.string()), modified)
        )
    else:
        reason = "dateLastModified is not a date-time like 2024-05-01T18:14:45.000Z"
        rows.reject(bad, "bad_datetime", reason, column="dateLastModified", values=modified)
    rows.warn(
        date_only,
        "date_only_modified",
        "dateLastModified holds a date without a time; read as midnight UTC",
        column="dateLastModified",
        values=modified,
    )
    rows.warn(
        pc.and_(iso, pc.invert(spec_form)),
        "datetime_format",
        "dateLastModified is ISO 8601 but not in the spec's YYYY-MM-DDTHH:MM:SS.sssZ form; read as such "
        "(UTC when no offset is given)",
        column="dateLastModified",
        values=modified,
    )


def _real_dates(values: pa.ChunkedArray) -> pa.ChunkedArray:
    parsed = pc.strptime(
        pc.utf8_slice_codeunits(values, 0, 10), format="%Y-%m-%d", unit="s", error_is_null=True
    )
    return pc.is_valid(parsed)
