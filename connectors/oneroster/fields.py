"""Checks within one file: required fields, value formats, lengths, repeated sourcedIds (and, first, the
lifecycle fields: lifecycle.py).

Each check is a few vectorised operations over whole columns; values that drifted in a way whose meaning
is clear (``TRUE``, ``Scheduled``, grade ``9``) are rewritten to the spec's form and counted as warnings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.oneroster.columns import SUBGROUP_FLAGS, max_lengths
from connectors.oneroster.lifecycle import DATE, check_lifecycle
from connectors.oneroster.repeats import find_repeats
from connectors.oneroster.rows import Rows
from connectors.oneroster.vocab import (
    Mapped,
    flag_canonical,
    grades_canonical,
    map_distinct,
    token_canonical,
)

YEAR = r"^\d{4}$"
# RE2: one {type:value} entry of userIds, bounded to fit person_identifier's columns.
_ID = r"\{[^{}:,]{1,64}:[^{},]{0,255}\}"
USER_IDS = rf"^{_ID}(\s*,\s*{_ID})*$"


def check_fields(rows: Rows, version: str) -> None:
    spec = rows.spec
    check_lifecycle(rows)
    _required(rows)
    for column, vocabulary in spec.enums.items():
        _vocabulary(rows, column, map_distinct(rows.col(column), token_canonical(vocabulary)))
    for column in spec.booleans:
        _vocabulary(rows, column, map_distinct(rows.col(column), token_canonical("boolean")), "bad_boolean")
    for column in spec.grades:
        _vocabulary(
            rows, column, map_distinct(rows.col(column), grades_canonical(version == "1.2")), "bad_grade"
        )
    for column in spec.dates:
        reason = f"{column} is not a date in YYYY-MM-DD form"
        _distinct_check(rows, column, _is_date, "bad_date", reason)
    for column in spec.years:
        _distinct_check(rows, column, _YEAR.match, "bad_year", f"{column} is not a four-digit year (YYYY)")
    if version != "1.0":  # 1.0's userId was a plain value
        for column in spec.user_ids:
            bad = pc.invert(pc.match_substring_regex(rows.col(column), USER_IDS))
            reason = f"{column} is not a list of {{type:value}} identifiers, e.g. {{Local:863}}"
            rows.reject(pc.and_(rows.live, bad), "bad_user_ids", reason, column=column)
    _lengths(rows)
    _subgroup_flags(rows)
    _repeated_ids(rows)


def _required(rows: Rows) -> None:
    for column in rows.spec.required:
        # A deletion needs only its sourcedId.
        scope = rows.ok if column == "sourcedId" else rows.live
        reason = f"required field {column} is empty"
        rows.reject(pc.and_(scope, pc.is_null(rows.col(column))), "missing_required", reason, column=column)


def _vocabulary(rows: Rows, column: str, mapped: Mapped, kind: str = "bad_enum") -> None:
    reason = f"{column} value is not one the spec allows"
    rows.reject(pc.and_(rows.live, mapped.invalid), kind, reason, column=column)
    rows.warn_rewrites(column, mapped)
    rows.set(column, mapped.values)


def _distinct_check(rows: Rows, column: str, good: Callable[[str], object], kind: str, reason: str) -> None:
    """Reject the rows whose value fails ``good``, asking once per distinct value (dates repeat a lot)."""
    mapped = map_distinct(rows.col(column), lambda value: (value if good(value) else None, None))
    rows.reject(pc.and_(rows.live, mapped.invalid), kind, reason, column=column)


_DATE = re.compile(DATE, re.ASCII)
_YEAR = re.compile(YEAR, re.ASCII)


def _is_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _lengths(rows: Rows) -> None:
    for column, limit in max_lengths(rows.spec.stem).items():
        if column not in rows.table.column_names:
            continue
        too_long = pc.greater(pc.utf8_length(rows.col(column)), limit)
        scope = rows.ok if column == "sourcedId" else rows.live
        reason = f"{column} is longer than {limit} characters"
        rows.reject(pc.and_(scope, too_long), "too_long", reason, column=column)


def _subgroup_flags(rows: Rows) -> None:
    """Subgroup extension columns stay as sent; values other than true/false are read as unknown."""
    for column in rows.table.column_names:
        if column.lower() in SUBGROUP_FLAGS:
            mapped = map_distinct(rows.col(column), flag_canonical)
            reason = f"{column} is not true or false; read as unknown"
            rows.warn(mapped.invalid, "extension_flag", reason, column=column)


def _repeated_ids(rows: Rows) -> None:
    """Keep the first row of each sourcedId; reject the repeats, saying where the first one is."""
    ids = rows.col("sourcedId")
    repeats = find_repeats(pc.if_else(rows.ok, ids, pa.scalar(None, pa.string())))
    if repeats is None:
        return
    repeated_ids = pc.take(ids, pa.array(repeats.rows)).to_pylist()
    first_lines = pc.take(rows.lines, pa.array(repeats.firsts)).to_pylist()
    first_line = dict(zip(repeated_ids, first_lines, strict=True))
    mask = np.zeros(len(ids), dtype=bool)
    mask[repeats.rows] = True
    rows.reject(
        pa.array(mask),
        "duplicate_id",
        lambda value: f"sourcedId repeats the row at line {first_line[value]}; the first row is kept",
        column="sourcedId",
    )
