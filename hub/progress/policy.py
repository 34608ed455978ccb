"""The decision rule and goals of progress monitoring: a district's ``progress:`` settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

ON_TRACK, ADJUST, RAISE_GOAL, TOO_FEW_POINTS = "on_track", "adjust", "raise_goal", "too_few_points"
SIGNALS = (ON_TRACK, ADJUST, RAISE_GOAL, TOO_FEW_POINTS)
"""The rule's verdicts: the vocabulary ``progress_goal.signal`` and every report speak."""

SIGNAL_WORDS = {
    ON_TRACK: "on track",
    ADJUST: "adjust the plan",
    RAISE_GOAL: "raise the goal or consider exit",
    TOO_FEW_POINTS: "too few points yet",
}
"""How a report says each signal (``signal_words`` words a placement's)."""
TREND_POINTS = 8
"""Points from which a report reads the trend line against the aimline (the trend-line rule's usual
minimum: fewer points give a slope too noisy to read)."""
TREND_BELOW = "no four-point signal, but the trend runs below the aimline: check the plan"


def signal_words(signal: str, points: int, rate: float | None, aimline: float) -> str:
    """How a report says one placement's signal. The rule's "on track" means no run of points on one
    side of the aimline; where enough points give a trend flatter than the aimline, the page says so, so
    that a slide (a student at 40 % whose line falls week on week) is never read as on track. The signal
    stored, and every decision taken on it, stay the rule's."""
    if signal == ON_TRACK and rate is not None and points >= TREND_POINTS and rate < aimline:
        return TREND_BELOW
    return SIGNAL_WORDS.get(signal, signal)


class ProgressPolicy(BaseModel):
    """How progress is judged between diagnostics (hub.yaml ``progress:`` per district)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    consecutive_points: int = Field(
        default=4,
        ge=2,
        le=20,
        description="the decision rule: this many consecutive points below the aimline -> adjust, above it "
        "-> raise the goal or consider exit; fewer points since the baseline -> too few points",
    )
    mastery_goal_percent: float = Field(
        default=80,
        gt=0,
        le=100,
        description="goal of a placement monitored by the tutors' mastery checks: this percent correct on "
        "the targeted skill (grade-level mastery) by the end of the cycle",
    )
    typical_growth_weeks: float = Field(
        default=30,
        gt=0,
        description="instructional weeks the vendor's annual typical growth is spread over, to prorate it "
        "to a cycle (a goal on the diagnostic's scale)",
    )
