"""Cycles and boundaries: the plan, exits by domain, growth or maximum cycles, history, warehouse."""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from hub.connector import NormalizedBatch, SyncMode
from hub.model import arrow_schema
from hub.tutoring import (
    LEFT_ROSTER_REASON,
    MAX_CYCLES_REASON,
    Grouping,
    TutoringError,
    TutoringPolicy,
    assign_tiers,
    plan_cycles,
    run_cycle_boundary,
)
from hub.tutoring.domain_evidence import HeldDomains
from hub.warehouse import Warehouse
from tests.hub.tutoring.conftest import DEFAULT_POLICY, gap_row, result_row, roster, table, tutor_row

CYCLES = plan_cycles(date(2025, 8, 18), date(2026, 5, 29))
C2, C3, C4, C5, C6 = (
    date(2025, 9, 29),
    date(2025, 11, 10),
    date(2025, 12, 22),
    date(2026, 2, 2),
    date(2026, 3, 16),
)
TEST_DATES = {"fall": date(2025, 9, 8), "winter": date(2025, 12, 10), "spring": date(2026, 3, 2)}
DOMAIN = "number_and_operations"
STUDENTS = roster(*((person, "04", "sch") for person in "abcde"))
TUTORS = table("tutor_profile", [tutor_row("tutor-1", 3, schools="sch")])


def test_plan_cycles_covers_the_year_in_six_week_steps() -> None:
    assert CYCLES.column("source_id").to_pylist() == [f"2026-c{n}" for n in range(1, 8)]
    assert CYCLES.column("start_date").to_pylist() == [
        date(2025, 8, 18),
        C2,
        C3,
        C4,
        C5,
        C6,
        date(2026, 4, 27),
    ]
    assert CYCLES.column("end_date").to_pylist()[:2] == [date(2025, 9, 28), date(2025, 11, 9)]
    assert CYCLES.column("end_date").to_pylist()[-1] == date(2026, 5, 29)
    assert set(CYCLES.column("school_year").to_pylist()) == {2026}
    assert CYCLES.schema.equals(arrow_schema("cycle"))


def test_plan_cycles_folds_a_short_remainder_into_the_last_cycle() -> None:
    short = plan_cycles(date(2025, 9, 1), date(2025, 10, 20), weeks=6)
    assert short.select(["start_date", "end_date"]).to_pylist() == [
        {"start_date": date(2025, 9, 1), "end_date": date(2025, 10, 20)}
    ]
    eight = plan_cycles(date(2025, 9, 1), date(2026, 1, 31), weeks=8)
    assert eight.column("start_date").to_pylist() == [
        date(2025, 9, 1),
        date(2025, 10, 27),
        date(2025, 12, 22),
    ]


@pytest.mark.parametrize("weeks", [5, 9, 6.5, True])
def test_plan_cycles_refuses_lengths_outside_six_to_eight_weeks(weeks: Any) -> None:
    with pytest.raises(TutoringError, match="6 to 8 weeks"):
        plan_cycles(date(2025, 9, 1), date(2026, 6, 1), weeks=weeks)


def test_plan_cycles_refuses_a_year_that_ends_before_it_starts() -> None:
    with pytest.raises(TutoringError, match="must end after it starts"):
        plan_cycles(date(2026, 6, 1), date(2025, 9, 1))


def result(
    person: str, window: str, levels_below: int = 1, progress: float | None = None, **extra: Any
) -> dict:
    fields = {
        "source_id": f"{person}-{window}",
        "window": window,
        "test_date": TEST_DATES[window],
        "scale_score": 450.0,
        "grade_levels_below": levels_below,
        "percent_progress_typical": progress,
    }
    return result_row(person, **fields | extra)


def domain(
    person: str, window: str, levels_below: int | None = None, adjective: str | None = None, **extra: Any
):
    placement = {0: "Early On Grade Level", 1: "1 Grade Level Below", 2: "2 Grade Levels Below"}
    return {
        "source_id": f"{person}-{window}:{extra.get('canonical_domain', DOMAIN)}",
        "result_source_id": f"{person}-{window}",
        "vendor_domain": "Number and Operations",
        "canonical_domain": DOMAIN,
        "grade_levels_below": levels_below,
        "placement": placement.get(levels_below) if levels_below is not None else None,
        "goal_adjective": adjective,
        **extra,
    }


