"""Checking one progress CSV's rows: vectorised masks; the first failing check names a row's reject."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from hub.csvtext import LINE, Rejects, repeats
from hub.skills import DOMAINS

COLUMNS = ("student_id", "date", "measure", "score", "goal", "subject", "domain")
REQUIRED = ("student_id", "date", "measure", "score")
RESERVED_MEASURES = ("mastery_check",)
MEASURE = r"^[a-z0-9][a-z0-9_-]{0,63}$"
MAX_SCORE = 100_000.0
NUMBER = r"^\d{1,6}(\.\d+)?$"
# A probe is scored after it is given: a date before 2010 or weeks ahead is a typing error.
EARLIEST = date(2010, 7, 1)
LATEST_AHEAD = timedelta(days=31)
_DOMAIN_KEYS = {
    name.lower(): key
    for domains in DOMAINS.values()
    for key, label in domains.items()
    for name in (key, label)
}
_SUBJECT_OF = {key: subject for subject, domains in DOMAINS.items() for key in domains}


def _numbers(values: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Plain decimal text as float64 (else null), and whether each value was such a number in range."""
    plain = pc.fill_null(pc.match_substring_regex(values, NUMBER), False)
    parsed = pc.if_else(plain, values, pa.scalar(None, pa.string())).cast(pa.float64())
    return parsed, pc.fill_null(pc.less_equal(parsed, MAX_SCORE), False)


def _canonical(domains: pa.ChunkedArray) -> pa.Array:
    """Domain names as canonical keys (null where unknown), worked out once per distinct name."""
    distinct = pc.unique(domains).drop_null()
    keys = pa.array([_DOMAIN_KEYS.get(name.lower()) for name in distinct.to_pylist()], pa.string())
    return keys.take(pc.index_in(domains, value_set=distinct))


def check_scores(table: pa.Table, file: str) -> tuple[pa.Table, list, int]:
    """The rows that load (typed), the rejects, and how many rows were rejected."""
    table = table.set_column(
        table.column_names.index("measure"), "measure", pc.utf8_lower(table["measure"])
    ).set_column(table.column_names.index("subject"), "subject", pc.utf8_lower(table["subject"]))
    rejects = Rejects(table, file)
    rejects.required(REQUIRED)
    day = rejects.dates("date", EARLIEST, LATEST_AHEAD, "a probe")
    measure = table["measure"]
    rejects.add(
        pc.or_(
            pc.invert(pc.fill_null(pc.match_substring_regex(measure, MEASURE), False)),
            pc.is_in(measure, value_set=pa.array(RESERVED_MEASURES)),
        ),
        "bad_measure",
        "measure",
        lambda r: (
            f"{r['measure']!r} is not a measure name (letters, digits, _ and -, at most 64; "
            "'mastery_check' is the session logs' own)"
        ),
    )
    score, score_ok = _numbers(table["score"])
    rejects.add(
        pc.invert(score_ok),
        "bad_score",
        "score",
        lambda r: f"{r['score']!r} is not a number from 0 to {MAX_SCORE:,.0f}",
    )
    goal, goal_ok = _numbers(table["goal"])
    rejects.add(
        pc.and_(pc.is_valid(table["goal"]), pc.invert(goal_ok)),
        "bad_goal",
        "goal",
        lambda r: f"{r['goal']!r} is not a number from 0 to {MAX_SCORE:,.0f} (or blank)",
    )
    subject = table["subject"]
    rejects.add(
        pc.and_(pc.is_valid(subject), pc.invert(pc.is_in(subject, value_set=pa.array(list(DOMAINS))))),
        "bad_subject",
        "subject",
        lambda r: f"{r['subject']!r} is not ela or math (or blank)",
    )
    domain = _canonical(table["domain"])
    rejects.add(
        pc.and_(pc.is_valid(table["domain"]), pc.is_null(domain)),
        "unknown_domain",
        "domain",
        lambda r: f"{r['domain']!r} is not a canonical skill domain (such as phonics or Geometry)",
    )
    domain_subject = pa.array(list(_SUBJECT_OF.values()), pa.string()).take(
        pc.index_in(domain, value_set=pa.array(list(_SUBJECT_OF), pa.string()))
    )
    rejects.add(
        pc.and_(pc.is_valid(subject), pc.not_equal(domain_subject, subject)),
        "domain_subject",
        "domain",
        lambda r: f"{r['domain']!r} is not a skill of {r['subject']}",
    )
    key = pc.binary_join_element_wise(table["student_id"], table["date"], measure, "\x1f")
    rejects.add(
        pa.array(repeats(key, ~rejects.rejected)),
        "duplicate_score",
        "student_id",
        lambda r: (
            f"student {r['student_id']} has a second {r['measure']} score on {r['date']}; "
            "the first row is kept"
        ),
    )
    typed = pa.table(
        {
            "student_id": table["student_id"],
            "observed_on": day,
            "measure": measure,
            "score": score,
            "goal_score": goal,
            "subject": pc.coalesce(subject, domain_subject),
            "canonical_domain": domain,
            LINE: table[LINE],
        }
    )
    return typed.filter(pa.array(~rejects.rejected)), rejects.issues, int(rejects.rejected.sum())
