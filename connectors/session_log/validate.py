"""Checking one file's session rows: rejects (the row is not loaded) and warnings (it is, with a fix).

Checks are vectorised masks over a block of the file; Python only walks the rows that fail, to word their
issues. The first failing check names a row's reject. The checks over a whole session (``session_keys``,
``conflicting``) are put together across blocks by ``checking``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.session_log import format as fmt
from connectors.session_log.fixes import replaced
from connectors.session_log.reading import INSTANCE, LINE
from hub.csvtext import Rejects, codes

WHOLE_NUMBER = r"^\d{1,6}$"
SESSION_FIELDS = [name for name in fmt.SESSION_COLUMNS if name != "session_id"]
"""What the rows of one session must agree on."""


def whole_numbers(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Digits-only text as int64; anything else (blank, "30.5", "-3", "thirty") as null."""
    digits = pc.fill_null(pc.match_substring_regex(values, WHOLE_NUMBER), False)
    return pc.if_else(digits, values, pa.scalar(None, pa.string())).cast(pa.int64())


def row_checks(table: pa.Table, file: str) -> Rejects:
    """The checks a row answers alone, on a block of a file; ``Rejects.table`` is the block with its
    session status and attendance lower-cased, as checked."""
    table = replaced(table, "session_status", pc.utf8_lower(pc.fill_null(table["session_status"], fmt.HELD)))
    table = replaced(table, "attendance", pc.utf8_lower(table["attendance"]))
    rejects = Rejects(table, file)
    rejects.required(fmt.REQUIRED)
    rejects.dates("session_date", fmt.EARLIEST_SESSION, fmt.LATEST_SESSION_AHEAD, "a log")
    minutes = whole_numbers(table["minutes"])
    rejects.add(
        pc.invert(
            pc.fill_null(
                pc.and_(pc.less_equal(minutes, fmt.MAX_SESSION_MINUTES), pc.greater(minutes, 0)), False
            )
        ),
        "minutes_range",
        "minutes",
        lambda r: f"{r['minutes']!r} is not a whole number of minutes from 1 to {fmt.MAX_SESSION_MINUTES}",
    )
    status = table["session_status"]
    rejects.add(
        pc.invert(pc.is_in(status, pa.array(fmt.SESSION_STATUSES))),
        "bad_session_status",
        "session_status",
        lambda r: f"{r['session_status']!r} is not one of {', '.join(fmt.SESSION_STATUSES)} (blank = held)",
    )
    cancelled = pc.equal(status, fmt.CANCELLED)
    attendance = table["attendance"]
    rejects.add(
        pc.and_(pc.is_null(attendance), pc.invert(cancelled)),
        "missing_required",
        "attendance",
        lambda r: "attendance is blank (it may be blank only when the session was cancelled)",
    )
    rejects.add(
        pc.and_(pc.is_valid(attendance), pc.invert(pc.is_in(attendance, pa.array(fmt.ATTENDANCE)))),
        "bad_attendance",
        "attendance",
        lambda r: f"{r['attendance']!r} is not one of {', '.join(fmt.ATTENDANCE)}",
    )
    rejects.add(
        pc.and_(cancelled, pc.is_in(attendance, pa.array(fmt.ATTENDED))),
        "cancelled_attendance",
        "attendance",
        lambda r: f"the session is cancelled, so the student cannot be {r['attendance']}",
    )
    present_minutes = whole_numbers(table["minutes_present"])
    rejects.add(
        pc.and_(
            pc.is_valid(table["minutes_present"]),
            pc.invert(pc.fill_null(pc.less_equal(present_minutes, minutes), False)),
        ),
        "minutes_present_range",
        "minutes_present",
        lambda r: (
            f"{r['minutes_present']!r} is not a whole number from 0 to the session's {r['minutes']} minutes"
        ),
    )
    missed = pc.or_(cancelled, pc.is_in(attendance, pa.array(fmt.MISSED)))
    rejects.add(
        pc.and_(missed, pc.fill_null(pc.greater(present_minutes, 0), False)),
        "absent_minutes",
        "minutes_present",
        lambda r: (
            f"a student who was {r['attendance'] or 'in a cancelled session'} cannot have minutes present"
        ),
    )
    return rejects


def session_keys(table: pa.Table) -> pa.ChunkedArray:
    """Which rows were written together as one session: the instance and the session id (null without)."""
    return pc.binary_join_element_wise(table[INSTANCE].cast(pa.string()), table["session_id"], "\x1f")


def conflicting(table: pa.Table, keys: pa.ChunkedArray) -> pa.Array:
    """The keys of the sessions whose rows disagree on a session field.

    Every row of a session takes part, rejected ones too: their session fields still tell its story. Each
    value is compared as a number (its column's dictionary code, a blank one too), not as text.
    """
    named = np.flatnonzero(pc.is_valid(keys).to_numpy(zero_copy_only=False))
    _, first, group = np.unique(codes(keys)[named], return_index=True, return_inverse=True)
    heads = named[first[group]]
    differs = np.zeros(len(named), dtype=bool)
    for name in SESSION_FIELDS:  # null-aware: a blank beside a value is a disagreement too
        values = codes(table[name])
        differs |= values[named] != values[heads]
    return pc.unique(keys.take(pa.array(named[differs])).combine_chunks())


def conflict_reasons(rows: pa.Table) -> dict[tuple[int, str], str]:
    """Per conflicting session, one sentence naming a field its rows disagree on (loops over ``rows``, the
    rows of the conflicting sessions, in file order)."""
    first: dict[tuple[int, str], dict] = {}
    reasons: dict[tuple[int, str], str] = {}
    for row in rows.to_pylist():
        key = (row[INSTANCE], row["session_id"])
        head = first.setdefault(key, row)
        differs = next((name for name in SESSION_FIELDS if row[name] != head[name]), None)
        if differs and key not in reasons:
            reasons[key] = (
                f"session {row['session_id']}: {differs} is {head[differs]!r} on line {head[LINE]} but "
                f"{row[differs]!r} on line {row[LINE]}; the whole session is rejected"
            )
    return reasons
