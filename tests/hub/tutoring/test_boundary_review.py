"""A boundary's decisions per student and its group changes, read from stored rows built by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pytest

from hub.tutoring.boundary_groups import group_changes
from hub.tutoring.boundary_review import DOSAGE_SCHEMA, boundary_decisions
from tests.hub.tutoring.conftest import DEFAULT_POLICY, result_row, table

B = date(2025, 11, 10)  # the boundary
BEFORE = date(2025, 9, 29)  # the boundary before it


def membership(person: str, group: str, entry: date, **columns: object) -> dict:
    return {
        "source_id": f"{group}:{person}:{entry.isoformat()}",
        "group_source_id": group,
        "person_source_id": person,
        "subject": "math",
        "entry_date": entry,
        "entry_result_source_id": f"{person}-fall",
        "entry_evidence": "fall test",
        "tutored_since": columns.pop("since", entry),
        **columns,
    }


def group(source_id: str, formed: date, closed: date | None = None) -> dict:
    return {
        "source_id": source_id,
        "school_source_id": "sch-a",
        "subject": "math",
        "canonical_domain": "geometry",
        "grades": "04",
        "tutor_person_source_id": "tut-1",
        "cycle_source_id": "2026-c2",
        "formed_on": formed,
        "closed_on": closed,
    }


MEMBERSHIPS = [
    membership("exited", "g1", BEFORE, exit_date=B, exit_reason="on grade level in Geometry (...)"),
    membership("referred", "g1", BEFORE),
    membership("signal", "g1", BEFORE),
    membership("steady", "g2", BEFORE),
    membership("mover", "g3", BEFORE, exit_date=B, exit_reason="moved to group g2 (its group fell below 2)"),
    membership("mover", "g2", B, since=BEFORE),
    membership("leaver1", "g4", BEFORE, exit_date=B, exit_reason="left the roster"),
    membership("newcomer", "g5", B),
    membership("late", "g2", B),
    membership("earlier", "g2", date(2025, 8, 18), exit_date=BEFORE, exit_reason="left the roster"),
]
GROUPS = [
    group("g1", BEFORE),
    group("g2", BEFORE),
    group("g3", BEFORE, closed=B),
    group("g4", BEFORE, closed=B),
    group("g5", B),
]
REVIEWS = [
    {
        "source_id": f"g1:referred:{BEFORE.isoformat()}:{B.isoformat()}",
        "membership_source_id": f"g1:referred:{BEFORE.isoformat()}",
        "group_source_id": "g1",
        "person_source_id": "referred",
        "subject": "math",
        "cycle_source_id": "2026-c3",
        "review_date": B,
        "tutored_since": BEFORE,
        "cycles_served": 2,
        "sessions_scheduled": 0,
        "sessions_attended": 0,
        "action": "refer",
        "reason": "reviewed before in this stretch",
        "outcome": "stays",
    }
]


def goal(person: str, group_id: str, entry: date, signal: str, points: int) -> dict:
    return {
        "source_id": f"{group_id}:{person}:{entry.isoformat()}",
        "membership_source_id": f"{group_id}:{person}:{entry.isoformat()}",
        "group_source_id": group_id,
        "person_source_id": person,
        "subject": "math",
        "cycle_source_id": "2026-c2",
        "measure": "mastery_check",
        "goal_basis": "Geometry to grade level",
        "baseline_date": entry,
        "baseline_score": 40.0,
        "goal_date": B,
        "goal_score": 80.0,
        "aimline_per_week": 40.0 / 6,
        "points": points,
        "rate_of_improvement": 2.5,
        "signal": signal,
        "signal_reason": f"{signal} reason",
        "evaluated_on": B - timedelta(days=1),
    }


GOALS = [
    goal("signal", "g1", BEFORE, "adjust", 5),
    goal("referred", "g1", BEFORE, "adjust", 4),  # the review outranks the signal
    goal("mover", "g2", B, "on_track", 4),  # only the new membership has a goal: it is found
]
DOSAGE = [
    # "steady": 3 of 4 sessions before the boundary (30 min each), one after it that does not count
    *({"person_source_id": "steady", "subject": "math", "session_date": BEFORE + timedelta(days=d),
       "attended": d != 7, "minutes": 30} for d in (0, 7, 14, 21)),
    {"person_source_id": "steady", "subject": "math", "session_date": B, "attended": True, "minutes": 30},
    {"person_source_id": "steady", "subject": "ela", "session_date": BEFORE, "attended": True, "minutes": 30},
]  # fmt: skip
RESULTS = [
    result_row(person, source_id=f"{person}-fall", test_date=date(2025, 9, 10), scale_score=400.0)
    for person in ("exited", "referred", "signal", "steady", "mover", "leaver1")
] + [
    result_row("steady", source_id="steady-late", test_date=date(2025, 10, 20), scale_score=410.0),
    result_row("steady", source_id="steady-winter", test_date=B, window="winter", scale_score=430.0),
    # a later MAP test is of another vendor than the i-Ready test that placed "signal": never beside it
    result_row(
        "signal",
        source_id="signal-map",
        vendor="nwea_map",
        window="winter",
        test_date=date(2025, 11, 3),
        scale_score=201.0,
    ),
]


@pytest.fixture(scope="module")
def decided() -> dict[str, dict]:
    rows = boundary_decisions(
        B,
        table("group_membership", MEMBERSHIPS),
        table("tutoring_review", REVIEWS),
        table("progress_goal", GOALS),
        pa.Table.from_pylist(DOSAGE, schema=DOSAGE_SCHEMA),
        table("assessment_result", RESULTS),
        DEFAULT_POLICY,
    )
    return {row["person_source_id"]: row for row in rows.to_pylist()}


def test_every_student_tutored_on_the_eve_has_one_decision(decided: dict[str, dict]) -> None:
    # newcomers entered at the boundary and "earlier" left before it: neither is decided here
    assert sorted(decided) == ["exited", "leaver1", "mover", "referred", "signal", "steady"]


def test_an_exit_outranks_a_review_which_outranks_the_progress_signal(decided: dict[str, dict]) -> None:
    summary = {person: (row["decision"], row["decided_by"]) for person, row in decided.items()}
    assert summary == {
        "exited": ("exit", "exit rule"),
        "leaver1": ("exit", "exit rule"),
        "referred": ("refer", "review"),
        "signal": ("adjust", "progress rule"),
        "steady": ("continue", "none"),
        "mover": ("continue", "none"),
    }
    assert decided["exited"]["why"] == "on grade level in Geometry (...)"
    assert decided["referred"]["why"].startswith("refer for Tier 3 support")
    assert decided["referred"]["goal"]["signal"] == "adjust"  # shown as evidence beside the review
    assert decided["signal"]["why"] == "adjust reason"
    assert decided["mover"]["why"] == "met no exit rule; moved to group g2 (its group fell below 2)"


def test_groups_before_and_after_the_boundary(decided: dict[str, dict]) -> None:
    assert (decided["mover"]["group_source_id"], decided["mover"]["now_group_source_id"]) == ("g3", "g2")
    assert decided["exited"]["now_group_source_id"] is None
    assert decided["mover"]["goal"]["signal"] == "on_track" and decided["mover"]["goal"]["points"] == 4
    assert decided["steady"]["goal"] is None  # no goal stored: the packet says so


def test_dosage_counts_the_stretch_of_tutoring_up_to_the_boundary(decided: dict[str, dict]) -> None:
    steady = decided["steady"]
    counted = (steady["sessions_scheduled"], steady["sessions_attended"], steady["minutes_attended"])
    assert counted == (4, 3, 90)
    assert (decided["signal"]["sessions_scheduled"], decided["signal"]["minutes_attended"]) == (0, 0)


def test_baseline_and_latest_test_before_the_boundary(decided: dict[str, dict]) -> None:
    steady = decided["steady"]
    assert (steady["baseline_test"], steady["baseline_score"]) == ("i-Ready 2025-26 fall", 400.0)
    # the winter test on the boundary's own day was not before it
    assert (steady["latest_test"], steady["latest_score"]) == ("i-Ready 2025-26 fall", 410.0)
    signal = decided["signal"]
    assert (signal["latest_test"], signal["latest_score"]) == ("i-Ready 2025-26 fall", 400.0)


def test_group_changes_at_the_boundary() -> None:
    changes = group_changes(B, table("tutoring_group", GROUPS), table("group_membership", MEMBERSHIPS))
    found = {
        (row["group_source_id"], row["change"]): (row["into_group_source_id"], row["students"])
        for row in changes.to_pylist()
    }
    assert found == {
        ("g5", "formed"): (None, ["newcomer"]),
        ("g2", "joined"): (None, ["late"]),  # the mover kept tutored_since: not a new student
        ("g3", "merged"): ("g2", ["mover"]),
        ("g4", "closed"): (None, ["leaver1"]),
    }
    assert changes["change"].to_pylist() == ["formed", "joined", "merged", "closed"]
