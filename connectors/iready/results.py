"""Diagnostic Results rows -> ``assessment_result``, one row per test, and its domains.

=========================  ==============================================================================
model field                from (2025-26 column names; older and 2026-27 names are read as these)
=========================  ==============================================================================
source_id                  ``iready:<Student ID>:<subject>:<Completion Date>:<Start Date>`` (ISO dates, so
                           a re-export with other date padding names the same test)
vendor_student_id          Student ID
person_source_id           null, ``match_status`` ``unmatched``: matching to the roster comes later
subject                    the header (Lexile/Quantile and domain columns), the file name as a hint
school_year                Academic Year ``2025-2026`` -> 2026; else from the date (July starts a year)
window                     Norming Window; else the date in i-Ready's norming windows (fall to Nov 15,
                           winter to Mar 1, spring to the end of the school year; after June: summer)
test_date                  Completion Date
student_grade              Student Grade as CEDS (``K`` -> ``KG``, ``3`` -> ``03``)
vendor_school_id           School State ID, else School (the name: i-Ready has no other school id)
scale_score, percentile    Overall Scale Score, Percentile
placement                  Overall Placement, the vendor's words (``Grade 3``, ``Level 3``, ``Early 6``)
grade_levels_below         Overall Relative Placement: Mid or Above / Early On 0, 1, 2, 3 (3 or more);
                           without one, from the placement and the student's grade
proficiency_band           from the relative placement through ``band_mapping`` (default 1..5)
lexile_or_quantile         Lexile Measure or Quantile Measure (``BR120L``, ``EM50Q`` kept as written)
typical/stretch_growth     Annual Typical / Stretch Growth Measure
growth_to_date             Diagnostic Gain (2026-27: Assessment Gain)
percent_progress_*         Percent Progress to Annual Typical / Stretch Growth (%)
duration_minutes           Duration (min)
rushed                     Rush Flag not empty
vendor_most_recent         Most Recent Diagnostic YTD (Y/N)
extras                     the district's own columns, as a JSON object of the non-empty cells
=========================  ==============================================================================

One column more than the model: ``source_file``, the export a test came from, so that the diagnostics
stage can refuse one file whose students match nobody and keep the others (the warehouse ignores it).

Standard error and rapid guessing stay null: i-Ready exports have neither (its Rush Flag is ``rushed``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.iready import placement
from connectors.iready.arrowtools import (
    Column,
    column_or_null,
    json_objects,
    only,
    recode,
    repeat,
    school_year_of,
    to_date,
    to_int,
    to_number,
    unreadable,
    within,
)
from connectors.iready.checks import RowChecks, WarningTally
from connectors.iready.domains import melt_domains
from connectors.iready.layouts import vendor_name
from connectors.iready.reading import FILE, SUBJECT
from connectors.iready.vocabulary import ceds_grade, end_year, measure, norming_window, yes_no
from hub.connector import Issue
from hub.model import arrow_schema, conform
from hub.schoolyears import outside_labelled_year
from hub.spilled import SpilledBlocks, whole_groups

VENDOR = "iready"
SOURCE_FILE = "source_file"
BLOCK_ROWS = 1 << 15
"""Test rows normalized at a time when the Diagnostic Results are replayed from the stored extract: a
year of a large district's tests is gigabytes once parsed."""
_NUMBERS = {
    "percentile": "Percentile",
    "duration_minutes": "Duration (min)",
    "growth_to_date": "Diagnostic Gain",
    "typical_growth": "Annual Typical Growth Measure",
    "stretch_growth": "Annual Stretch Growth Measure",
    "percent_progress_typical": "Percent Progress to Annual Typical Growth (%)",
    "percent_progress_stretch": "Percent Progress to Annual Stretch Growth (%)",
}
# What a real i-Ready value can be; past these a value is a typing or export error, not a score.
SCALE_SCORES = (100, 800)
_RANGES = {"percentile": (1, 99), "duration_minutes": (0, 600), "percent_progress_typical": (0, 1000)}
_RANGES["percent_progress_stretch"] = _RANGES["percent_progress_typical"]
EARLIEST_TEST = date(2010, 7, 1)
LATEST_TEST_AHEAD = timedelta(days=31)  # a clock or time zone off by a little is not a wrong date
# Fields an unreadable value only empties (the test is kept): field -> (column, warning kind, reason).
_LENIENT = {
    "school_year": ("Academic Year", "academic_year", "not like 2025-2026; the year of the date was used"),
    "student_grade": ("Student Grade", "grade_code", "not K or 1..12; left empty"),
    "category": (
        "Overall Relative Placement",
        "relative_placement",
        "unknown; grade levels below left empty",
    ),
    "lexile_or_quantile": ("Lexile Measure", "lexile_or_quantile", "not like 215L, BR120L, 275Q, EM50Q"),
    **{field: (name, "not_a_number", "not a number; left empty") for field, name in _NUMBERS.items()},
}


