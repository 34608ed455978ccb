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

MEASURE = "mastery_check"
"""The ``progress_point.measure`` of every point made from a session log."""

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


def _one_domain(skills: pa.ChunkedArray) -> pa.Array:
    return pc.fill_null(pc.and_(pc.is_valid(skills), pc.invert(pc.match_substring(skills, ","))), False)


def point_ids(attendance_ids: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """The ``progress_point.source_id`` of each attendance's check (``mastery_check:`` + its id)."""
    return pc.binary_join_element_wise(pa.scalar(MEASURE), attendance_ids, ":")


def mastery_points(
    rows: pa.Table, attendance_ids: pa.ChunkedArray | pa.Array, dates: pa.ChunkedArray | pa.Array
) -> tuple[pa.Table, list[str]]:
    """``progress_point`` rows for the checks that make a point, and the point ids to remove: those of
    rows whose check was taken away or no longer reads (a corrected log replaces its session whole)."""
    percent, there, _ = _usable(rows)
    made = pc.fill_null(pc.and_(pc.is_valid(percent), there), False)
    ids = point_ids(attendance_ids)
    skills = rows["skills_covered"]
    domain = pc.if_else(_one_domain(skills), skills, pa.scalar(None, pa.string()))
    subject = _shared_subject(skills)
    points = pa.table(
        {
            "source_id": ids,
            "person_source_id": rows["student_id"],
            "subject": subject,
            "canonical_domain": domain,
            "measure": pa.array(np.full(rows.num_rows, MEASURE)),
            "observed_on": dates,
            "score": percent,
            "goal_score": pa.nulls(rows.num_rows, pa.float64()),
            "source": pa.array(np.full(rows.num_rows, "session_log")),
        }
    ).filter(made)
    removed = ids.filter(pc.invert(made)).to_pylist()
    return points, removed


def _shared_subject(skills: pa.ChunkedArray) -> pa.Array:
    """The subject every covered skill belongs to (null when none, or when they span subjects);
    worked out once per distinct list of skills."""
    distinct = pc.unique(skills).drop_null()
    shared = []
    for listed in distinct.to_pylist():
        subjects = {_SUBJECT_OF.get(key) for key in listed.split(",")}
        shared.append(subjects.pop() if len(subjects) == 1 else None)
    return pa.array(shared, pa.string()).take(pc.index_in(skills, value_set=distinct))
