"""A district's tutoring thresholds: one validated model, so hub.yaml can change any of them safely.

Defaults follow the research the hub is built on: MTSS cut points as district MTSS pages usually set them,
groups of at most four (NSSA), 6-8 week progress-monitoring cycles, exit on grade level or on the vendor's
typical growth, and a review after three cycles so that nobody stays in tutoring without a person
looking at the evidence. A review is a decision for people: the student stays unless the district says
``review_action: exit``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.tutoring.errors import TutoringError

# TutoringError stays importable from here, where the other tutoring steps have always found it.
__all__ = ["GOAL_ADJECTIVES", "HealthyRange", "TutoringError", "TutoringPolicy"]

TieredVendor = Literal["iready", "nwea_map"]
"""Vendors with a tier rule: i-Ready places by grade levels below, MAP by national percentile."""
GoalAdjective = Literal["Low", "LoAvg", "Avg", "HiAvg", "High"]
ReviewAction = Literal["continue", "exit"]
GOAL_ADJECTIVES: tuple[str, ...] = ("Low", "LoAvg", "Avg", "HiAvg", "High")
"""MAP goal adjectives from lowest to highest."""


class HealthyRange(BaseModel):
    """A tier's expected share of students, in percent (inclusive)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: float = Field(ge=0, le=100)
    high: float = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> HealthyRange:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self

    def text(self) -> str:
        return f"{self.low:g}-{self.high:g} %"


class TutoringPolicy(BaseModel):
    """Every threshold of the tiering, grouping and exit rules (hub.yaml ``tutoring:`` per district).

    Cycle dates: the school year is the roster's ``schoolYear`` academic session holding the district's
    ``as_of`` date (today unless set; else the latest such session; without one, 1 August to 30 June).
    Cycles of ``cycle_weeks`` weeks follow each other from its first day; a last cycle shorter than two
    weeks joins the one before it. Each cycle boundary decides exits, reviews and entries.

    Tutors: people on the roster with one of ``tutor_roles`` tutor; the ``session_log`` connector's tutors
    list (a CSV with ``tutor_id``, ``subjects``, ``max_groups`` and optional ``schools``) sets what, where
    and how many groups at most for each (a roster tutor it leaves out: every subject, their roster
    schools, ``tutor_max_groups``), and adds tutors the roster does not hold. A continuing group keeps its
    tutor; a new group gets a tutor of its subject at its school first, then one who serves any school,
    while anyone has capacity, and is not formed without one (its students are recorded as not placed); a
    continuing group whose tutor left and found no other is counted as a group without a tutor.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    vendor_precedence: tuple[TieredVendor, ...] = Field(
        default=("iready", "nwea_map"),
        min_length=1,
        description="which vendor's test of record sets the tier when a student has several in one window",
    )
    iready_tier2_levels_below: int = Field(default=1, ge=1, description="i-Ready: this many below -> Tier 2")
    iready_tier3_levels_below: int = Field(
        default=2, ge=2, description="i-Ready: this many or more -> Tier 3"
    )
    map_tier1_min_percentile: int = Field(default=40, ge=1, le=99, description="MAP: at or above -> Tier 1")
    map_tier2_min_percentile: int = Field(default=20, ge=1, le=99, description="MAP: at or above -> Tier 2")

    tier1_healthy: HealthyRange = Field(
        default=HealthyRange(low=75, high=85), description="expected share in Tier 1, shown beside it"
    )
    tier2_healthy: HealthyRange = Field(default=HealthyRange(low=10, high=15), description="in Tier 2")
    tier3_healthy: HealthyRange = Field(default=HealthyRange(low=3, high=5), description="in Tier 3")
    inverted_pyramid_percent: float = Field(
        default=25, ge=0, le=100, description="Tier 2 + Tier 3 above this share flags core instruction"
    )

    entry_tiers: tuple[int, ...] = Field(
        default=(2, 3), min_length=1, description="tiers whose students with a skill gap enter tutoring"
    )
    max_group_size: int = Field(
        default=4, ge=1, le=6, description="students in one group; also the dosage plan's oversized flag"
    )
    min_group_size: int = Field(
        default=2,
        ge=1,
        le=6,
        description="smaller groups borrow students from an adjacent grade, or merge at a boundary",
    )
    max_grade_span: int = Field(
        default=1, ge=0, le=3, description="grades a group may span beyond one (1: adjacent grades)"
    )
    tutor_roles: tuple[str, ...] = Field(
        default=("tutor", "aide"),
        description="roster roles whose people tutor (OneRoster ext:tutor is read as tutor)",
    )
    tutor_max_groups: int = Field(
        default=5, ge=0, le=50, description="groups at once for a roster tutor that tutors.csv leaves out"
    )

    cycle_weeks: int = Field(
        default=6, ge=6, le=8, description="length of a progress-monitoring cycle (see cycle dates above)"
    )
    exit_max_grade_levels_below: int = Field(
        default=0, ge=0, description="domain this close -> on grade level"
    )
    exit_min_goal_adjective: GoalAdjective = Field(
        default="Avg", description="MAP: the targeted goal at this adjective or above -> exit"
    )
    exit_min_percent_progress_typical: float | None = Field(
        default=100, gt=0, description="vendor's typical growth met; null turns the rule off"
    )
    max_cycles: int | None = Field(
        default=3, ge=1, description="cycles in tutoring between reviews; null = never reviewed"
    )
    review_action: ReviewAction = Field(
        default="continue", description="what a review does: the student stays (continue) or exits"
    )
    review_min_attendance_percent: float = Field(
        default=80, ge=0, le=100, description="below this, a review asks for attendance before any change"
    )
    review_on_track_percent_typical: float = Field(
        default=50, ge=0, description="growth at or above this share of typical growth: continue"
    )

    @model_validator(mode="after")
    def _consistent(self) -> TutoringPolicy:
        if self.iready_tier3_levels_below <= self.iready_tier2_levels_below:
            raise ValueError("iready_tier3_levels_below must be greater than iready_tier2_levels_below")
        if self.map_tier2_min_percentile >= self.map_tier1_min_percentile:
            raise ValueError("map_tier2_min_percentile must be below map_tier1_min_percentile")
        if self.min_group_size > self.max_group_size:
            raise ValueError("min_group_size must not exceed max_group_size")
        if not set(self.entry_tiers) <= {1, 2, 3}:
            raise ValueError(f"entry_tiers must be among 1, 2, 3, not {list(self.entry_tiers)}")
        if len(set(self.vendor_precedence)) != len(self.vendor_precedence):
            raise ValueError("vendor_precedence names a vendor twice")
        return self
