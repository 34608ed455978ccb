"""How a district wants its diagnostics read: the defaults, and what hub.yaml may override."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_ID_PRECEDENCE = ("sis_id", "sourced_id", "state_id", "username")
"""Strongest id first: an SIS id is assigned once per student, a username is the likeliest to be reused."""

Severity = Annotated[int, Field(ge=1, le=3)]


class GapThresholds(BaseModel):
    """When a domain result counts as a skill gap, and how severe (1 mild .. 3)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_grade_levels_below: int = Field(
        default=1,
        ge=1,
        le=3,
        description="relative placement at least this many grade levels below is a gap (severity = levels, "
        "at most 3)",
    )
    adjectives: dict[str, Severity] = Field(
        default_factory=lambda: {"Low": 3, "LoAvg": 2},
        description="goal adjective -> severity; compared without regard to case",
    )


class DiagnosticsPolicy(BaseModel):
    """A district's diagnostics settings (hub.yaml ``diagnostics:``); every field has a working default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_match_rate: float = Field(
        default=0.95, ge=0.0, le=1.0, description="share of a file's results that must match the roster"
    )
    id_precedence: tuple[str, ...] = Field(
        default=DEFAULT_ID_PRECEDENCE,
        min_length=1,
        description="person_identifier id types to match vendor student ids against, strongest first",
    )
    rapid_guessing_threshold: float = Field(
        default=30.0,
        gt=0.0,
        le=100.0,
        description="a test with at least this percent of rapid guesses is treated as rushed",
    )
    gap_thresholds: GapThresholds = Field(default_factory=GapThresholds)

    @field_validator("id_precedence")
    @classmethod
    def _distinct_id_types(cls, id_types: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({id_type for id_type in id_types if id_types.count(id_type) > 1})
        if repeated:
            raise ValueError(f"each id type may appear once; repeated: {repeated}")
        if any(not id_type.strip() for id_type in id_types):
            raise ValueError("id types must not be blank")
        return id_types
