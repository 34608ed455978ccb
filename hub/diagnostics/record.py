"""The test of record: which of a student's tests in a window speaks for that window.

Students retest (a rushed first attempt, a make-up, an export that repeats last week's test), yet tiers,
gaps and growth need one score per student, subject and window.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics._arrow import first_per_group, put_column, require_columns, rows_mask, student_columns

WINDOW_KEYS = ["vendor", "_person", "_unmatched_id", "subject", "school_year", "window"]
RESULT_COLUMNS = [
    "source_id",
    "vendor",
    "vendor_student_id",
    "person_source_id",
    "subject",
    "measure",
    "school_year",
    "window",
    "test_date",
]
SECONDARY_MEASURES = ("language usage",)
"""Measures that speak for their subject only when the window holds no test of its main measure: MAP
Language Usage is ELA too, but Reading is the ELA test that tiers, gaps and growth are read from."""


def suspect(results: pa.Table, rapid_guessing_threshold: float) -> pa.ChunkedArray:
    """Tests whose score may not show what the student knows: flagged as rushed by the vendor, or with
    at least ``rapid_guessing_threshold`` percent of answers given as rapid guesses."""
    rushed = pc.fill_null(results.column("rushed"), False)
    guessed = pc.fill_null(
        pc.greater_equal(results.column("rapid_guessing_percent"), rapid_guessing_threshold), False
    )
    return pc.or_(rushed, guessed)


def mark_test_of_record(results: pa.Table, *, rapid_guessing_threshold: float = 30.0) -> pa.Table:
    """Set ``is_test_of_record`` on exactly one test per vendor, student, subject, school year and window.

    The student is the matched person, or the vendor's student id while nobody matches, so an unmatched
    student's tests are settled too and need no second pass when the roster catches up (matching again
    moves the group, so mark again after ``rematch``). Pass every result of the windows concerned: a
    window seen in part can end up with two tests of record.

    The rule, in order, first difference wins:

    1. A valid test beats a suspect one (``rushed``, or rapid guessing at or above the threshold). A
       suspect test is the test of record only when the window holds nothing else.
    2. A test of the subject's main measure beats one of a ``SECONDARY_MEASURES`` (MAP Reading beats
       Language Usage, whatever their dates).
    3. The vendor's own choice beats the rest (``vendor_most_recent``: i-Ready's "Most Recent Diagnostic
       YTD", MAP's ``GrowthMeasureYN``). i-Ready's flag is year-to-date, so an earlier window has no
       flagged test at all and falls through to the next rule.
    4. The latest ``test_date`` (a test with no date comes last).
    5. The greatest ``source_id``, only so that the same input always gives the same answer.
    """
    require_columns(
        results,
        [*RESULT_COLUMNS, "rushed", "rapid_guessing_percent", "vendor_most_recent"],
        "assessment_result",
    )
    person, unmatched_id = student_columns(results)
    ranking = pa.table(
        {
            "vendor": results.column("vendor"),
            "_person": person,
            "_unmatched_id": unmatched_id,
            "subject": results.column("subject"),
            "school_year": results.column("school_year"),
            "window": results.column("window"),
            "_suspect": suspect(results, rapid_guessing_threshold),
            "_secondary": pc.fill_null(
                pc.is_in(pc.utf8_lower(results.column("measure")), pa.array(SECONDARY_MEASURES)), False
            ),
            "_flagged": pc.fill_null(results.column("vendor_most_recent"), False),
            "test_date": results.column("test_date"),
            "source_id": results.column("source_id"),
        }
    )
    order = [
        ("_suspect", "ascending"),
        ("_secondary", "ascending"),
        ("_flagged", "descending"),
        ("test_date", "descending"),
        ("source_id", "descending"),
    ]
    chosen = first_per_group(ranking, WINDOW_KEYS, order)
    return put_column(results, "is_test_of_record", rows_mask(results.num_rows, chosen))


def duplicate_tests(results: pa.Table) -> pa.Table:
    """The same student, measure, window, date and score more than once: an export glitch, not a retest.

    One row per repeated test, with how many ``copies`` and their ``source_ids``; empty when all is well.
    """
    require_columns(results, [*RESULT_COLUMNS, "scale_score"], "assessment_result")
    _, unmatched_id = student_columns(results)
    keys = [
        "vendor",
        "person_source_id",
        "_unmatched_id",
        "subject",
        "measure",
        "school_year",
        "window",
        "test_date",
        "scale_score",
    ]
    tests = results.select([*RESULT_COLUMNS, "scale_score"]).append_column("_unmatched_id", unmatched_id)
    # Sorted and single-threaded so that each list of source_ids comes out in order.
    tests = tests.sort_by("source_id")
    counted = tests.group_by(keys, use_threads=False).aggregate(
        [("source_id", "count"), ("source_id", "list"), ("vendor_student_id", "min")]
    )
    repeated = counted.filter(pc.greater(counted.column("source_id_count"), 1))
    return pa.table(
        {
            "vendor": repeated.column("vendor"),
            "person_source_id": repeated.column("person_source_id"),
            "vendor_student_id": repeated.column("vendor_student_id_min"),
            "subject": repeated.column("subject"),
            "measure": repeated.column("measure"),
            "school_year": repeated.column("school_year"),
            "window": repeated.column("window"),
            "test_date": repeated.column("test_date"),
            "scale_score": repeated.column("scale_score"),
            "copies": repeated.column("source_id_count"),
            "source_ids": repeated.column("source_id_list"),
        }
    ).sort_by([("vendor", "ascending"), ("vendor_student_id", "ascending"), ("test_date", "ascending")])
