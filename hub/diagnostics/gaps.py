"""Skill gaps: which canonical domains a student is behind in, read from the test of record.

Vendors say "behind" two ways. i-Ready places each domain relative to the student's grade
(``grade_levels_below``: 0 on or above, 3 for three or more); MAP Growth gives each goal a normative
adjective (Low, LoAvg, Avg, HiAvg, High). ``GapThresholds`` turns either into a severity from 1 to 3.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics._arrow import (
    NULL_TEXT,
    concat,
    first_per_group,
    join_present,
    number_text,
    require_columns,
    row_numbers,
)
from hub.diagnostics.config import GapThresholds
from hub.model import conform
from hub.skills import DOMAINS

VENDOR_LABELS = {"iready": "i-Ready", "nwea_map": "NWEA MAP Growth"}
"""How evidence names a vendor; any other vendor is named by its key."""

LEVELS_BELOW = pa.array(
    ["on grade level", "1 grade level below", "2 grade levels below", "3 or more grade levels below"]
)
DOMAIN_ORDER = pa.array([domain for domains in DOMAINS.values() for domain in domains])
WINDOW_KEYS = ["person_source_id", "subject", "school_year", "window"]
GAP_KEYS = [*WINDOW_KEYS, "canonical_domain"]
NULL_SEVERITY = pa.scalar(None, pa.int64())
RESULT_COLUMNS = ["source_id", "vendor", *WINDOW_KEYS, "test_date", "is_test_of_record"]
DOMAIN_COLUMNS = [
    "result_source_id",
    "vendor_domain",
    "canonical_domain",
    "scale_score",
    "placement",
    "grade_levels_below",
    "goal_adjective",
    "range_text",
]


def skill_gaps(results: pa.Table, domains: pa.Table, thresholds: GapThresholds | None = None) -> pa.Table:
    """One ``skill_gap`` row per matched student, subject, canonical domain and window that is behind.

    Only tests of record count (run ``mark_test_of_record`` first) and only domains mapped to a
    canonical domain. Where two vendor domains (or two vendors) land on the same canonical domain in one
    window, the most severe wins, then the more recent test, then the lower score. ``source_id`` is
    ``person:subject:domain:school_year:window``; ``evidence`` names vendor, domain, placement or
    adjective and score, never the student.
    """
    thresholds = thresholds or GapThresholds()
    require_columns(results, RESULT_COLUMNS, "assessment_result")
    require_columns(domains, DOMAIN_COLUMNS, "domain_result")
    of_record = results.filter(
        pc.and_(
            pc.fill_null(results.column("is_test_of_record"), False), pc.is_valid(results["person_source_id"])
        )
    )
    tests = of_record.select(["source_id", "vendor", *WINDOW_KEYS, "test_date"]).rename_columns(
        ["result_source_id", "vendor", *WINDOW_KEYS, "test_date"]
    )
    mapped = domains.filter(pc.is_valid(domains.column("canonical_domain"))).select(DOMAIN_COLUMNS)
    joined = mapped.join(tests, keys="result_source_id", join_type="inner")
    by_placement = _placement_severity(joined.column("grade_levels_below"), thresholds.min_grade_levels_below)
    by_adjective = _adjective_severity(joined.column("goal_adjective"), thresholds.adjectives)
    severity = pc.max_element_wise(by_placement, by_adjective, skip_nulls=True)
    behind = pc.is_valid(severity)
    gaps = joined.append_column("severity", severity).filter(behind)
    strongest = first_per_group(
        gaps,
        GAP_KEYS,
        [
            ("severity", "descending"),
            ("test_date", "descending"),
            ("scale_score", "ascending"),
            ("result_source_id", "ascending"),
            ("vendor_domain", "ascending"),
        ],
    )
    gaps = gaps.take(strongest)
    # The sentence is built for the gaps kept only: most domain rows are not gaps, or not the strongest.
    kept_placement = by_placement.filter(behind).take(strongest)
    kept_adjective = by_adjective.filter(behind).take(strongest)
    gaps = gaps.append_column("evidence", _evidence(gaps, kept_placement, kept_adjective))
    # The weakest vendor domain's own score: what ``primary_gap`` breaks ties between equal gaps by.
    gaps = gaps.append_column("domain_score", gaps.column("scale_score"))
    source_id = pc.binary_join_element_wise(
        gaps.column("person_source_id"),
        gaps.column("subject"),
        gaps.column("canonical_domain"),
        gaps.column("school_year").cast(pa.string()),
        gaps.column("window"),
        ":",
    )
    rows = gaps.append_column("source_id", source_id).rename_columns(
        [
            "evidence_result_source_id" if name == "result_source_id" else name
            for name in [*gaps.column_names, "source_id"]
        ]
    )
    return conform("skill_gap", rows).sort_by("source_id")


def primary_gap(gaps: pa.Table, domains: pa.Table | None = None) -> pa.Table:
    """Each student's most severe gap per subject and window: what a tutoring group is built around.

    Ties go to the lower domain score (the gaps' own ``domain_score``, else from ``domains``, the
    domain_result rows behind the gaps), then to the order of ``hub.skills.DOMAINS``, foundational skills
    first.
    """
    require_columns(gaps, [*GAP_KEYS, "severity", "evidence_result_source_id"], "skill_gap")
    order = pc.fill_null(pc.index_in(gaps.column("canonical_domain"), DOMAIN_ORDER), len(DOMAIN_ORDER))
    ranked = gaps.append_column("_order", order).append_column("_score", _domain_scores(gaps, domains))
    chosen = first_per_group(
        ranked,
        WINDOW_KEYS,
        [
            ("severity", "descending"),
            ("_score", "ascending"),
            ("_order", "ascending"),
            ("canonical_domain", "ascending"),
        ],
    )
    return gaps.take(chosen).sort_by("source_id")


def _domain_scores(gaps: pa.Table, domains: pa.Table | None) -> pa.ChunkedArray | pa.Array:
    if domains is None:
        if "domain_score" in gaps.column_names:
            return gaps.column("domain_score")
        return pa.nulls(gaps.num_rows, pa.float64())
    require_columns(domains, ["result_source_id", "canonical_domain", "scale_score"], "domain_result")
    lowest = (
        domains.select(["result_source_id", "canonical_domain", "scale_score"])
        .group_by(["result_source_id", "canonical_domain"])
        .aggregate([("scale_score", "min")])
    )
    keyed = gaps.select(["evidence_result_source_id", "canonical_domain"]).append_column(
        "_row", row_numbers(gaps.num_rows)
    )
    found = keyed.join(
        lowest,
        keys=["evidence_result_source_id", "canonical_domain"],
        right_keys=["result_source_id", "canonical_domain"],
        join_type="left outer",
    ).sort_by("_row")
    return found.column("scale_score_min")


def _placement_severity(levels_below: pa.ChunkedArray, minimum: int) -> pa.Array:
    return pc.if_else(
        pc.greater_equal(levels_below, minimum), pc.min_element_wise(levels_below, 3), NULL_SEVERITY
    )


def _adjective_severity(adjectives: pa.ChunkedArray, severities: dict[str, int]) -> pa.Array:
    names = pa.array([name.strip().lower() for name in severities], pa.string())
    values = pa.array(list(severities.values()), pa.int64())
    position = pc.index_in(pc.utf8_lower(pc.utf8_trim_whitespace(adjectives)), value_set=names)
    return pc.take(values, position)


def _evidence(joined: pa.Table, by_placement: pa.Array, by_adjective: pa.Array) -> pa.Array:
    """E.g. "i-Ready Phonics: 2 grade levels below (placement Grade 1, scale 412)"."""
    vendor = joined.column("vendor")
    labels = pa.array(list(VENDOR_LABELS.values()))
    label = pc.coalesce(pc.take(labels, pc.index_in(vendor, value_set=pa.array(list(VENDOR_LABELS)))), vendor)
    levels = pc.min_element_wise(pc.max_element_wise(joined.column("grade_levels_below"), 0), 3)
    behind = pc.if_else(pc.is_valid(by_placement), pc.take(LEVELS_BELOW, levels), NULL_TEXT)
    adjective = pc.if_else(pc.is_valid(by_adjective), joined.column("goal_adjective"), NULL_TEXT)
    details = join_present(
        [
            concat("placement ", joined.column("placement")),
            concat("range ", joined.column("range_text")),
            concat("scale ", number_text(joined.column("scale_score"))),
        ],
        ", ",
    )
    domain = pc.coalesce(joined.column("vendor_domain"), joined.column("canonical_domain"))
    return concat(
        label,
        " ",
        domain,
        ": ",
        pc.coalesce(join_present([behind, adjective], "; "), ""),
        pc.coalesce(concat(" (", details, ")"), ""),
    )