def gap(person: str, window: str, canonical_domain: str = DOMAIN, evidence: str | None = None) -> dict:
    return gap_row(
        person,
        canonical_domain,
        severity=2,
        evidence_result_source_id=evidence or f"{person}-{window}",
        evidence=f"i-Ready {canonical_domain}: 2 grade levels below (scale 420)",
        window=window,
    )


class Season:
    """All data seen so far; each boundary reruns on everything, as the nightly assets would."""

    def __init__(self) -> None:
        self.results: list[dict] = []
        self.domains: list[dict] = []
        self.gaps: list[dict] = []
        self.state: Grouping | None = None
        self.reviews = arrow_schema("tutoring_review").empty_table()

    def boundary(
        self, on: date, policy: TutoringPolicy = DEFAULT_POLICY, active_students: pa.Array | None = None
    ) -> Grouping:
        results = table("assessment_result", self.results)
        self.state = run_cycle_boundary(
            self.state.memberships if self.state else None,
            assign_tiers(results, STUDENTS, policy),
            table("skill_gap", self.gaps),
            results,
            self.state.groups if self.state else None,
            policy,
            on,
            domain_results=HeldDomains(table("domain_result", self.domains)),
            tutors=TUTORS,
            cycles=CYCLES,
            active_students=active_students,
            past_reviews=self.reviews,
        )
        self.reviews = pa.concat_tables([self.reviews, self.state.reviews])
        return self.state

    def membership(self, person: str) -> list[dict]:
        assert self.state is not None
        rows = self.state.memberships.filter(pc.equal(self.state.memberships["person_source_id"], person))
        return rows.sort_by("entry_date").to_pylist()


@pytest.fixture
def season() -> Season:
    """Four Tier 2 students behind in number and operations in the fall, grouped at the start of cycle 2."""
    season = Season()
    for person in "abcd":
        season.results.append(result(person, "fall"))
        season.domains.append(domain(person, "fall", levels_below=2))
        season.gaps.append(gap(person, "fall"))
    season.boundary(C2)
    return season


def test_first_boundary_groups_the_fall_entrants(season: Season) -> None:
    assert season.state is not None
    assert season.state.groups.column("source_id").to_pylist() == [f"2026-c2:sch:math:{DOMAIN}:04:1"]
    assert season.state.groups.column("tutor_person_source_id").to_pylist() == ["tutor-1"]
    assert sorted(season.state.memberships.column("person_source_id").to_pylist()) == ["a", "b", "c", "d"]


def test_exit_by_domain_on_grade_level_and_by_typical_growth(season: Season) -> None:
    season.results += [
        result("a", "winter", levels_below=1, progress=40.0),
        result("b", "winter", levels_below=1, progress=104.0),
        result("c", "winter", levels_below=1, progress=99.0),
        result("e", "winter", levels_below=2),
    ]
    season.domains += [
        domain("a", "winter", levels_below=0),
        domain("b", "winter", levels_below=1),
        domain("c", "winter", levels_below=1),
        domain("e", "winter", levels_below=2),
    ]
    season.gaps += [
        gap("a", "winter", "geometry"),
        gap("b", "winter"),
        gap("c", "winter"),
        gap("e", "winter"),
    ]
    state = season.boundary(C4)

    a, _ = season.membership("a")
    assert (a["exit_date"], a["exit_reason"]) == (
        C4,
        "on grade level in Number and Operations (i-Ready 2025-26 winter: Early On Grade Level)",
    )
    [b] = season.membership("b")
    assert b["exit_date"] == C4
    assert b["exit_reason"] == (
        "typical growth met: 104 % of the annual typical growth (i-Ready 2025-26 winter, overall scale 450)"
    )
    for person in "cd":
        [stays] = season.membership(person)
        assert stays["exit_date"] is None and stays["exit_reason"] is None
    # The freed seat goes to the new Tier 3 entrant.
    [e] = season.membership("e")
    assert e["group_source_id"] == f"2026-c2:sch:math:{DOMAIN}:04:1"
    assert e["entry_date"] == C4
    # "a" cleared number and operations but the same test shows a gap in geometry: judged on the newest
    # evidence, "a" enters a geometry group at once. "b" met typical growth: "b" waits for a new test.
    assert [row["group_source_id"] for row in season.membership("a")] == [
        f"2026-c2:sch:math:{DOMAIN}:04:1",
        "2026-c4:sch:math:geometry:04:1",
    ]
    [held] = state.unplaced.filter(pc.equal(state.unplaced["person_source_id"], "b")).to_pylist()
    assert held["reason_code"] == "awaiting_new_test"
    assert held["reason"].startswith("waits for a new test: exited on 2025-12-22, typical growth met: 104 %")
    assert state.groups.num_rows == 2


