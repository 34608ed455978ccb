"""MTSS tiers: every cut point of both vendors, precedence, the basis, and the distribution's pyramid flag."""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
import pytest
from pydantic import ValidationError

from hub.tutoring import TutoringPolicy, assign_tiers, tier_distribution
from hub.tutoring.tiers import COUNTED, DISTRIBUTION_KEYS
from tests.hub.tutoring.conftest import DEFAULT_POLICY, result_row, roster, table, tier_row

STUDENTS = roster(("stu-1", "03", "sch-a"), ("stu-2", "04", "sch-a"), ("stu-3", "05", "sch-b"))


def result(person: str | None, vendor: str, **fields: Any) -> dict[str, Any]:
    """One matched test of record (i-Ready math, fall 2025-26) unless ``fields`` say otherwise."""
    source_id = f"{vendor}-{person}-{fields.get('subject', 'math')}-{fields.get('window', 'fall')}"
    return result_row(person, source_id=source_id, vendor=vendor, test_date=date(2025, 9, 15), **fields)


def tiers_of(rows: list[dict[str, Any]], policy: TutoringPolicy = DEFAULT_POLICY) -> pa.Table:
    return assign_tiers(table("assessment_result", rows), STUDENTS, policy)


@pytest.mark.parametrize(("levels_below", "tier"), [(0, 1), (1, 2), (2, 3), (3, 3)])
def test_iready_grade_levels_below_cut_points(levels_below: int, tier: int) -> None:
    tiers = tiers_of([result("stu-1", "iready", grade_levels_below=levels_below, scale_score=450.0)])
    assert tiers.column("tier").to_pylist() == [tier]


@pytest.mark.parametrize(("percentile", "tier"), [(99, 1), (40, 1), (39, 2), (20, 2), (19, 3), (1, 3)])
def test_map_percentile_cut_points(percentile: int, tier: int) -> None:
    tiers = tiers_of([result("stu-1", "nwea_map", percentile=percentile, scale_score=200.0)])
    assert tiers.column("tier").to_pylist() == [tier]


def test_cut_points_follow_the_district_policy() -> None:
    strict = TutoringPolicy(
        map_tier1_min_percentile=50, map_tier2_min_percentile=25, iready_tier3_levels_below=3
    )
    tiers = tiers_of(
        [
            result("stu-1", "nwea_map", percentile=45, subject="ela"),
            result("stu-2", "nwea_map", percentile=24, subject="ela"),
            result("stu-3", "iready", grade_levels_below=2),
        ],
        strict,
    )
    assert dict(zip(tiers["person_source_id"].to_pylist(), tiers["tier"].to_pylist(), strict=True)) == {
        "stu-1": 2,
        "stu-2": 3,
        "stu-3": 2,
    }


def test_both_vendors_in_one_window_follow_the_precedence() -> None:
    rows = [
        result("stu-1", "nwea_map", percentile=55, scale_score=210.0),
        result("stu-1", "iready", grade_levels_below=2, placement="2 Grade Levels Below", scale_score=431.0),
    ]
    by_default = tiers_of(rows)
    assert by_default.num_rows == 1
    assert by_default.column("tier").to_pylist() == [3]
    assert by_default.column("result_source_id").to_pylist() == ["iready-stu-1-math-fall"]

    map_first = tiers_of(rows, TutoringPolicy(vendor_precedence=("nwea_map", "iready")))
    assert map_first.column("tier").to_pylist() == [1]
    assert map_first.column("basis").to_pylist() == [
        "NWEA MAP Growth Math 2025-26 fall: percentile 55 (scale 210) -> Tier 1"
    ]


def test_basis_names_vendor_subject_window_measure_and_score_but_no_student() -> None:
    tiers = tiers_of(
        [
            result(
                "stu-1", "iready", grade_levels_below=2, placement="2 Grade Levels Below", scale_score=431.0
            ),
            result("stu-2", "iready", subject="ela", grade_levels_below=1, scale_score=480.4),
            result("stu-3", "nwea_map", subject="ela", window="winter", percentile=35, scale_score=201.0),
        ]
    )
    assert tiers.column("basis").to_pylist() == [
        "i-Ready Math 2025-26 fall: 2 Grade Levels Below (scale 431) -> Tier 3",
        "i-Ready ELA 2025-26 fall: 1 grade level(s) below (scale 480) -> Tier 2",
        "NWEA MAP Growth ELA 2025-26 winter: percentile 35 (scale 201) -> Tier 2",
    ]
    assert not any("stu-" in basis for basis in tiers.column("basis").to_pylist())


