"""Checking one file's session rows: rejects (the row is not loaded) and warnings (it is, with a fix).

Checks are vectorised masks over the whole file; Python only walks the rows that fail, to word their
issues. The first failing check names a row's reject.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.session_log import format as fmt
from connectors.session_log.fixes import Checked, fix, replaced
from connectors.session_log.reading import INSTANCE, LINE
from hub.csvtext import Rejects, codes, repeats

WHOLE_NUMBER = r"^\d{1,6}$"


def whole_numbers(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Digits-only text as int64; anything else (blank, "30.5", "-3", "thirty") as null."""
    digits = pc.fill_null(pc.match_substring_regex(values, WHOLE_NUMBER), False)
    return pc.if_else(digits, values, pa.scalar(None, pa.string())).cast(pa.int64())


def check_sessions(table: pa.Table, file: str) -> Checked:
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
    _check_instances(rejects)
    kept = table.filter(pa.array(~rejects.rejected)) if rejects.rejected.any() else table  # no copy
    checked = Checked(kept, rejects.issues, int(rejects.rejected.sum()))
    fix(checked, file)
    return checked


def _check_instances(rejects: Rejects) -> None:
    """Rows of one session must agree on the session's fields; a student appears once per session.

    Every value is compared as a number (its column's dictionary code, a blank one too): comparing the
    text would take a copy of the session columns twice over, the size of the file.
    """
    table = rejects.table
    # every row of the session takes part, rejected ones too: their session fields still tell its story
    named = np.flatnonzero(pc.is_valid(table["session_id"]).to_numpy(zero_copy_only=False))
    _, instance = np.unique(table[INSTANCE].to_numpy()[named], return_inverse=True)
    session = codes(table["session_id"])[named] * (int(instance.max(initial=0)) + 1) + instance
    _, first, group = np.unique(session, return_index=True, return_inverse=True)
    heads = named[first[group]]
    columns = [name for name in fmt.SESSION_COLUMNS if name != "session_id"]
    differs = np.zeros(len(named), dtype=bool)
    for name in columns:  # null-aware: a blank beside a value is a disagreement too
        values = codes(table[name])
        differs |= values[named] != values[heads]
    flagged = np.zeros(table.num_rows, dtype=bool)
    flagged[named] = np.isin(group, np.unique(group[differs]))
    flagged = pa.array(flagged)
    if differs.any():
        reasons = _conflict_reasons(table.filter(flagged), columns)
        rejects.add(flagged, "session_conflict", None, lambda r: reasons[(r[INSTANCE], r["session_id"])])
    students = np.zeros(table.num_rows, dtype=np.int64)
    students[named] = group * (table.num_rows + 1) + codes(table["student_id"])[named]
    live = ~rejects.rejected  # a live row has a session id (it is required)
    rejects.add(
        pa.array(repeats(pa.array(students), live)),
        "duplicate_student",
        "student_id",
        lambda r: (
            f"student {r['student_id']} is listed twice in session {r['session_id']}; the first row is kept"
        ),
    )


def _conflict_reasons(rows: pa.Table, columns: list[str]) -> dict[tuple[int, str], str]:
    """Per conflicting session, one sentence naming a field its rows disagree on (loops over those rows)."""
    first: dict[tuple[int, str], dict] = {}
    reasons: dict[tuple[int, str], str] = {}
    for row in rows.to_pylist():
        key = (row[INSTANCE], row["session_id"])
        head = first.setdefault(key, row)
        differs = next((name for name in columns if row[name] != head[name]), None)
        if differs and key not in reasons:
            reasons[key] = (
                f"session {row['session_id']}: {differs} is {head[differs]!r} on line {head[LINE]} but "
                f"{row[differs]!r} on line {row[LINE]}; the whole session is rejected"
            )
    return reasons