def test_map_goal_adjective_avg_or_better_is_on_grade_level() -> None:
    season = Season()
    for person in "ab":
        season.results.append(
            result(person, "fall", vendor="nwea_map", percentile=25, grade_levels_below=None)
        )
        season.domains.append(domain(person, "fall", adjective="Low"))
        season.gaps.append(gap(person, "fall"))
    season.boundary(C2)
    season.results += [
        result("a", "winter", vendor="nwea_map", percentile=30, grade_levels_below=None),
        result("b", "winter", vendor="nwea_map", percentile=30, grade_levels_below=None),
    ]
    season.domains += [domain("a", "winter", adjective="Avg"), domain("b", "winter", adjective="LoAvg")]
    season.boundary(C4)
    [a] = season.membership("a")
    [b] = season.membership("b")
    assert a["exit_reason"] == "on grade level in Number and Operations (NWEA MAP Growth 2025-26 winter: Avg)"
    assert b["exit_date"] is None


def test_only_a_test_taken_after_entry_can_end_tutoring() -> None:
    """Tier from i-Ready, gap from a MAP test of the same window: the i-Ready domain (on grade level)
    is not new evidence, because it was taken before the student entered."""
    season = Season()
    season.results += [
        result(
            "a", "fall", source_id="a-fall-map", vendor="nwea_map", percentile=25, grade_levels_below=None
        ),
        result("a", "fall", levels_below=1),
    ]
    season.domains += [
        domain("a", "fall", levels_below=0),
        domain("a", "fall", adjective="Low", source_id="a-fall-map:n", result_source_id="a-fall-map"),
    ]
    season.gaps.append(gap("a", "fall", evidence="a-fall-map"))
    season.boundary(C2)
    [entered] = season.membership("a")
    assert entered["entry_result_source_id"] == "a-fall-map"
    season.boundary(C3)
    [still] = season.membership("a")
    assert still["exit_date"] is None


REVIEW_EXIT = TutoringPolicy(review_action="exit")


def test_after_the_review_limit_a_review_is_recorded_and_the_students_stay(season: Season) -> None:
    season.boundary(C3)
    season.boundary(C4)
    assert season.reviews.num_rows == 0
    state = season.boundary(C5)
    assert state.memberships.filter(pc.is_valid(state.memberships["exit_date"])).num_rows == 0
    reviews = state.reviews.sort_by("person_source_id").to_pylist()
    assert [row["person_source_id"] for row in reviews] == ["a", "b", "c", "d"]
    first = reviews[0]
    assert (first["cycles_served"], first["review_date"], first["tutored_since"]) == (3, C5, C2)
    assert (first["baseline_result_source_id"], first["latest_result_source_id"]) == ("a-fall", "a-fall")
    assert (first["sessions_scheduled"], first["outcome"]) == (0, "stays")
    # No session logged, no growth figure, the same gap, a first review: more of it.
    assert (first["action"], first["reason"]) == ("intensify", "no growth figure on the dosage received")
    # Three cycles on, the second review of the same stretch of tutoring refers.
    season.boundary(C6)
    assert season.boundary(date(2026, 4, 27)).reviews.num_rows == 0


