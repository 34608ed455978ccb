"""Goals, aimlines and signals from hand-made tables: which measure, which goal, and when a signal dates."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pytest

from hub.model import arrow_schema, conform
from hub.progress import ProgressPolicy, monitor
from hub.progress.trend import least_squares

START, END = date(2025, 10, 6), date(2025, 11, 16)  # a six-week cycle
AS_OF = date(2025, 11, 3)
ENTRY_TEST = "iready:s1:math:fall"


def memberships(**changes: object) -> pa.Table:
    row = {
        "source_id": "m-1",
        "group_source_id": "g-1",
        "person_source_id": "s1",
        "subject": "math",
        "entry_date": START,
        "entry_result_source_id": ENTRY_TEST,
        "entry_evidence": "fall test",
        "exit_date": None,
        "tutored_since": START,
    }
    return conform("group_membership", pa.Table.from_pylist([{**row, **changes}]))


GROUPS = conform(
    "tutoring_group",
    pa.Table.from_pylist(
        [
            {
                "source_id": "g-1",
                "school_source_id": "sch-1",
                "subject": "math",
                "canonical_domain": "geometry",
                "grades": "04",
                "cycle_source_id": "c2",
                "formed_on": START,
            }
        ]
    ),
)
CYCLES = conform(
    "cycle",
    pa.Table.from_pylist(
        [{"source_id": "c2", "school_year": 2026, "sequence": 2, "start_date": START, "end_date": END}]
    ),
)


def point(day: date, score: float, measure: str = "mastery_check", **extra: object) -> dict:
    source = {"mastery_check": "session_log", "iready_scale": "iready"}.get(measure, "progress_csv")
    row = {
        "source_id": f"{measure}:{day}",
        "person_source_id": "s1",
        "subject": "math",
        "canonical_domain": "geometry" if measure == "mastery_check" else None,
        "measure": measure,
        "observed_on": day,
        "score": score,
        "goal_score": None,
        "source": source,
    }
    return {**row, **extra}


def results(typical: float | None = 30.0) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "source_id": ENTRY_TEST,
                "person_source_id": "s1",
                "subject": "math",
                "vendor": "iready",
                "measure": None,
                "test_date": date(2025, 9, 15),
                "scale_score": 420.0,
                "typical_growth": typical,
                "rushed": False,
            }
        ]
    )


def run(
    points: list[dict], previous: pa.Table | None = None, typical: float | None = 30.0, **member: object
) -> list[dict]:
    return monitor(
        memberships(**member),
        GROUPS,
        CYCLES,
        conform("progress_point", pa.Table.from_pylist(points))
        if points
        else arrow_schema("progress_point").empty_table(),
        results(typical),
        previous if previous is not None else arrow_schema("progress_goal").empty_table(),
        ProgressPolicy(),
        AS_OF,
    ).to_pylist()


def checks(scores: list[float]) -> list[dict]:
    return [point(START + timedelta(days=2 * n), score) for n, score in enumerate(scores)]


def test_the_districts_measure_with_a_goal_comes_before_the_mastery_checks() -> None:
    probes = [
        point(START + timedelta(days=7 * n), 40 + 2 * n, "orf_wcpm", canonical_domain=None) for n in range(4)
    ]
    probes[-1]["goal_score"] = 60.0
    (goal,) = run(checks([50, 60, 70]) + probes)
    assert (goal["measure"], goal["goal_score"], goal["goal_basis"]) == (
        "orf_wcpm",
        60.0,
        "the district's goal on orf_wcpm: 60",
    )
    assert (goal["baseline_score"], goal["points"], goal["signal"]) == (40.0, 4, "too_few_points")


def test_without_a_districts_goal_the_mastery_checks_are_the_measure() -> None:
    probes = [point(START, 40, "orf_wcpm", canonical_domain=None)]
    (goal,) = run(checks([40, 50, 60, 70, 80]) + probes)
    assert goal["measure"] == "mastery_check" and goal["goal_score"] == 80.0
    assert goal["goal_basis"] == "Geometry mastery checks at 80 % correct (grade-level mastery) by 2025-11-16"


def test_a_student_past_mastery_at_the_baseline_holds_it_and_a_slide_is_not_on_track() -> None:
    (goal,) = run(checks([100, 90, 70, 60, 60, 60]))
    assert (goal["baseline_score"], goal["goal_score"], goal["aimline_per_week"]) == (100.0, 100.0, 0.0)
    assert goal["signal"] == "adjust"


def test_without_points_the_diagnostic_scale_and_typical_growth_prorated() -> None:
    entry = point(date(2025, 9, 15), 420.0, "iready_scale", source_id=f"diagnostic:{ENTRY_TEST}")
    (goal,) = run([entry])
    weeks = (END - date(2025, 9, 15)).days / 7
    assert goal["measure"] == "iready_scale" and goal["baseline_score"] == 420.0
    assert goal["goal_score"] == pytest.approx(420.0 + 30.0 * weeks / 30)
    assert goal["goal_basis"].startswith("i-Ready typical growth (30 a year) prorated to 9 weeks")
    (flat,) = run([entry], typical=None)
    assert flat["goal_score"] == 420.0 and "gave no typical growth" in flat["goal_basis"]


def test_the_signal_keeps_its_date_while_it_holds() -> None:
    below = checks([40, 40, 40, 40, 40])  # the aimline climbs to 80: four points under it
    (first,) = run(below)
    assert (first["signal"], first["signal_since"]) == ("adjust", AS_OF)
    earlier = date(2025, 10, 30)
    previous = conform("progress_goal", pa.Table.from_pylist([{**first, "signal_since": earlier}]))
    (again,) = run(below, previous)
    assert again["signal_since"] == earlier
    (changed,) = run(checks([40, 90, 95, 100, 100]), previous)
    assert (changed["signal"], changed["signal_since"]) == ("raise_goal", AS_OF)


def test_a_closed_placement_is_not_judged_again() -> None:
    assert run(checks([40, 50, 60, 70, 80]), exit_date=date(2025, 10, 20)) == []


def test_least_squares_slope_per_week_and_value_on_a_day_of_each_series() -> None:
    # four series side by side: a line, one point, every point on one day, a falling line
    days = np.array([0, 7, 14, 21, 3, 4, 4, 100, 107])
    scores = np.concatenate([2.0 * days[:4] / 7 + 5, [3.0, 1.0, 2.0, 9.0, 8.0]])
    trend = least_squares(days, scores, np.array([4, 1, 2, 2]), at=np.array([70, 9, 9, 121]))
    assert trend.per_week[0] == pytest.approx(2.0) and trend.per_week[3] == pytest.approx(-1.0)
    assert trend.value_at[0] == pytest.approx(25.0) and trend.value_at[3] == pytest.approx(6.0)
    assert np.isnan(trend.per_week[1:3]).all() and np.isnan(trend.value_at[1:3]).all()


def test_a_summer_night_reads_the_last_cycle_begun() -> None:
    summer = monitor(
        memberships(),
        GROUPS,
        CYCLES,
        conform("progress_point", pa.Table.from_pylist(checks([40, 50, 60, 70, 80]))),
        results(),
        arrow_schema("progress_goal").empty_table(),
        ProgressPolicy(),
        END + timedelta(days=40),
    ).to_pylist()
    assert [(row["cycle_source_id"], row["goal_date"], row["points"]) for row in summer] == [("c2", END, 5)]
