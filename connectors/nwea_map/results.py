"""MAP test rows as ``assessment_result`` rows, one vectorised pass per field.

Field choices that are not one-to-one:

* ``student_grade``: MAP's ``AssessmentResults.csv`` carries no grade; it comes from ``StudentsBySchool.csv``
  (same term and StudentID). The Combined Data File has it on the row. ``NWEAStandard_Grade`` is
  preferred to the district's own ``Grade`` text.
* ``vendor_school_id``: ``School_StateID``, else (older layouts) ``SchoolName``.
* ``proficiency_band``: ``AchievementQuintile`` through ``band_mapping``; layouts before ~2020 have no
  quintile, so it is read off ``TestPercentile`` with NWEA's own cut points (20/40/60/80).
* ``placement``: the quintile text as exported (blank in older layouts, never invented).
* ``rapid_guessing_percent``: MAP exports a percentage (``12.5000``). A file whose values all lie in 0..1
  with some strictly between is a file of fractions (a re-saved or hand-built export) and is scaled by
  100, with a warning: a real percentage strictly between 0 and 1 cannot occur on a test of under 100
  items.
* ``vendor_most_recent``: ``GrowthMeasureYN`` (the test that counts for growth in its term).
* ``extras``: columns no known layout has (district additions), as a JSON object.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.nwea_map.config import QUINTILES, MapConfig
from connectors.nwea_map.csvfile import FILE, PROVENANCE
from connectors.nwea_map.findings import Findings
from connectors.nwea_map.growth import growth
from connectors.nwea_map.identity import test_source_ids
from connectors.nwea_map.layouts import KNOWN_COLUMNS
from connectors.nwea_map.screening import Screened
from connectors.nwea_map.values import Column, grades, integers, invalid, json_objects, map_distinct

VENDOR = "nwea_map"
_YES_NO = {
    "true": True,
    "yes": True,
    "y": True,
    "1": True,
    "false": False,
    "no": False,
    "n": False,
    "0": False,
}
_PERCENTILE_CUTS = np.array([20, 40, 60, 80])  # upper bounds of Low, LoAvg, Avg, HiAvg


# Plausible ranges of the optional numbers; past them a cell is a typing or export error, left blank.
SEM = (0, 30)
MINUTES = (0, 600)


def assessment_results(
    findings: Findings, screened: Screened, students: pa.Table | None, config: MapConfig
) -> tuple[pa.Table, Column]:
    """(a row for every vendor row, the mask of those that are results).

    Fields are computed for every row and the caller filters once at the end: filtering the 143-column
    vendor table first would cost more than the few rejected rows save.
    """
    findings.scope = screened.keep
    text, number = findings.text, findings.number
    size = findings.table.num_rows
    percentile = _percentile(findings)
    quintile = pc.utf8_trim_whitespace(text("AchievementQuintile"))
    rapid_guessing = _within(findings, "RapidGuessingPercentage", _rapid_guessing_percent(findings), 0, 100)
    grown = growth(screened.window, number)
    source_ids, rows = test_source_ids(findings, screened.test_date, screened.keep)
    columns = {
        "source_id": source_ids,
        "vendor": pa.repeat(pa.scalar(VENDOR), size),
        "vendor_student_id": pc.utf8_trim_whitespace(text("StudentID")),
        "match_status": pa.repeat(pa.scalar("unmatched"), size),
        "subject": screened.subject,
        "measure": pc.utf8_trim_whitespace(text("Course")),
        "school_year": screened.school_year,
        "window": screened.window,
        "test_date": screened.test_date,
        "student_grade": _student_grade(findings, students),
        "vendor_school_id": pc.coalesce(text("School_StateID"), text("SchoolName")),
        "scale_score": screened.scale_score,
        "standard_error": _within(findings, "TestStandardError", number("TestStandardError"), *SEM),
        "percentile": percentile,
        "placement": quintile,
        "proficiency_band": _bands(findings, quintile, percentile, config),
        "lexile_or_quantile": pc.if_else(
            pc.equal(screened.subject, "ela"), text("LexileScore"), text("QuantileScore")
        ),
        "typical_growth": grown.typical_growth,
        "growth_to_date": grown.growth_to_date,
        "conditional_growth_index": grown.conditional_growth_index,
        "conditional_growth_percentile": grown.conditional_growth_percentile,
        "duration_minutes": _within(findings, "TestDurationMinutes", number("TestDurationMinutes"), *MINUTES),
        "rapid_guessing_percent": rapid_guessing,
        "rushed": pc.fill_null(pc.greater(rapid_guessing, config.rapid_guessing_threshold), False),
        "vendor_most_recent": _growth_measure(findings),
        "is_test_of_record": pa.repeat(pa.scalar(False), size),
        "extras": json_objects(findings.table, _unknown_columns(findings.table)),
    }
    table = pa.table({name: _array(values) for name, values in columns.items()})
    return table, rows


def _within(findings: Findings, name: str, values: Column, low: float, high: float) -> Column:
    """Values from ``low`` to ``high``; others are left blank with a warning (the test itself stands)."""
    outside = pc.or_(pc.less(values, low), pc.greater(values, high))
    findings.warn(outside, name, "out_of_range", f"{name} is outside {low}..{high}; left blank")
    return pc.if_else(pc.fill_null(outside, False), pa.scalar(None, pa.float64()), values)


def _array(values: Column | pa.Scalar) -> pa.ChunkedArray:
    return values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])


def _percentile(findings: Findings) -> Column:
    raw = findings.text("TestPercentile")
    values = integers(raw)
    findings.warn(
        invalid(raw, values), "TestPercentile", "bad_number", "TestPercentile is not a number; left blank"
    )
    outside = pc.or_(pc.less(values, 0), pc.greater(values, 100))
    findings.warn(outside, "TestPercentile", "out_of_range", "TestPercentile is outside 0..100; left blank")
    return pc.if_else(pc.fill_null(outside, False), pa.scalar(None, pa.int64()), values)


def _bands(findings: Findings, quintile: Column, percentile: Column, config: MapConfig) -> Column:
    bands = config.band_mapping
    by_quintile = map_distinct(quintile, bands.get, pa.int64())
    findings.warn(
        invalid(quintile, by_quintile),
        "AchievementQuintile",
        "quintile",
        f"AchievementQuintile is not one of {', '.join(QUINTILES)}; band read from TestPercentile",
    )
    scores = pc.fill_null(percentile, 0).to_numpy()
    by_rank = np.array([bands[name] for name in QUINTILES])[np.searchsorted(_PERCENTILE_CUTS, scores)]
    by_percentile = pc.if_else(
        pc.is_valid(percentile), pa.array(by_rank, pa.int64()), pa.scalar(None, pa.int64())
    )
    return pc.coalesce(by_quintile, by_percentile)


def _rapid_guessing_percent(findings: Findings) -> Column:
    values = findings.number("RapidGuessingPercentage")
    fraction = pc.and_(pc.greater(values, 0), pc.less(values, 1))
    per_file = pa.table(
        {"file": pc.cast(findings.text(FILE), pa.string()), "value": values, "fraction": fraction}
    )
    summary = per_file.group_by("file").aggregate([("value", "max"), ("fraction", "any")])
    fractional = summary.filter(
        pc.and_(pc.less_equal(summary.column("value_max"), 1), summary.column("fraction_any"))
    )
    if fractional.num_rows == 0:
        return values
    scaled = pc.is_in(per_file.column("file"), fractional.column("file"))
    findings.warn(
        pc.and_(scaled, pc.is_valid(values)),
        "RapidGuessingPercentage",
        "rapid_guessing_fraction",
        "RapidGuessingPercentage holds fractions of 1 in this file; read as percentages (x100)",
    )
    return pc.if_else(scaled, pc.multiply(values, 100.0), values)


def _growth_measure(findings: Findings) -> Column:
    raw = findings.text("GrowthMeasureYN")
    flags = map_distinct(raw, lambda value: _YES_NO.get(value.strip().casefold()), pa.bool_())
    findings.warn(
        invalid(raw, flags), "GrowthMeasureYN", "flag", "GrowthMeasureYN is not TRUE/FALSE; left blank"
    )
    return flags


def _student_grade(findings: Findings, students: pa.Table | None) -> Column:
    text = findings.text
    raw = pc.coalesce(text("NWEAStandard_Grade"), text("Grade"))
    if students is not None and pc.any(pc.is_null(raw)).as_py():
        raw = pc.coalesce(raw, _roster_grades(findings.table, students))
    codes = grades(raw)
    findings.warn(
        invalid(raw, codes), "Grade", "grade_code", "grade is not K, PK or 1..12; student_grade left blank"
    )
    return codes


def _roster_grades(tests: pa.Table, students: pa.Table) -> Column:
    """Each test's grade from StudentsBySchool, by term and StudentID (the roster's first row wins)."""
    roster = Findings(students).text
    grade = pc.coalesce(roster("NWEAStandard_Grade"), roster("Grade"))
    graded = pc.filter(_student_term(students), pc.is_valid(grade))
    return pc.take(pc.filter(grade, pc.is_valid(grade)), pc.index_in(_student_term(tests), graded))


def _student_term(table: pa.Table) -> Column:
    """One key per student and term (joined by a tab: no term name or student id holds one)."""
    term, student = (pc.utf8_trim_whitespace(table.column(name)) for name in ("TermName", "StudentID"))
    return pc.binary_join_element_wise(term, student, "\t")


def _unknown_columns(table: pa.Table) -> list[str]:
    return [name for name in table.column_names if name not in KNOWN_COLUMNS and name not in PROVENANCE]
