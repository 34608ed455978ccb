"""The decision rule and goals of progress monitoring: a district's ``progress:`` settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
"""Points from which a report reads (and draws) the trend line toward the goal (the trend-line rule's
usual minimum: fewer points give a slope too noisy to read, so no page shows one)."""
NO_TREND = f"a trend needs {TREND_POINTS} points"
"""What a report says where a goal's points are too few to read a trend from."""
TREND_BELOW = "no signal from the decision rule, but the trend falls short of the goal: check the plan"
AIM_TOLERANCE = 1e-6
"""A point (or a trend) this close to the aimline (or the goal) is on it: the stored rate per week, not the
rule's per day, rebuilds the aimline here, and may differ from it in the last bit."""
LATEST_BELOW = "no signal yet, and the latest point is below the aimline: watch the next points"


def readable_trend(goal: Mapping[str, Any]) -> float | None:
    """A goal row's rate of improvement where its points are enough to read one, else None (so too for a
    goal stored before goals kept ``trend_at_goal``, until the progress step reads it again)."""
    readable = goal["points"] >= TREND_POINTS and goal["trend_at_goal"] is not None
    return goal["rate_of_improvement"] if readable else None


def signal_words(goal: Mapping[str, Any]) -> str:
    """How a report says one placement's signal (a ``progress_goal`` row). The rule's "on track" means no
    run of points on one side of the aimline; a page says "on track" only where the points agree: with a
    readable trend, the trend line reaches the goal by its date (a slide, or a line as steep as the aimline
    but under it, never does); without one, the latest point is not below the aimline. The signal
    stored, and every decision taken on it, stay the rule's."""
    signal = goal["signal"]
    if signal != ON_TRACK:
        return SIGNAL_WORDS.get(signal, signal)
    rate = readable_trend(goal)
    if rate is not None:
        short = goal["trend_at_goal"] < goal["goal_score"] - AIM_TOLERANCE
        return TREND_BELOW if short else SIGNAL_WORDS[ON_TRACK]
    return LATEST_BELOW if _latest_below(goal) else SIGNAL_WORDS[ON_TRACK]


def is_rule_words(goal: Mapping[str, Any], words: str) -> bool:
    """Whether ``words`` are the rule's own for the goal's signal (which took hold on ``signal_since``)
    rather than a reading of the points that has no such night."""
    return words == SIGNAL_WORDS.get(goal["signal"], goal["signal"])


def _latest_below(goal: Mapping[str, Any]) -> bool:
    latest = goal["latest_score"]
    if latest is None or goal["latest_date"] is None:
        return False
    days = (goal["latest_date"] - goal["baseline_date"]).days
    aim = goal["baseline_score"] + goal["aimline_per_week"] * days / 7
    return latest < aim - AIM_TOLERANCE


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