def test_only_matched_tests_of_record_with_a_measure_count() -> None:
    tiers = tiers_of(
        [
            result("stu-1", "iready", grade_levels_below=1, is_test_of_record=False),
            result(None, "iready", grade_levels_below=2),
            result("stu-2", "iready", grade_levels_below=None),
            result("stu-3", "star", percentile=5),
            result("stu-3", "nwea_map", percentile=5),
        ]
    )
    assert tiers.column("person_source_id").to_pylist() == ["stu-3"]
    assert tiers.column("source_id").to_pylist() == ["stu-3:math:2026:fall"]


def test_school_from_the_roster_and_grade_from_the_test_when_it_has_one() -> None:
    tiers = tiers_of(
        [
            result("stu-1", "iready", grade_levels_below=0, student_grade="02"),
            result("stu-3", "iready", grade_levels_below=0),
        ]
    )
    assert tiers.select(["school_source_id", "grade"]).to_pylist() == [
        {"school_source_id": "sch-a", "grade": "02"},
        {"school_source_id": "sch-b", "grade": "05"},
    ]


def tier_rows(counts: dict[int, int], school: str = "sch-a", grade: str = "03") -> list[dict[str, Any]]:
    return [
        tier_row(
            person,
            tier=tier,
            school_source_id=school,
            grade=grade,
            result_source_id=f"r-{person}",
            basis="hand-built",
        )
        for tier, count in counts.items()
        for person in (f"{school}-{grade}-t{tier}-{n}" for n in range(count))
    ]


def distribution(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return tier_distribution(table("tier_assignment", rows), DEFAULT_POLICY).to_pylist()


def test_distribution_counts_shares_and_healthy_ranges() -> None:
    [row] = distribution(tier_rows({1: 80, 2: 15, 3: 5}))
    assert (row["students"], row["tier1"], row["tier2"], row["tier3"]) == (100, 80, 15, 5)
    assert (row["tier1_percent"], row["tier2_percent"], row["tier3_percent"]) == (80.0, 15.0, 5.0)
    assert (row["tier1_healthy"], row["tier2_healthy"], row["tier3_healthy"]) == (
        "75-85 %",
        "10-15 %",
        "3-5 %",
    )
    assert row["tier1_in_range"] and row["tier2_in_range"] and row["tier3_in_range"]
    assert row["inverted_pyramid"] is False
    assert row["inverted_pyramid_note"] is None


def test_inverted_pyramid_is_off_at_exactly_25_percent_and_on_above() -> None:
    [at_edge] = distribution(tier_rows({1: 75, 2: 20, 3: 5}))
    [above] = distribution(tier_rows({1: 74, 2: 20, 3: 6}))
    [quarter] = distribution(tier_rows({1: 3, 3: 1}))
    assert at_edge["inverted_pyramid"] is False
    assert quarter["inverted_pyramid"] is False
    assert above["inverted_pyramid"] is True
    assert above["tier3_in_range"] is False
    assert "26 of 100 students" in above["inverted_pyramid_note"]
    assert "above 25 %" in above["inverted_pyramid_note"]


def test_distribution_is_per_school_grade_and_subject() -> None:
    rows = distribution(tier_rows({1: 1, 2: 1}, "sch-a", "03") + tier_rows({1: 4}, "sch-a", "04"))
    rows += distribution(tier_rows({3: 2}, "sch-b", "03"))
    summary = [(r["school_source_id"], r["grade"], r["students"], r["inverted_pyramid"]) for r in rows]
    assert summary == [("sch-a", "03", 2, True), ("sch-a", "04", 4, False), ("sch-b", "03", 2, True)]


def test_rows_counted_beforehand_give_the_pyramid_the_rows_give() -> None:
    rows = table(
        "tier_assignment", tier_rows({1: 74, 2: 20, 3: 6}, "sch-a", "03") + tier_rows({2: 3}, "sch-b")
    )
    keys = [*DISTRIBUTION_KEYS, "tier"]
    counted = rows.group_by(keys).aggregate([("tier", "count")]).rename_columns([*keys, COUNTED])

    assert tier_distribution(counted, DEFAULT_POLICY).equals(tier_distribution(rows, DEFAULT_POLICY))


@pytest.mark.parametrize(
    "settings",
    [
        {"iready_tier2_levels_below": 2, "iready_tier3_levels_below": 2},
        {"map_tier1_min_percentile": 20, "map_tier2_min_percentile": 30},
        {"vendor_precedence": ("iready", "iready")},
        {"vendor_precedence": ("star",)},
        {"max_group_size": 7},
        {"min_group_size": 5, "max_group_size": 4},
        {"cycle_weeks": 5},
        {"entry_tiers": (4,)},
        {"tier1_healthy": {"low": 90, "high": 80}},
    ],
)
def test_policy_refuses_inconsistent_thresholds(settings: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        TutoringPolicy(**settings)
