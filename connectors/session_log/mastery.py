"""Tutors' mastery checks as progress points: percent correct on the session's skill, or no point at all.

A check becomes a point only when it says how much was right, in one of these forms (case and spaces do
not matter):

- a fraction ``3/4``, ``3 of 4`` or ``3 out of 4`` (0 to 100 items): the percent correct, 75;
- a percent ``75%`` (0 to 100);
- a word: ``mastered`` (100), ``partially mastered`` or ``partial`` (50), ``not mastered`` or ``not yet``
  (0).

Anything else ("good effort", "4/3", "B+") is rejected with its file, line and reason and makes no point;
the session row itself still loads (attendance and dosage do not depend on the check). A check for a
student who was not there (absent, excused, a cancelled session) is rejected the same way.

A point is stored on its attendance row (``mastery_percent``) and shown by the view ``progress_point``
(``measure`` ``mastery_check``, ``source`` ``session_log``, ``source_id`` ``mastery_check:`` + the
attendance's id, observed on the session's date).

The point is on the session's skill when the session covered exactly one canonical domain. A session
covering several skills gives a point without a domain (which of them was checked cannot be told) in the
subject they share; it counts toward the student's placement in that subject. A session naming no skill
gives a point with neither, kept but plotted against no goal.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.session_log import format as fmt
from hub.connector import Issue
from hub.csvtext import LINE
from hub.skills import DOMAINS

WORDS = {
    "mastered": 100.0,
    "partially mastered": 50.0,
    "partial": 50.0,
    "not mastered": 0.0,
    "not yet": 0.0,
}
"""The words a check may be written in, and the percent each stands for."""

MAX_ITEMS = 100
_FRACTION = re.compile(r"^(\d{1,3})\s*(?:/|of|out of)\s*(\d{1,3})$")
_PERCENT = re.compile(r"^(\d{1,3}(?:\.\d+)?)\s*%$")
_SUBJECT_OF = {key: subject for subject, domains in DOMAINS.items() for key in domains}

UNREAD_REASON = (
    "{value!r} is not a mastery check the hub reads (a fraction such as 3/4, a percent such as 75%, or "
    "mastered / partially mastered / not mastered); no progress point is made, the session row is loaded"
)


def percent_correct(check: str) -> float | None:
    """The percent a check stands for, or None when it is none of the documented forms."""
    text = " ".join(check.strip().lower().split())
    if text in WORDS:
        return WORDS[text]
    fraction = _FRACTION.match(text)
    if fraction:
        right, items = int(fraction.group(1)), int(fraction.group(2))
        return 100.0 * right / items if 0 < items <= MAX_ITEMS and right <= items else None
    percent = _PERCENT.match(text)
    if percent and float(percent.group(1)) <= 100:
        return float(percent.group(1))
    return None


def _percents(checks: pa.ChunkedArray) -> pa.Array:
    """``percent_correct`` of every row, worked out once per distinct text (a handful per file)."""
    distinct = pc.unique(checks).drop_null()
    values = pa.array([percent_correct(text) for text in distinct.to_pylist()], pa.float64())
    return values.take(pc.index_in(checks, value_set=distinct))


def _usable(rows: pa.Table) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Per row: the percent (null when unread), whether the student was there, whether a check was given."""
    given = pc.is_valid(rows["mastery_check"])
    there = pc.and_(
        pc.not_equal(pc.fill_null(rows["session_status"], fmt.HELD), fmt.CANCELLED),
        pc.is_in(rows["attendance"], value_set=pa.array(fmt.ATTENDED)),
    )
    return _percents(rows["mastery_check"]), pc.fill_null(there, False), given


def check_issues(rows: pa.Table, file: str) -> list[Issue]:
    """Rejects for checks that make no point, one per row; ``rows`` are a file's checked session rows."""
    percent, there, given = _usable(rows)
    issues: list[Issue] = []
    unread = pc.and_(given, pc.is_null(percent)).to_numpy(zero_copy_only=False)
    absent = (pc.and_(given, pc.invert(there)).to_numpy(zero_copy_only=False)) & ~unread
    for index in np.flatnonzero(unread | absent):
        row = rows.slice(int(index), 1).to_pylist()[0]
        value = row["mastery_check"]
        if unread[index]:
            kind, reason = "unread_mastery_check", UNREAD_REASON.format(value=value)
        else:
            kind = "mastery_check_absent"
            reason = (
                f"a mastery check for a student who was {row['attendance'] or 'in a cancelled session'} "
                "makes no progress point; the session row is loaded"
            )
        issues.append(Issue(file, row[LINE], "mastery_check", value, kind, reason))
    return issues


def mastery_percents(rows: pa.Table) -> pa.Array:
    """``session_attendance.mastery_percent`` of each row: the percent its check stands for when it makes a
    point (it reads and the student was there), else null. A corrected log replaces its session's rows
    whole, so a check taken away or no longer read takes its point with it."""
    percent, there, _ = _usable(rows)
    return pc.if_else(there, percent, pa.scalar(None, pa.float64()))


def checked_skill(skills: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, pa.Array]:
    """What a check at each session is on: the subject every covered skill belongs to (null when none, or
    when they span subjects), and the skill when the session covered exactly one (else null)."""
    one = pc.fill_null(pc.and_(pc.is_valid(skills), pc.invert(pc.match_substring(skills, ","))), False)
    return _shared_subject(skills), pc.if_else(one, skills, pa.scalar(None, pa.string()))


def _shared_subject(skills: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The subject every covered skill belongs to, worked out once per distinct list of skills."""
    distinct = pc.unique(skills).drop_null()
    shared = []
    for listed in distinct.to_pylist():
        subjects = {_SUBJECT_OF.get(key) for key in listed.split(",")}
        shared.append(subjects.pop() if len(subjects) == 1 else None)
    return pa.array(shared, pa.string()).take(pc.index_in(skills, value_set=distinct))
