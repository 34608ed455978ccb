"""What keeps a MAP row from being a test result: checks that reject, with line, column and reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce

import pyarrow as pa
import pyarrow.compute as pc

from connectors.nwea_map.findings import Findings
from connectors.nwea_map.layouts import ASSESSMENT_REQUIRED
from connectors.nwea_map.values import Column, dates, map_distinct, numbers, terms
from hub.schoolyears import outside_labelled_year

SUBJECTS = {
    "language arts": "ela",
    "reading": "ela",
    "language usage": "ela",
    "language": "ela",
    "mathematics": "math",
    "math": "math",
}
"""``Subject`` (2020+) and ``Discipline`` (older) values. Anything else (Science, Spanish reading) is
skipped with a warning: it is a valid test, just not one tutoring decides on."""
# Real K-12 RIT scores lie within about 100-350; the bounds leave a wide margin, to catch only errors.
RIT_SCALE = (50, 400)
EARLIEST_TEST = date(2010, 7, 1)
LATEST_TEST_AHEAD = timedelta(days=31)  # a clock or time zone off by a little is not a wrong date


@dataclass(slots=True)
class Screened:
    keep: Column
    window: Column
    school_year: Column
    subject: Column
    scale_score: Column
    test_date: Column


def screen(findings: Findings) -> Screened:
    """Rejects (blank required cells, unreadable term, RIT score or date), then skips other subjects."""
    text = findings.text
    findings.drop(reduce(pc.and_, [pc.is_null(text(name)) for name in ASSESSMENT_REQUIRED]))
    for name in ASSESSMENT_REQUIRED:
        findings.reject(pc.is_null(text(name)), name, "missing_required", f"{name} is blank")
    window, school_year = terms(text("TermName"))
    findings.reject(
        pc.is_null(window),
        "TermName",
        "term_name",
        "TermName is not '<Season> <YYYY>-<YYYY>' nor '<Season> <YYYY>'",
    )
    scale_score = numbers(text("TestRITScore"))
    findings.reject(pc.is_null(scale_score), "TestRITScore", "bad_number", "TestRITScore is not a number")
    low, high = RIT_SCALE
    findings.reject(
        pc.or_(pc.less(scale_score, low), pc.greater(scale_score, high)),
        "TestRITScore",
        "out_of_range",
        f"TestRITScore is far outside the RIT scale (accepted: {low} to {high})",
    )
    test_date = dates(text("TestStartDate"))
    findings.reject(
        pc.is_null(test_date),
        "TestStartDate",
        "bad_date",
        "TestStartDate is not a date (MM/DD/YYYY, M/D/YYYY, M/D/YY or YYYY-MM-DD)",
    )
    findings.reject(
        pc.or_(pc.less(test_date, EARLIEST_TEST), pc.greater(test_date, date.today() + LATEST_TEST_AHEAD)),
        "TestStartDate",
        "implausible_date",
        "TestStartDate is not inside a school year the export can hold (2010 to a month from now)",
    )
    findings.warn(
        outside_labelled_year(test_date, school_year),
        "TestStartDate",
        "outside_school_year",
        "TestStartDate lies outside the school year of TermName (by more than a month); TermName was kept",
    )
    subject = map_distinct(
        text("Subject"), lambda value: SUBJECTS.get(value.strip().casefold(), "other"), pa.string()
    )
    other = pc.and_(pc.fill_null(pc.equal(subject, "other"), False), findings.kept)
    if pc.any(other).as_py():
        names = ", ".join(sorted(pc.unique(pc.filter(text("Subject"), other)).to_pylist()))
        findings.warn(other, "Subject", "skipped_subject", f"{names}: neither ELA nor math, skipped")
    keep = pc.and_not(findings.kept, other)
    return Screened(keep, window, school_year, subject, scale_score, test_date)