def test_review_action_exit_closes_with_the_recommendation_and_waits_for_a_new_test(season: Season) -> None:
    season.boundary(C3, REVIEW_EXIT)
    season.boundary(C4, REVIEW_EXIT)
    state = season.boundary(C5, REVIEW_EXIT)
    closed = state.memberships.filter(pc.is_valid(state.memberships["exit_date"]))
    assert closed.num_rows == 4
    assert set(closed.column("exit_reason").to_pylist()) == {
        f"{MAX_CYCLES_REASON}: intensify (more or longer sessions, a smaller group)"
    }
    assert set(state.reviews.column("outcome").to_pylist()) == {"exited"}
    # Nobody re-enters on the same old evidence after a review exit; each says so.
    assert state.memberships.num_rows == 4
    assert set(state.unplaced.column("reason_code").to_pylist()) == {"awaiting_new_test"}
    season.results.append(result("c", "spring", levels_below=1))
    season.domains.append(domain("c", "spring", levels_below=2))
    season.gaps.append(gap("c", "spring"))
    season.boundary(C6, REVIEW_EXIT)
    assert [row["entry_date"] for row in season.membership("c")] == [C2, C6]


def test_max_cycles_is_a_district_setting(season: Season) -> None:
    state = season.boundary(C4, TutoringPolicy(max_cycles=2))
    assert state.reviews.num_rows == 4
    unlimited = season.boundary(C5, TutoringPolicy(max_cycles=None))
    assert unlimited.reviews.num_rows == 0 and unlimited.memberships.num_rows == 4


def test_history_is_kept_and_a_new_test_allows_re_entry(season: Season) -> None:
    season.results.append(result("a", "winter", levels_below=1))
    season.domains.append(domain("a", "winter", levels_below=0))
    season.boundary(C4)
    season.boundary(C5)
    assert len(season.membership("a")) == 1
    season.results.append(result("a", "spring", levels_below=1))
    season.domains.append(domain("a", "spring", levels_below=1, canonical_domain="geometry"))
    season.gaps.append(gap("a", "spring", "geometry"))
    state = season.boundary(C6)

    first, second = season.membership("a")
    assert first["exit_date"] == C4
    assert first["entry_date"] == C2
    assert first["exit_result_source_id"] == "a-winter"
    assert first["entry_evidence"].startswith("i-Ready Math 2025-26 fall: 1 grade level(s) below")
    assert second["entry_date"] == C6 and second["exit_date"] is None
    assert second["group_source_id"] == "2026-c6:sch:math:geometry:04:1"
    assert "primary gap Geometry" in second["entry_evidence"]
    assert state.groups.num_rows == 2


def closed_on(state: Grouping) -> dict[str, date | None]:
    groups = state.groups
    return dict(zip(groups["source_id"].to_pylist(), groups["closed_on"].to_pylist(), strict=True))


def test_a_group_closes_when_its_last_student_exits_and_stays_closed(season: Season) -> None:
    group_id = f"2026-c2:sch:math:{DOMAIN}:04:1"
    assert closed_on(season.boundary(C3)) == {group_id: None}
    season.results.append(result("a", "winter", levels_below=1))
    season.domains.append(domain("a", "winter", levels_below=0))
    # "a" exits on grade level; b, c and d are still in, so the group stays open.
    assert closed_on(season.boundary(C4)) == {group_id: None}
    # b, c and d are reviewed and, by this district's policy, exit: nobody is left.
    assert closed_on(season.boundary(C5, REVIEW_EXIT)) == {group_id: C5}
    season.results.append(result("a", "spring", levels_below=1))
    season.domains.append(domain("a", "spring", levels_below=1, canonical_domain="geometry"))
    season.gaps.append(gap("a", "spring", "geometry"))
    assert closed_on(season.boundary(C6)) == {group_id: C5, "2026-c6:sch:math:geometry:04:1": None}


def test_a_group_all_of_whose_members_exit_closes_at_that_boundary(season: Season) -> None:
    season.results.append(result("e", "winter", levels_below=2))
    season.domains.append(domain("e", "winter", levels_below=2))
    season.gaps.append(gap("e", "winter"))
    state = season.boundary(C4, TutoringPolicy(max_cycles=2, review_action="exit"))
    reasons = [row["exit_reason"] for person in "abcd" for row in season.membership(person)]
    assert all(reason.startswith(MAX_CYCLES_REASON) for reason in reasons)
    # The emptied group takes no entrant: the new student starts a group of this cycle, which is open.
    [e] = season.membership("e")
    assert e["exit_date"] is None
    assert closed_on(state) == {f"2026-c2:sch:math:{DOMAIN}:04:1": C4, e["group_source_id"]: None}