@dataclass(slots=True)
class NormalizedResults:
    results: pa.Table
    domains: pa.Table
    issues: list[Issue]

    @classmethod
    def none(cls) -> NormalizedResults:
        """What an extract without Diagnostic Results (lesson exports only) normalizes to."""
        results = arrow_schema("assessment_result").empty_table()
        results = results.append_column(SOURCE_FILE, pa.array([], pa.string()))
        return cls(results, arrow_schema("domain_result").empty_table(), [])


def normalize_results(
    rows: pa.Table, bands: Mapping[str, int], tally: WarningTally | None = None
) -> NormalizedResults:
    """``tally``: where the warnings go when ``rows`` is one block of the stream (``normalize_blocks``)."""
    checks = RowChecks(rows, tally)
    column = partial(column_or_null, rows)
    student = pc.utf8_trim_whitespace(column("Student ID"))
    completed = to_date(column("Completion Date"))
    started = to_date(column("Start Date"))
    scale = within(to_number(column("Overall Scale Score")), *SCALE_SCORES)
    completed = _plausible(checks, completed)
    _reject_unusable(checks, student, completed, started, scale)
    fields = _lenient_fields(checks, rows)
    labelled = fields.pop("school_year")
    checks.warn(
        outside_labelled_year(completed, labelled),
        "Completion Date",
        "outside_school_year",
        "Completion Date lies outside the Academic Year of the row (by more than a month); the "
        "Academic Year was kept",
    )
    school_year = pc.coalesce(labelled, school_year_of(completed))
    category = fields.pop("category")
    source_id = pc.binary_join_element_wise(
        VENDOR, student, rows.column(SUBJECT), _iso(completed), _iso(pc.coalesce(started, completed)), ":"
    )
    keep = _latest_of_each_test(checks, source_id)
    window = recode(column("Norming Window"), norming_window, pa.string())
    data = {
        **fields,
        "source_id": source_id,
        "vendor": repeat(VENDOR, rows.num_rows, pa.string()),
        "vendor_student_id": student,
        "match_status": repeat("unmatched", rows.num_rows, pa.string()),
        "subject": rows.column(SUBJECT),
        "school_year": school_year,
        "window": pc.coalesce(window, _window_of(completed, school_year)),
        "test_date": completed,
        "vendor_school_id": pc.coalesce(column("School State ID"), column("School")),
        "scale_score": scale,
        "placement": column("Overall Placement"),
        "grade_levels_below": placement.grade_levels_below(category),
        "proficiency_band": placement.proficiency_bands(category, bands),
        "percentile": to_int(fields["percentile"]),
        "rushed": pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(column("Rush Flag")), ""), False),
        "vendor_most_recent": recode(column("Most Recent Diagnostic YTD (Y/N)"), yes_no, pa.bool_()),
        "is_test_of_record": repeat(False, rows.num_rows, pa.bool_()),
        "extras": json_objects(_district_columns(rows), rows.num_rows),
        FILE: rows.column(FILE),
    }
    kept = only(pa.table(data), keep)
    # Beside the model's columns, the file each test came from: the diagnostics stage gates per file.
    results = conform("assessment_result", kept).append_column(SOURCE_FILE, kept.column(FILE))
    domains, domain_issues = melt_domains(rows, keep, results.column("source_id"), tally)
    return NormalizedResults(results, domains, checks.issues + domain_issues)


def normalize_blocks(
    rows: pa.RecordBatchReader, bands: Mapping[str, int]
) -> tuple[SpilledBlocks, list[Issue]]:
    """The results and domains of a stream too large to hold whole, normalized ``BLOCK_ROWS`` rows at a
    time and kept on disk (the diagnostics stage reads them twice); each block holds every row of its
    students, since a test in two files is one test (``_latest_of_each_test``), and every issue is the
    one reading the stream whole gives."""
    tally = WarningTally()
    blocks, issues = SpilledBlocks(), []
    for part in whole_groups(rows, "Student ID", BLOCK_ROWS):
        normalized = normalize_results(part, bands, tally)
        blocks.add({"assessment_result": normalized.results, "domain_result": normalized.domains})
        issues += normalized.issues
    return blocks, issues + tally.issues


