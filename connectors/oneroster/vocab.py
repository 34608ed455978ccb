"""OneRoster vocabularies and the drift seen in real exports (``Scheduled``, ``TRUE``, ``K``, ``inactive``).

Every mapping runs on a column's distinct values only, then is spread back with one ``take``: a million
enrollments with four distinct roles cost four dictionary look-ups.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Extension tokens (1.1 and 1.2 allow them in most vocabularies); bounded so they fit the model's columns.
EXTENSION = re.compile(r"ext:[A-Za-z0-9.\-_]{1,28}", re.IGNORECASE)

VOCABULARIES: dict[str, tuple[tuple[str, ...], bool]] = {
    # name: (tokens, extension tokens allowed)
    "status": (("active", "tobedeleted"), False),
    "boolean": (("true", "false"), False),
    "org_type": (("department", "school", "district", "local", "state", "national"), True),
    "session_type": (("gradingPeriod", "semester", "schoolYear", "term"), True),
    "class_type": (("homeroom", "scheduled"), True),
    "user_role": (
        ("administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher"),
        True,
    ),
    "role_12": (
        (
            "aide",
            "counselor",
            "districtAdministrator",
            "guardian",
            "parent",
            "principal",
            "proctor",
            "relative",
            "siteAdministrator",
            "student",
            "systemAdministrator",
            "teacher",
        ),
        True,
    ),
    "role_type": (("primary", "secondary"), False),
    "enrollment_role": (("administrator", "proctor", "student", "teacher"), True),
    "sex": (("male", "female", "unspecified", "other"), True),
}

CEDS_GRADES = (
    "IT",
    "PR",
    "PK",
    "TK",
    "KG",
    *(f"{n:02d}" for n in range(1, 14)),
    "PS",
    "UG",
    "Other",
)
_CEDS_BY_LOWER = {code.lower(): code for code in CEDS_GRADES}
# What vendors send instead of CEDS codes; each has one clear meaning.
_GRADE_ALIASES = {
    "k": "KG",
    "0": "KG",
    "00": "KG",
    "kindergarten": "KG",
    "pk": "PK",
    "prek": "PK",
    "pre-k": "PK",
    "prekindergarten": "PK",
    "-1": "PK",
}
# 1.2 leaves the grade vocabulary to each deployment; other codes are kept if they fit ``person.grade``.
_LOCAL_GRADE = re.compile(r"[A-Za-z0-9]{1,8}")

REWRITE_REASONS = {
    "enum_case": "value differs from the spec's token only in letter case; read as the token",
    "status_inactive": "status 'inactive' (OneRoster 1.0) read as tobedeleted",
    "grade_code": "grade codes rewritten to CEDS form (KG, 01..12, PK)",
    "grade_local": "grade code outside the CEDS list; kept as sent (1.2 leaves grades to the deployment)",
}
"""Warning kind -> why a rewritten value was read as it was."""

Canonical = tuple[str | None, str | None]
"""A value's canonical form (None: not allowed) and the warning kind its rewriting earns (None: none)."""


@dataclass(frozen=True, slots=True)
class Mapped:
    values: pa.Array  # canonical values; null where the input was null or not allowed
    invalid: pa.Array  # the input had a value, and it is not allowed
    kinds: pa.Array  # warning kind per row where the value was rewritten, else null


def map_distinct(column: pa.Array | pa.ChunkedArray, canonical: Callable[[str], Canonical]) -> Mapped:
    """``canonical`` applied to every value of ``column``, calling it once per distinct value."""
    if column.null_count == len(column):  # an optional column nobody fills: nothing to map
        return _unchanged(column)
    distinct = pc.unique(column).drop_null()
    originals = distinct.to_pylist()
    results = [canonical(value) for value in originals]
    if all(result == (original, None) for result, original in zip(results, originals, strict=True)):
        return _unchanged(column)  # the usual case: every value already in the spec's form
    positions = pc.index_in(column, value_set=distinct)
    values = pc.take(pa.array([r[0] for r in results], pa.string()), positions)
    kinds = pc.take(pa.array([r[1] for r in results], pa.string()), positions)
    invalid = pc.and_(pc.is_valid(column), pc.is_null(values))
    return Mapped(values, invalid, kinds)


def _unchanged(column: pa.Array | pa.ChunkedArray) -> Mapped:
    return Mapped(column, pa.array(np.zeros(len(column), dtype=bool)), pa.nulls(len(column), pa.string()))


def token_canonical(vocabulary: str) -> Callable[[str], Canonical]:
    tokens, extensible = VOCABULARIES[vocabulary]
    by_lower = {token.lower(): token for token in tokens}
    if vocabulary == "status":
        by_lower["inactive"] = "tobedeleted"  # the 1.0 token; the 1.2 REST binding says to read it so

    def canonical(value: str) -> Canonical:
        if value in tokens:
            return value, None
        if extensible and EXTENSION.fullmatch(value):
            return value, None
        token = by_lower.get(value.strip().lower())
        if token is None:
            return None, None
        return token, "status_inactive" if value.strip().lower() == "inactive" else "enum_case"

    return canonical


def flag_canonical(value: str) -> Canonical:
    """An extension column's true/false, in any case; anything else is unknown (not a reject)."""
    token = value.strip().lower()
    return (token, None) if token in ("true", "false") else (None, None)


def canonical_grade(code: str) -> str | None:
    text = code.strip()
    lower = text.lower()
    if lower in _CEDS_BY_LOWER:
        return _CEDS_BY_LOWER[lower]
    if lower in _GRADE_ALIASES:
        return _GRADE_ALIASES[lower]
    if text.isascii() and text.isdigit() and 1 <= int(text) <= 13:
        return f"{int(text):02d}"
    return None


def grades_canonical(local_codes_allowed: bool) -> Callable[[str], Canonical]:
    """Canonical form of a comma-separated grades field: every code CEDS, or the whole field refused."""

    def canonical(value: str) -> Canonical:
        codes, kind = [], None
        for part in value.split(","):
            if not part.strip():
                continue
            code = canonical_grade(part)
            if code is None and local_codes_allowed and _LOCAL_GRADE.fullmatch(part.strip()):
                code, kind = part.strip(), "grade_local"
            if code is None:
                return None, None
            codes.append(code)
        joined = ",".join(codes)
        if kind is None and joined != value:
            kind = "grade_code"
        return (joined or None), kind

    return canonical
