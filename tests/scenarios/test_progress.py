"""Progress monitoring with known answers: four students of one group, their mastery checks built against
the aimline, run through sync.

The group forms at the second boundary (the fall tests). Every student's first check, 40 % correct, is the
baseline; the goal is 80 % correct (``progress.mastery_goal_percent``) at the end of the cycle, so the
aimline's value on every session day is known. Then: "on" scores exactly on the aimline (on track, and its
rate of improvement is the aimline's slope), "below" scores 10 under it four times running (adjust),
"above" 10 over it four times running (raise the goal), "few" came to three sessions (too few points).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from sqlalchemy import func, select

from hub.connector import NormalizedBatch, SyncMode
from hub.model import SyncRun, conform
from hub.pipeline.context import DistrictRun
from hub.pipeline.night import run_steps
from hub.plugins import installed
from hub.tutoring import plan_cycles
from testkit.synthetic import calendar
from tests.hub.reports.test_chromium import WIDTHS, cut_off
from tests.scenarios.handbuilt import Tutor, hand_built, write_drop, write_sessions
from tests.scenarios.test_decisions import NO, Night, hub_yaml, instance, memberships_of, pupil, steady

__all__ = ["instance"]  # the module-scoped Dagster instance fixture, shared with the decisions suite

_, C2, C3, *_ = plan_cycles(calendar.year_start(2026), calendar.year_end(2026))["start_date"].to_pylist()
CYCLE_END = C3 - timedelta(days=1)
SESSION_DAYS = [C2 + timedelta(days=offset) for offset in (1, 3, 5, 8, 10, 12)]
BASELINE, GOAL = 40.0, 80.0
OFFSETS = {"on": 0.0, "below": -10.0, "above": 10.0, "few": 0.0}


def aimline(day: date) -> float:
    return BASELINE + (GOAL - BASELINE) * (day - SESSION_DAYS[0]).days / (CYCLE_END - SESSION_DAYS[0]).days


def check(key: str, number: int, day: date) -> str | None:
    """The mastery check ``key`` got at session ``number``: the baseline, then the aimline plus its offset."""
    if key == "few" and number >= 3:
        return None
    score = BASELINE if number == 0 else aimline(day) + OFFSETS[key]
    return f"{score:.6f}%"


@pytest.fixture(scope="module")
def progress(tmp_path_factory: pytest.TempPathFactory, instance: dg.DagsterInstance) -> tuple:
    directory = tmp_path_factory.mktemp("progress")
    pupils = [pupil(key, 0, "04", steady(-1.5), **{NO: steady(-2.5)}) for key in OFFSETS]
    tutors = [Tutor("a", 0)]
    district = hand_built(pupils, tutors, students=40, seed=7)
    write_drop(district, directory / "drop", tutors)
    night = Night(hub_yaml(directory, {"progress": {}}), "progress", instance)
    night.sync(C2 + timedelta(days=1))
    (placed,) = memberships_of(night.read("group_membership"), district.source_id("on"))
    rows = []
    for number, day in enumerate(SESSION_DAYS):
        for key in OFFSETS:
            mastery = check(key, number, day)
            rows.append(
                {
                    "session_id": f"s-{number}",
                    "session_date": day.isoformat(),
                    "minutes": 30,
                    "tutor_id": district.tutor_id("a"),
                    "group_id": placed["group_source_id"],
                    "student_id": district.source_id(key),
                    "attendance": "present" if mastery else "absent",
                    "skills_covered": NO,
                    "mastery_check": mastery,
                }
            )
    write_sessions(directory / "drop", rows)
    night.sync(SESSION_DAYS[-1] + timedelta(days=1))
    first = night.read("progress_goal")
    # nothing new, run as IT would: every signal holds, and so its date
    output = night.sync_command(SESSION_DAYS[-1] + timedelta(days=2))
    assert (
        "progress: 4 placement(s) monitored: 1 on track, 1 adjust the plan, 1 raise the goal or consider "
        "exit, 1 too few points yet; 0 signal(s) changed tonight"
    ) in output
    return district, first, night.read("progress_goal"), night


def goal_of(goals, district, key: str) -> dict:  # type: ignore[no-untyped-def]
    (row,) = goals.filter(pc.equal(goals["person_source_id"], district.source_id(key))).to_pylist()
    return row


@pytest.mark.slow
def test_each_student_gets_the_signal_built_into_their_points(progress: tuple) -> None:
    district, goals, *_ = progress
    signals = {key: goal_of(goals, district, key)["signal"] for key in OFFSETS}
    assert signals == {"on": "on_track", "below": "adjust", "above": "raise_goal", "few": "too_few_points"}
    below = goal_of(goals, district, "below")
    assert "the last 4 points are below the aimline" in below["signal_reason"]
    assert (
        "2 point(s) since the baseline; the rule reads the last 4"
        in goal_of(goals, district, "few")["signal_reason"]
    )


@pytest.mark.slow
def test_goal_aimline_and_rate_of_improvement(progress: tuple) -> None:
    district, goals, *_ = progress
    on = goal_of(goals, district, "on")
    assert (on["measure"], on["baseline_date"], on["baseline_score"]) == (
        "mastery_check",
        SESSION_DAYS[0],
        BASELINE,
    )
    assert (on["goal_score"], on["goal_date"], on["points"]) == (GOAL, CYCLE_END, 6)
    assert on["canonical_domain"] == NO and "80 % correct" in on["goal_basis"]
    weekly = (GOAL - BASELINE) / (CYCLE_END - SESSION_DAYS[0]).days * 7
    assert on["aimline_per_week"] == pytest.approx(weekly)
    assert on["rate_of_improvement"] == pytest.approx(weekly, rel=1e-4)  # on the aimline: its slope
    assert goal_of(goals, district, "few")["points"] == 3
    few = goal_of(goals, district, "few")  # three points on the aimline: its slope again, with n = 3
    assert few["rate_of_improvement"] == pytest.approx(weekly, rel=1e-4)


@pytest.mark.slow
def test_signal_since_holds_while_the_signal_does(progress: tuple) -> None:
    district, first, later, _ = progress
    for key in OFFSETS:
        before, after = goal_of(first, district, key), goal_of(later, district, key)
        assert after["evaluated_on"] == before["evaluated_on"] + timedelta(days=1)
        assert after["signal_since"] == before["signal_since"]
    # the first night, before any check, every placement had too few points; "few" still has
    assert goal_of(later, district, "few")["signal_since"] == C2 + timedelta(days=1)
    assert goal_of(later, district, "below")["signal_since"] == SESSION_DAYS[-1] + timedelta(days=1)


def _tutor_pages(night: Night) -> list[Path]:
    folder = night.hub.district("progress").data_path(night.hub.data_dir) / "reports" / "tutor"
    return sorted(folder.glob("*.html"))


@pytest.mark.slow
def test_the_tutor_report_draws_each_students_points_aimline_and_trend(
    progress: tuple, tmp_path: Path
) -> None:
    *_, night = progress
    (page,) = _tutor_pages(night)
    report = json.loads(page.with_suffix(".json").read_text())
    (section,) = [section for section in report["sections"] if section["key"] == "progress"]
    signals = [row[-1] for row in section["table"]["rows"]]
    assert len(signals) == 4 and sum("adjust the plan since" in text for text in signals) == 1
    assert sum("raise the goal or consider exit since" in text for text in signals) == 1
    charts = section["charts"]
    assert [chart["type"] for chart in charts] == ["ProgressChart"] * 4
    on = next(chart for chart in charts if len(chart["points"]) == 5 and "on track" in chart["description"])
    assert on["baseline"] == [SESSION_DAYS[0].isoformat(), BASELINE] and on["goal"][1] == GOAL
    html = page.read_text()
    assert html.count('<svg class="chart" role="img"') >= 4 and "stroke-dasharray" in html
    assert "Chart as a table: " in html  # each chart's text alternative
    copy = tmp_path / page.name  # the measurement writes its frame beside the page
    copy.write_text(html)
    for width in WIDTHS:
        measured = cut_off(copy, width, tmp_path / "profile")
        assert measured["width"] == width and measured["cut"] == []


@pytest.mark.slow
def test_the_pulse_next_steps_name_the_students_whose_signal_changed(progress: tuple) -> None:
    *_, night = progress
    (page,) = _tutor_pages(night)
    tutor = json.loads(page.with_suffix(".json").read_text())
    (plans,) = [section for section in tutor["sections"] if section["key"] == "plans"]
    steps = [row[2] for row in plans["table"]["rows"] if row[1] == "progress signal changed this week"]
    assert len(steps) == 2  # below and above; "on track" and "too few points" ask nothing of anyone
    assert sum("below the aimline since" in step for step in steps) == 1
    assert sum("above the aimline since" in step for step in steps) == 1
    folder = page.parent.parent / "teacher"
    teacher_steps = [
        row[1]
        for path in folder.glob("*.json")
        for section in json.loads(path.read_text())["sections"]
        if section["key"] == "next_steps"
        for row in section["table"]["rows"]
    ]
    # each student's math teacher hears of their own student only
    assert sum("below the aimline since" in step for step in teacher_steps) >= 1
    assert all(step in steps for step in teacher_steps if "aimline" in step)


def _committed(run: DistrictRun, writer: str) -> int:
    query = select(func.count()).where(SyncRun.connector == writer, SyncRun.outcome == "committed")
    with run.warehouse.engine.connect() as connection:
        return connection.execute(query).scalar_one()


@pytest.mark.slow
def test_an_unchanged_night_keeps_goals_and_packets_and_a_new_point_makes_them_again(
    progress: tuple,
) -> None:
    """Last in the module: it adds a mastery check. The night's date is the last sync's."""
    district, _, later, night = progress
    run = DistrictRun(night.hub, night.hub.district("progress"), installed())
    try:
        goals_written = _committed(run, "progress_monitoring")
        packets_made = run.warehouse.step_record("progress", "review_packets").through_run
        kept = run_steps(run, ["progress_monitoring", "review_packets"])
        assert _committed(run, "progress_monitoring") == goals_written  # nothing judged or written again
        assert run.warehouse.step_record("progress", "review_packets").through_run == packets_made
        assert (kept["progress_monitoring"].placements, kept["progress_monitoring"].changed) == (4, 0)
        assert kept["review_packets"].targets  # the kept packets' targets, their bodies left for the push
        assert night.read("progress_goal").sort_by("source_id").equals(later.sort_by("source_id"))

        [point] = (
            run.warehouse.read("progress_point", "progress")
            .filter(pc.equal(pc.field("person_source_id"), district.source_id("few")))
            .filter(pc.equal(pc.field("measure"), "mastery_check"))
            .slice(0, 1)
            .to_pylist()
        )
        point |= {"source_id": "late-check", "observed_on": run.district.as_of, "score": 10.0}
        added = conform("progress_point", pa.Table.from_pylist([point]))
        run.warehouse.apply(
            "progress",
            "late_checks",
            NormalizedBatch({"progress_point": added}, {"progress_point": SyncMode.DELTA}),
        )
        again = run_steps(run, ["progress_monitoring", "review_packets"])
        assert _committed(run, "progress_monitoring") == goals_written + 1
        assert run.warehouse.step_record("progress", "review_packets").through_run != packets_made
        assert goal_of(night.read("progress_goal"), district, "few")["points"] == 4
        assert again["progress_monitoring"].placements == 4
    finally:
        run.close()