def _lenient_fields(checks: RowChecks, rows: pa.Table) -> dict[str, Column]:
    column = partial(column_or_null, rows)
    raw = {name: column(name) for name, _, _ in _LENIENT.values()}
    raw["Lexile Measure"] = pc.coalesce(column("Lexile Measure"), column("Quantile Measure"))
    fields = {
        "school_year": recode(raw["Academic Year"], end_year, pa.int64()),
        "student_grade": recode(raw["Student Grade"], ceds_grade, pa.string()),
        "category": placement.categories(
            raw["Overall Relative Placement"], column("Overall Placement"), raw["Student Grade"]
        ),
        "lexile_or_quantile": recode(raw["Lexile Measure"], measure, pa.string()),
        **{field: to_number(raw[name]) for field, name in _NUMBERS.items()},
    }
    for field, (name, kind, reason) in _LENIENT.items():
        checks.warn(unreadable(raw[name], fields[field]), name, kind, f"{name}: {reason}")
    for field, (low, high) in _RANGES.items():
        ranged = within(fields[field], low, high)
        name = _NUMBERS[field]
        outside = pc.and_(pc.is_valid(fields[field]), pc.is_null(ranged))
        checks.warn(outside, name, "out_of_range", f"{name}: not from {low} to {high}; left empty")
        fields[field] = ranged
    return fields


def _reject_unusable(
    checks: RowChecks, student: Column, completed: Column, started: Column, scale: Column
) -> None:
    """A test without a student, a date or a score cannot be placed anywhere: the row is rejected."""
    raw = partial(column_or_null, checks.rows)
    checks.reject(
        pc.equal(pc.fill_null(student, ""), ""),
        "Student ID",
        "missing_required",
        lambda _: "Student ID is empty",
    )
    checks.reject(
        pc.greater(pc.utf8_length(student), 255),
        "Student ID",
        "too_long",
        lambda _: "Student ID is longer than 255 characters",
    )
    for name, parsed in (("Completion Date", completed), ("Start Date", started)):
        checks.reject(
            unreadable(raw(name), parsed),
            name,
            "bad_date",
            lambda value, name=name: f"{name} {value!r} is not a date (expected M/D/YYYY)",
        )
    checks.reject(
        pc.is_null(completed), "Completion Date", "missing_required", lambda _: "Completion Date is empty"
    )
    checks.reject(
        unreadable(raw("Overall Scale Score"), scale),
        "Overall Scale Score",
        "not_a_number",
        lambda value: f"Overall Scale Score {value!r} is not a number on i-Ready's scale (100 to 800)",
    )
    checks.reject(
        pc.is_null(scale), "Overall Scale Score", "missing_required", lambda _: "Overall Scale Score is empty"
    )
    checks.reject(
        pc.greater(pc.utf8_length(raw("Overall Placement")), 64),
        "Overall Placement",
        "too_long",
        lambda value: "Overall Placement is longer than 64 characters",
    )


def _plausible(checks: RowChecks, completed: Column) -> Column:
    """Completion dates no i-Ready test can have (before 2010, or weeks from now) are rejected."""
    latest = date.today() + LATEST_TEST_AHEAD
    wrong = pc.or_(pc.less(completed, EARLIEST_TEST), pc.greater(completed, latest))
    checks.reject(
        wrong,
        "Completion Date",
        "implausible_date",
        lambda value: f"Completion Date {value!r} is not inside a school year the export can hold",
    )
    return pc.if_else(pc.fill_null(wrong, False), pa.scalar(None, pa.date32()), completed)


def _latest_of_each_test(checks: RowChecks, source_id: Column) -> Column:
    """Keep one row per test: the same test in two files (a re-export, a year folder) is read last-wins."""
    kept = checks.kept
    order = pa.table({"source_id": source_id, "row": np.arange(len(source_id))}).filter(kept)
    last = order.group_by("source_id").aggregate([("row", "max")]).column("row_max").to_numpy()
    latest = np.zeros(len(source_id), dtype=bool)
    latest[last] = True
    checks.warn(
        pc.and_(kept, pa.array(~latest)),
        "Student ID",
        "duplicate_test",
        "the same test (student, subject, dates) appears again further on; the later row is kept",
    )
    return pc.and_(kept, pa.array(latest))


def _district_columns(rows: pa.Table) -> dict[str, Column]:
    return {
        name: rows.column(name)
        for name in rows.column_names
        if not name.startswith("_") and vendor_name(name) is None
    }


def _iso(dates: Column) -> Column:
    return pc.cast(dates, pa.string())


def _window_of(dates: Column, school_year: Column) -> Column:
    month_day = pc.add(pc.multiply(pc.month(dates), 100), pc.day(dates))
    summer = pc.and_(pc.greater_equal(pc.month(dates), 7), pc.equal(pc.year(dates), school_year))
    winter = pc.or_(pc.greater_equal(month_day, 1116), pc.less_equal(month_day, 301))
    spring = pc.less_equal(month_day, 630)
    return pc.if_else(summer, "summer", pc.if_else(winter, "winter", pc.if_else(spring, "spring", "fall")))
