"""MTSS tiers from the test of record, and each school's tier distribution beside the healthy ranges.

A tier is a statement about one student, subject and window, so it comes from exactly one test: the test
of record, and where a student took both vendors' tests in a window, the vendor first in the district's
precedence. The basis says which test and which number, so a teacher can check the decision.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics._arrow import NULL_TEXT, concat
from hub.model import conform
from hub.tutoring._arrow import pick_first
from hub.tutoring._labels import (
    SUBJECT_LABELS,
    VENDOR_LABELS,
    WINDOW_ORDER,
    relabel,
    school_year_text,
    whole_number_text,
    window_rank,
)
from hub.tutoring.policy import TutoringPolicy

# The labels and pick_first stay importable from here for the reports and the dosage/pulse/impact steps.
__all__ = [
    "SUBJECT_LABELS",
    "VENDOR_LABELS",
    "WINDOW_ORDER",
    "assign_tiers",
    "pick_first",
    "relabel",
    "school_year_text",
    "tier_distribution",
    "whole_number_text",
    "window_rank",
]

RESULT_COLUMNS = [
    "source_id",
    "vendor",
    "person_source_id",
    "subject",
    "school_year",
    "window",
    "test_date",
    "student_grade",
    "scale_score",
    "percentile",
    "placement",
    "grade_levels_below",
]
DISTRIBUTION_KEYS = ["school_source_id", "grade", "subject", "school_year", "window"]
COUNTED = "students"  # in rows counted in SQL: how many students a (keys, tier) row stands for
TIER_KEYS = ["person_source_id", "subject", "school_year", "window"]


def tier_by_rule(results: pa.Table, policy: TutoringPolicy) -> pa.Array:
    """Each test's tier by the policy's cut points alone (null for a vendor without one)."""
    below = results.column("grade_levels_below")
    iready = pc.if_else(
        pc.greater_equal(below, policy.iready_tier3_levels_below),
        3,
        pc.if_else(pc.greater_equal(below, policy.iready_tier2_levels_below), 2, 1),
    )
    percentile = results.column("percentile")
    nwea_map = pc.if_else(
        pc.greater_equal(percentile, policy.map_tier1_min_percentile),
        1,
        pc.if_else(pc.greater_equal(percentile, policy.map_tier2_min_percentile), 2, 3),
    )
    vendor = results.column("vendor")
    none = pa.scalar(None, pa.int64())
    return pc.if_else(
        pc.equal(vendor, "iready"), iready, pc.if_else(pc.equal(vendor, "nwea_map"), nwea_map, none)
    )


def _basis(chosen: pa.Table) -> pa.Array:
    """ "i-Ready Math 2025-26 fall: 2 Grade Levels Below (scale 431) -> Tier 3" (no names, no ids)."""
    below = chosen.column("grade_levels_below")
    levels = pc.binary_join_element_wise(pc.cast(below, pa.string()), "grade level(s) below", " ")
    iready_measure = pc.coalesce(chosen.column("placement"), levels)
    map_measure = pc.binary_join_element_wise(
        "percentile", pc.cast(chosen.column("percentile"), pa.string()), " "
    )
    measure = pc.if_else(pc.equal(chosen.column("vendor"), "iready"), iready_measure, map_measure)
    return concat(
        relabel(chosen.column("vendor"), VENDOR_LABELS),
        " ",
        relabel(chosen.column("subject"), SUBJECT_LABELS),
        " ",
        school_year_text(chosen.column("school_year")),
        " ",
        chosen.column("window"),
        ": ",
        measure,
        " (scale ",
        whole_number_text(chosen.column("scale_score")),
        ") -> Tier ",
        pc.cast(chosen.column("tier"), pa.string()),
    )


def _deciding_tests(results: pa.Table, policy: TutoringPolicy) -> pa.Table:
    """The test that decides each tier, with the tier, in key order: of the matched tests of record with
    a tier by the rule, the vendor first in precedence, then the latest. One copy of the usable rows."""
    tier = tier_by_rule(results, policy)
    usable = pc.and_(
        pc.and_(pc.fill_null(results.column("is_test_of_record"), False), pc.is_valid(tier)),
        pc.and_(
            pc.is_valid(results.column("person_source_id")),
            pc.is_in(results.column("vendor"), value_set=pa.array(policy.vendor_precedence)),
        ),
    )
    tested = results.select(RESULT_COLUMNS).append_column("tier", tier).filter(usable)
    tested = tested.append_column(
        "vendor_rank", pc.index_in(tested.column("vendor"), value_set=pa.array(policy.vendor_precedence))
    )
    return pick_first(
        tested,
        TIER_KEYS,
        [(key, "ascending") for key in TIER_KEYS]
        + [("vendor_rank", "ascending"), ("test_date", "descending"), ("source_id", "ascending")],
    )


def assign_tiers(results: pa.Table, students: pa.Table, policy: TutoringPolicy) -> pa.Table:
    """Tier 1/2/3 per student, subject and window, in the ``tier_assignment`` schema.

    ``results`` are assessment_result rows; only matched tests of record count. ``students`` are person
    rows: they give the school, and the grade where the test did not record one.
    """
    chosen = _deciding_tests(results, policy)
    # A lookup, not a join, keeps the rows in key order.
    person = pc.index_in(chosen.column("person_source_id"), value_set=students.column("source_id"))
    school = students.column("primary_school_source_id").take(person)
    grade = pc.coalesce(chosen.column("student_grade"), students.column("grade").take(person))
    tier_ids = pc.binary_join_element_wise(
        *(pc.cast(chosen.column(key), pa.string()) for key in TIER_KEYS), ":"
    )
    return conform(
        "tier_assignment",
        pa.table(
            {
                "source_id": tier_ids,
                "person_source_id": chosen.column("person_source_id"),
                "school_source_id": school,
                "grade": grade,
                "subject": chosen.column("subject"),
                "school_year": chosen.column("school_year"),
                "window": chosen.column("window"),
                "tier": chosen.column("tier"),
                "result_source_id": chosen.column("source_id"),
                "basis": _basis(chosen),
            }
        ),
    )


def tier_distribution(tiers: pa.Table, policy: TutoringPolicy) -> pa.Table:
    """Per school x grade x subject x window: counts and shares per tier beside the healthy ranges.

    ``inverted_pyramid`` is set when Tier 2 + Tier 3 exceed the policy's share: then more students need
    help than intervention can carry, and core (Tier 1) instruction is where to look first.

    ``tiers`` holds tier_assignment rows, or rows already counted in SQL: then a ``students`` column says
    how many students each row stands for (a kept night counts instead of reading every assignment).
    """
    tier = tiers.column("tier")
    weight = tiers.column(COUNTED) if COUNTED in tiers.column_names else None
    counted = tiers.select(DISTRIBUTION_KEYS)
    for level in (1, 2, 3):
        ones = pc.cast(pc.equal(tier, level), pa.int64())
        counted = counted.append_column(f"tier{level}", ones if weight is None else pc.multiply(ones, weight))
    sums = counted.group_by(DISTRIBUTION_KEYS).aggregate([(f"tier{level}", "sum") for level in (1, 2, 3)])
    sums = sums.rename_columns([name.removesuffix("_sum") for name in sums.column_names]).sort_by(
        [(key, "ascending") for key in DISTRIBUTION_KEYS]
    )
    students = pc.add(pc.add(sums.column("tier1"), sums.column("tier2")), sums.column("tier3"))
    columns = {key: sums.column(key) for key in DISTRIBUTION_KEYS} | {"students": students}
    ranges = {1: policy.tier1_healthy, 2: policy.tier2_healthy, 3: policy.tier3_healthy}
    for level, healthy in ranges.items():
        count = sums.column(f"tier{level}")
        share = pc.divide(pc.multiply(pc.cast(count, pa.float64()), 100.0), pc.cast(students, pa.float64()))
        columns[f"tier{level}"] = count
        columns[f"tier{level}_percent"] = share
        columns[f"tier{level}_healthy"] = pa.array([healthy.text()] * sums.num_rows, pa.string())
        columns[f"tier{level}_in_range"] = pc.and_(
            pc.greater_equal(share, healthy.low), pc.less_equal(share, healthy.high)
        )
    above = pc.add(sums.column("tier2"), sums.column("tier3"))
    # Integer comparison, so that exactly the limit (1 of 4 at 25 %) never flags through rounding.
    inverted = pc.greater(
        pc.multiply(pc.cast(above, pa.float64()), 100.0),
        pc.multiply(pc.cast(students, pa.float64()), policy.inverted_pyramid_percent),
    )
    above_share = pc.round(
        pc.divide(pc.multiply(pc.cast(above, pa.float64()), 100.0), pc.cast(students, pa.float64())), 1
    )
    note = concat(
        "Tier 2 + Tier 3: ",
        pc.cast(above, pa.string()),
        " of ",
        pc.cast(students, pa.string()),
        " students (",
        pc.cast(above_share, pa.string()),
        f" %), above {policy.inverted_pyramid_percent:g} %: strengthen core (Tier 1) instruction "
        "before adding intervention",
    )
    columns["inverted_pyramid"] = inverted
    columns["inverted_pyramid_note"] = pc.if_else(inverted, note, NULL_TEXT)
    return pa.table(columns)
