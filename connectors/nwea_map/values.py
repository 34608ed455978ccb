"""MAP's text cells into typed Arrow arrays, in bulk.

A cell that holds text but no readable value comes back null; ``invalid`` finds those cells, so the
caller can decide between rejecting the row and warning. Vocabularies (terms, grades, subjects) have few
distinct values, so they are mapped once per distinct value and spread back with ``take``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

Column = pa.Array | pa.ChunkedArray

_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
_MAP_DATE = r"^\d{2}/\d{2}/\d{4}$"
_DATE_PATTERNS = (
    r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})(?:\s.*)?$",  # 09/16/2021, 9/16/2021, 9/16/21
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[T\s].*)?$",  # 2021-09-16
    r"^(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})$",  # 16-09-2021, as Excel re-saves in some locales
)
_TIME = r"^(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?$"
_TERM = re.compile(r"^\s*(fall|winter|spring|summer)\s+(\d{4})(?:\s*-\s*(\d{4}))?\s*$", re.IGNORECASE)
_CEDS_GRADES = {f"{n:02d}" for n in range(1, 14)} | {"IT", "PR", "PK", "TK", "KG", "PS", "UG"}
_GRADE_ALIASES = {"K": "KG", "0": "KG", "00": "KG", "KINDERGARTEN": "KG", "PRE-K": "PK", "-1": "PK"}


def invalid(raw: Column, typed: Column) -> Column:
    """Cells that held text but gave no value."""
    return pc.and_(pc.is_valid(raw), pc.is_null(typed))


def numbers(raw: Column) -> Column:
    """Decimal text as float64; anything else (NaN and infinity included) null. Clean files take the fast
    path (one cast)."""
    if raw.null_count == len(raw):  # most growth windows are empty in any one export
        return pa.nulls(len(raw), pa.float64())
    try:
        values = pc.cast(raw, pa.float64())
    except pa.ArrowInvalid:
        pass
    else:  # "nan" and "inf" cast as well, and are no value
        return pc.if_else(pc.is_finite(values), values, pa.scalar(None, pa.float64()))
    trimmed = pc.utf8_trim_whitespace(raw)
    readable = pc.match_substring_regex(trimmed, _NUMBER)
    return pc.cast(pc.if_else(readable, trimmed, pa.scalar(None, pa.string())), pa.float64())


def integers(raw: Column) -> Column:
    return pc.cast(pc.round(numbers(raw)), pa.int64())


def dates(raw: Column) -> Column:
    """MM/DD/YYYY (MAP's own), M/D/YYYY and M/D/YY (re-saved through Excel), YYYY-MM-DD, DD-MM-YYYY.

    Two-digit years are 20YY: MAP Growth has no tests from the last century. Impossible dates (02/30)
    are null rather than rolled over into March.
    """
    trimmed = pc.utf8_trim_whitespace(raw)
    if pc.all(pc.match_substring_regex(trimmed, _MAP_DATE)).as_py():
        # Every cell in MAP's own format: one parse; a day that moved (02/30 -> 03/02) was impossible.
        stamps = pc.strptime(trimmed, "%m/%d/%Y", unit="s", error_is_null=True)
        day = pc.cast(pc.utf8_slice_codeunits(trimmed, 3, 5), pa.int64())
        exact = pc.equal(pc.day(stamps), day)
        return pc.cast(pc.if_else(exact, stamps, pa.scalar(None, stamps.type)), pa.date32())
    year = month = day = None
    for pattern in _DATE_PATTERNS:
        parts = pc.extract_regex(trimmed, pattern)
        fields = [pc.struct_field(parts, name) for name in ("y", "m", "d")]
        if year is None:
            year, month, day = fields
        else:
            year, month, day = (
                pc.coalesce(old, new) for old, new in zip((year, month, day), fields, strict=True)
            )
    year_number = pc.cast(year, pa.int64())
    year_number = pc.if_else(pc.less(year_number, 100), pc.add(year_number, 2000), year_number)
    month_number, day_number = pc.cast(month, pa.int64()), pc.cast(day, pa.int64())
    iso = pc.binary_join_element_wise(
        pc.cast(year_number, pa.string()),
        pc.utf8_lpad(pc.cast(month_number, pa.string()), 2, "0"),
        pc.utf8_lpad(pc.cast(day_number, pa.string()), 2, "0"),
        "-",
    )
    stamps = pc.strptime(iso, "%Y-%m-%d", unit="s", error_is_null=True)
    exact = pc.and_(pc.equal(pc.month(stamps), month_number), pc.equal(pc.day(stamps), day_number))
    return pc.cast(pc.if_else(exact, stamps, pa.scalar(None, stamps.type)), pa.date32())


def times(raw: Column) -> Column:
    """``14:02:45`` or Excel's ``2:02:45 PM`` as ``HH:MM:SS`` text (a part of composite test keys)."""
    parts = pc.extract_regex(pc.utf8_trim_whitespace(raw), _TIME)
    hour = pc.cast(pc.struct_field(parts, "h"), pa.int64())
    meridiem = pc.utf8_upper(pc.struct_field(parts, "ampm"))
    twelve_hour = pc.add(pc.if_else(pc.equal(hour, 12), 0, hour), pc.if_else(pc.equal(meridiem, "PM"), 12, 0))
    hour = pc.if_else(pc.equal(meridiem, ""), hour, twelve_hour)
    seconds = pc.struct_field(parts, "s")
    return pc.binary_join_element_wise(
        pc.utf8_lpad(pc.cast(hour, pa.string()), 2, "0"),
        pc.struct_field(parts, "mi"),
        pc.if_else(pc.equal(seconds, ""), "00", seconds),
        ":",
    )


def map_distinct(raw: Column, mapping: Callable[[str], Any], kind: pa.DataType) -> pa.ChunkedArray:
    """``mapping`` applied once per distinct value, spread back over the rows (nulls stay null)."""
    chunked = pa.chunked_array([raw]) if isinstance(raw, pa.Array) else raw
    encoded = pc.dictionary_encode(chunked).unify_dictionaries()
    if encoded.num_chunks == 0:
        return pa.chunked_array([], kind)
    distinct = encoded.chunk(0).dictionary.to_pylist()
    mapped = pa.array([mapping(value) for value in distinct], kind)
    return pc.take(mapped, pa.chunked_array([chunk.indices for chunk in encoded.chunks]))


def parse_term(term: str) -> tuple[str, int] | None:
    """``Fall 2021-2022`` -> (fall, 2022): the school year is the year it ends, as in OneRoster.

    Client-server era names carry one calendar year (``Fall 2013``): fall opens the school year that ends
    the next calendar year (2014); winter, spring and summer tests fall in the year the school year ends.
    """
    match = _TERM.match(term)
    if match is None:
        return None
    season, first, last = match.group(1).lower(), int(match.group(2)), match.group(3)
    if last is not None:
        return (season, int(last)) if int(last) == first + 1 else None
    return season, first + 1 if season == "fall" else first


def terms(raw: Column) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """(window, school_year) per row; both null where the term name cannot be read."""
    kind = pa.struct([("window", pa.string()), ("school_year", pa.int64())])
    parsed = map_distinct(raw, lambda text: _term_struct(parse_term(text)), kind)
    return pc.struct_field(parsed, "window"), pc.struct_field(parsed, "school_year")


def _term_struct(term: tuple[str, int] | None) -> dict[str, Any] | None:
    return None if term is None else {"window": term[0], "school_year": term[1]}


def ceds_grade(text: str) -> str | None:
    """MAP grades (``K``, ``1`` .. ``12``) as CEDS codes (``KG``, ``01`` .. ``12``); unknown codes -> None."""
    code = text.strip().upper()
    if code.isdigit() and 1 <= int(code) <= 13:
        return f"{int(code):02d}"
    code = _GRADE_ALIASES.get(code, code)
    return code if code in _CEDS_GRADES else None


def grades(raw: Column) -> pa.ChunkedArray:
    return map_distinct(raw, ceds_grade, pa.string())


def json_objects(table: pa.Table, columns: list[str]) -> Column:
    """One JSON object text per row holding the non-blank cells of ``columns``; null when all are blank."""
    if not columns:
        return pa.nulls(table.num_rows, pa.string())
    pieces = []
    for column in columns:
        value = pc.cast(table.column(column), pa.string())
        for plain, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
            value = pc.replace_substring(value, plain, escaped)
        value = pc.replace_substring_regex(value, r"[\x00-\x1f]", "")
        key = pa.scalar(", " + json.dumps(column) + ': "')
        pieces.append(pc.binary_join_element_wise(key, value, pa.scalar('"'), ""))
    # null_handling="skip" drops rows whose pieces are all null (pyarrow 26), so blanks join as "".
    members = pc.binary_join_element_wise(*pieces, "", null_handling="replace", null_replacement="")
    objects = pc.binary_join_element_wise("{", pc.utf8_slice_codeunits(members, 2), "}", "")
    return pc.if_else(pc.equal(members, ""), pa.scalar(None, pa.string()), objects)