def test_a_student_off_the_roster_exits_and_nobody_off_it_enters(season: Season) -> None:
    before = season.state
    season.results += [result("b", "winter", levels_below=0), result("e", "winter", levels_below=2)]
    season.domains += [domain("b", "winter", levels_below=0), domain("e", "winter", levels_below=2)]
    season.gaps += [gap("e", "winter")]
    state = season.boundary(C4, active_students=pa.array(["a", "c", "d"]))
    # Off the roster comes first: b's on-grade-level domain is not the reason b is gone.
    [b] = season.membership("b")
    assert (b["exit_date"], b["exit_reason"]) == (C4, LEFT_ROSTER_REASON)
    assert all(row["exit_date"] is None for person in "acd" for row in season.membership(person))
    assert season.membership("e") == []
    assert closed_on(state) == {f"2026-c2:sch:math:{DOMAIN}:04:1": None}

    season.state = before
    season.boundary(C4, active_students=pa.array(["a", "b", "c", "d", "e"]))
    assert season.membership("b")[0]["exit_reason"].startswith("on grade level in Number and Operations")
    assert [row["entry_date"] for row in season.membership("e")] == [C4]


def test_a_boundary_outside_the_plan_is_refused(season: Season) -> None:
    with pytest.raises(TutoringError, match="0 cycles covering 2026-07-01"):
        season.boundary(date(2026, 7, 1))


def test_decisions_round_trip_through_the_warehouse(season: Season, warehouse: Warehouse) -> None:
    assert season.state is not None
    tables = {
        "tier_assignment": assign_tiers(table("assessment_result", season.results), STUDENTS, DEFAULT_POLICY),
        "cycle": CYCLES,
        "tutoring_group": season.state.groups,
        "group_membership": season.state.memberships,
    }
    warehouse.apply(
        "test_district",
        "tutoring",
        NormalizedBatch(tables=tables, modes=dict.fromkeys(tables, SyncMode.BULK)),
    )
    for name, written in tables.items():
        read = warehouse.read(name, "test_district").select(written.column_names).sort_by("source_id")
        assert read.to_pylist() == written.sort_by("source_id").to_pylist(), name


def test_a_closing_date_round_trips_through_the_warehouse(season: Season, warehouse: Warehouse) -> None:
    state = season.boundary(C4, TutoringPolicy(max_cycles=2, review_action="exit"))
    batch = NormalizedBatch(tables={"tutoring_group": state.groups}, modes={"tutoring_group": SyncMode.BULK})
    warehouse.apply("test_district", "tutoring", batch)
    assert warehouse.read("tutoring_group", "test_district").column("closed_on").to_pylist() == [C4]


def test_review_recommendations_follow_growth_focus_and_history(season: Season) -> None:
    season.results += [
        result("a", "winter", levels_below=1, progress=60.0),
        result("b", "winter", levels_below=1, progress=20.0),
        result("c", "winter", levels_below=1, progress=20.0),
    ]
    season.domains += [domain(person, "winter", levels_below=2) for person in "abc"]
    season.gaps += [gap("a", "winter"), gap("b", "winter", "geometry"), gap("c", "winter")]
    for boundary in (C3, C4):
        season.boundary(boundary)
    reviews = {row["person_source_id"]: row for row in season.boundary(C5).reviews.to_pylist()}
    assert (reviews["a"]["action"], reviews["a"]["reason"]) == (
        "continue",
        "on track: 60 % of typical growth (i-Ready 2025-26 winter)",
    )
    assert (
        reviews["a"]["percent_progress_typical"] == 60.0
        and reviews["a"]["latest_result_source_id"] == "a-winter"
    )
    assert reviews["b"]["action"] == "change_focus"
    assert reviews["b"]["reason"].startswith(
        "the newest test's primary gap is Geometry, not the group's Number"
    )
    assert reviews["c"]["action"] == "intensify"


def test_a_second_review_of_the_same_stretch_refers(season: Season) -> None:
    every_two = TutoringPolicy(max_cycles=2)
    for boundary in (C3, C4, C5):
        season.boundary(boundary, every_two)
    assert set(season.reviews["action"].to_pylist()) == {"intensify"}
    second = season.boundary(C6, every_two).reviews
    assert set(second["action"].to_pylist()) == {"refer"} and second.num_rows == 4
    assert set(second["cycles_served"].to_pylist()) == {4}
