"""Decisions with known answers: hand-built districts, written in the vendors' layouts, run through sync.

District "known" is one school year seen by three nights. Its pupils (tests/scenarios/handbuilt.py) are
built so that each decision has one right answer: who enters (tier and gap), who groups with whom
(primary gap), who exits and why (mastery, typical growth, leaving the roster), who is reviewed and stays,
who re-enters after a new test, which small group merges into which, who keeps their tutor, who waits for
tutor capacity, and which grade's tier pyramid is inverted or too small to show. District "behind" is the
issue's 24 students who stay two grade levels behind all year, once under the default policy and once
(``behind_exit``) under ``review_action: exit``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml
from click.testing import CliRunner

from cli.main import main
from cli.night import dagster_environment, run_districts
from hub.pipeline.context import DistrictRun
from hub.plugins import installed
from hub.settings import HubConfig, load_hub_config
from hub.tutoring import TutoringPolicy, plan_cycles, tier_distribution
from testkit.synthetic import calendar
from tests.scenarios.handbuilt import HandBuilt, Pupil, Tutor, hand_built, write_drop, write_sessions

# the boundaries of the synthetic school year: C2 sees the fall tests, C5 the winter ones, C6 the spring ones
_, C2, _, _, C5, C6, _ = plan_cycles(calendar.year_start(2026), calendar.year_end(2026))[
    "start_date"
].to_pylist()
NO, GEO = "number_and_operations", "geometry"
LEVEL_NAMES = {"fall", "winter", "spring"}


def steady(level: float) -> dict[str, float]:
    return dict.fromkeys(LEVEL_NAMES, level)


def pupil(key: str, school: int, grade: str, math: dict[str, float], **focus: dict[str, float]) -> Pupil:
    return Pupil(key, school, grade, math, focus)


A_PUPILS = [
    pupil("tier3", 0, "04", steady(-2.5), **{NO: steady(-3.0)}),
    pupil("tier2", 0, "04", steady(-0.5), **{NO: steady(-1.5)}),
    pupil("tier1_gap", 0, "04", steady(0.5), **{NO: steady(-1.5)}),
    pupil(
        "mastery",
        0,
        "04",
        {"fall": -2.5, "winter": 0.3, "spring": 0.3},
        **{NO: {"fall": -3.0, "winter": 1.2, "spring": 1.2}},
    ),
    pupil(
        "growth",
        0,
        "04",
        {"fall": -2.5, "winter": -0.3, "spring": -0.3},
        **{NO: {"fall": -3.5, "winter": -2.5, "spring": -2.5}},
    ),
    pupil("leaver", 0, "04", steady(-2.5), **{NO: steady(-3.0)}),
    pupil("geo1", 0, "04", steady(-2.5), **{GEO: steady(-3.5)}),
    pupil("geo2", 0, "04", steady(-2.5), **{GEO: steady(-3.5)}),
]
# Six grade 5 students behind in geometry form two groups of three; two of the first master it by winter.
B_PUPILS = [
    pupil(f"rg{n}", 1, "05", steady(-2.5) if n > 2 else {"fall": -2.5, "winter": 0.3, "spring": 0.3},
          **{GEO: steady(-3.5) if n > 2 else {"fall": -3.5, "winter": 1.2, "spring": 1.2}})
    for n in range(1, 7)
]  # fmt: skip
# School C: grade 2 is six Tier 3 students in ten (an inverted pyramid); grade 1 is five students.
C_PUPILS = [pupil(f"c{n}", 2, "02", steady(-1.5), **{NO: steady(-2.5)}) for n in range(1, 7)]
C_PUPILS += [pupil(f"c{n}", 2, "02", steady(1.0)) for n in range(7, 11)]
C_PUPILS += [pupil(f"k{n}", 2, "01", steady(1.5)) for n in range(1, 6)]
TUTORS = [Tutor("a", 0), Tutor("b", 1, max_groups=2), Tutor("c", 2, max_groups=0)]
# The third night: tutor b has left; an aide at school C, on the roster only, can tutor.
TUTORS_LATER = [Tutor("a", 0), Tutor("c", 2, max_groups=0), Tutor("aide", 2, max_groups=None, role="aide")]


@dataclass
class Night:
    hub: HubConfig
    district_id: str
    instance: dg.DagsterInstance

    def _as_of(self, as_of: date) -> None:
        config = yaml.safe_load(self.hub.path.read_text())
        for district in config["districts"]:
            district["as_of"] = as_of.isoformat()
        self.hub.path.write_text(yaml.safe_dump(config))
        self.hub = load_hub_config(self.hub.path)

    def sync(self, as_of: date) -> None:
        self._as_of(as_of)
        outcomes = run_districts(self.hub, list(self.hub.districts), instance=self.instance)
        for outcome in outcomes:
            assert outcome.success, outcome.failures + outcome.checks_failed

    def sync_command(self, as_of: date, *options: str, exit_code: int = 0) -> str:
        """``tutorhub sync`` as IT staff run it; its output. (It points Dagster at the embedded instance
        through the environment, which is put back afterwards.)"""
        self._as_of(as_of)
        with pytest.MonkeyPatch.context() as patch:
            for name in dagster_environment(self.hub):  # recorded, so that undoing puts each back
                patch.setenv(name, os.environ.get(name, ""))
            result = CliRunner().invoke(main, ["sync", "--config", str(self.hub.path), *options])
        assert result.exit_code == exit_code, result.output
        return result.output

    def school_reports(self) -> dict[str, dict]:
        """The school dashboards the night wrote (JSON), by school."""
        folder = self.hub.district(self.district_id).data_path(self.hub.data_dir) / "reports" / "school"
        return {path.stem: json.loads(path.read_text()) for path in folder.glob("*.json")}

    def read(self, table: str, district_id: str | None = None) -> pa.Table:
        run = DistrictRun(self.hub, self.hub.district(district_id or self.district_id), installed())
        try:
            return run.warehouse.read(table, district_id or self.district_id)
        finally:
            run.close()


def hub_yaml(directory: Path, districts: dict[str, dict]) -> HubConfig:
    connectors = [
        {"name": "roster", "type": "oneroster_csv", "settings": {"path": "drop/oneroster-1.2-bulk.zip"}},
        {"name": "iready", "type": "iready", "settings": {"path": "drop/iready"}},
        {"name": "sessions", "type": "session_log", "settings": {"path": "drop/sessions"}},
    ]
    config = {
        "data_dir": "data",
        "districts": [
            {"id": key, "name": key.title(), "timezone": "America/Chicago", "connectors": connectors, **extra}
            for key, extra in districts.items()
        ],
    }
    (directory / "hub.yaml").write_text(yaml.safe_dump(config))
    return load_hub_config(directory / "hub.yaml")


@pytest.fixture(scope="module")
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


def memberships_of(memberships: pa.Table, person: str) -> list[dict]:
    rows = memberships.filter(pc.equal(memberships["person_source_id"], person))
    return rows.sort_by([("entry_date", "ascending"), ("source_id", "ascending")]).to_pylist()


@dataclass
class Season:
    """What each of the three nights of district "known" left in its warehouse."""

    district: HandBuilt
    nights: list[dict[str, pa.Table]]
    reports: list[dict[str, dict]]
    last_sync_output: str

    def id(self, key: str) -> str:
        return self.district.source_id(key)

    def member(self, night: int, key: str) -> list[dict]:
        return memberships_of(self.nights[night]["group_membership"], self.id(key))


TABLES = ("group_membership", "tutoring_group", "tutoring_review", "unplaced_entrant", "tier_assignment")


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory, instance: dg.DagsterInstance) -> Season:
    directory = tmp_path_factory.mktemp("known")
    district = hand_built(A_PUPILS + B_PUPILS + C_PUPILS, TUTORS)
    write_drop(district, directory / "drop", TUTORS)
    night = Night(hub_yaml(directory, {"known": {}}), "known", instance)
    nights, reports = [], []
    night.sync(date(2025, 12, 1))
    nights.append({table: night.read(table) for table in TABLES})
    reports.append(night.school_reports())
    # tutor a logs ten sessions of tier2's group before winter: tier2 came to four
    memberships = nights[0]["group_membership"]
    [placed] = memberships_of(memberships, district.source_id("tier2"))
    group = placed["group_source_id"]
    members = memberships.filter(pc.equal(memberships["group_source_id"], group))[
        "person_source_id"
    ].to_pylist()
    days = [date(2025, 10, 6) + timedelta(weeks=week) for week in range(8)] + [
        date(2026, 1, 12),
        date(2026, 1, 19),
    ]
    rows = [
        {
            "session_id": f"s-{number}",
            "session_date": day.isoformat(),
            "minutes": 30,
            "tutor_id": district.tutor_id("a"),
            "group_id": group,
            "student_id": student,
            "attendance": "present" if student != district.source_id("tier2") or number < 4 else "absent",
        }
        for number, day in enumerate(days)
        for student in members
    ]
    write_sessions(directory / "drop", rows)
    night.sync(date(2026, 2, 10))
    nights.append({table: night.read(table) for table in TABLES})
    reports.append(night.school_reports())
    # the third night's roster: the leaver is gone, so is tutor b, and an aide is on it
    later = hand_built(A_PUPILS + B_PUPILS + C_PUPILS, TUTORS_LATER)
    write_drop(later, directory / "drop", TUTORS_LATER, leaving=("leaver",))
    write_sessions(directory / "drop", rows)
    # one of three tutors gone is past the deletion guard's share: refused, then approved for the run by IT
    refused = night.sync_command(date(2026, 6, 1), exit_code=1)
    assert "would remove 1 of 3 active tutors" in refused and "--allow-deletions" in refused
    output = night.sync_command(date(2026, 6, 1), "--district", "known", "--allow-deletions")
    nights.append({table: night.read(table) for table in TABLES})
    reports.append(night.school_reports())
    return Season(district, nights, reports, output)


@pytest.mark.slow
def test_entry_by_tier_and_gap(season: Season) -> None:
    [tier3] = season.member(0, "tier3")
    [tier2] = season.member(0, "tier2")
    assert tier3["entry_date"] == tier2["entry_date"] == C2
    assert "-> Tier 3; primary gap Number and Operations" in tier3["entry_evidence"]
    assert "-> Tier 2; primary gap Number and Operations" in tier2["entry_evidence"]
    # Tier 1 with a gap does not enter: entry needs both
    assert season.member(2, "tier1_gap") == []


@pytest.mark.slow
def test_grouping_by_shared_primary_gap(season: Season) -> None:
    groups = season.nights[0]["tutoring_group"]
    domain_of = dict(
        zip(groups["source_id"].to_pylist(), groups["canonical_domain"].to_pylist(), strict=True)
    )
    geo = {domain_of[season.member(0, key)[0]["group_source_id"]] for key in ("geo1", "geo2")}
    number = {domain_of[season.member(0, key)[0]["group_source_id"]] for key in ("tier3", "tier2", "leaver")}
    assert geo == {GEO} and number == {NO}
    assert season.member(0, "geo1")[0]["group_source_id"] == season.member(0, "geo2")[0]["group_source_id"]


@pytest.mark.slow
def test_exit_on_mastery(season: Season) -> None:
    [left] = season.member(1, "mastery")
    assert left["exit_date"] == C5
    assert left["exit_reason"].startswith("on grade level in Number and Operations (i-Ready 2025-26 winter: ")


@pytest.mark.slow
def test_exit_on_typical_growth_then_wait_then_re_entry_after_a_new_test(season: Season) -> None:
    [left] = season.member(1, "growth")
    assert left["exit_date"] == C5
    assert left["exit_reason"].startswith("typical growth met: ")
    unplaced = season.nights[1]["unplaced_entrant"]
    [waiting] = unplaced.filter(pc.equal(unplaced["person_source_id"], season.id("growth"))).to_pylist()
    assert (waiting["boundary_date"], waiting["reason_code"]) == (C5, "awaiting_new_test")
    # the early-March test is new evidence, still Tier 2 with the same gap: back in at the next boundary
    first, again = season.member(2, "growth")
    assert first["exit_date"] == C5
    assert again["entry_date"] == C6 and again["exit_date"] is None
    assert "2025-26 spring" in again["entry_evidence"]


@pytest.mark.slow
def test_review_without_exit(season: Season) -> None:
    reviews = season.nights[1]["tutoring_review"]
    by_person = {row["person_source_id"]: row for row in reviews.to_pylist()}
    tier3, tier2 = by_person[season.id("tier3")], by_person[season.id("tier2")]
    for review in (tier3, tier2):
        assert (review["review_date"], review["cycles_served"], review["outcome"]) == (C5, 3, "stays")
        assert review["baseline_score"] is not None and review["latest_score"] is not None
    # no session logged for tier3's group, no growth: a first review asks for more
    assert tier3["action"] == "intensify" and tier3["sessions_scheduled"] == 0
    # tier2 came to 4 of 10 sessions: raise attendance before changing anything
    assert (tier2["sessions_attended"], tier2["sessions_scheduled"]) == (4, 10)
    assert tier2["action"] == "continue" and tier2["reason"].startswith(
        "attended 4 of 10 sessions since 2025-09-29"
    )
    for key in ("tier3", "tier2"):
        assert season.member(2, key)[-1]["exit_date"] is None, key


@pytest.mark.slow
def test_a_student_leaving_the_roster(season: Season) -> None:
    assert season.member(1, "leaver")[-1]["exit_date"] is None
    assert (season.member(2, "leaver")[-1]["exit_date"], season.member(2, "leaver")[-1]["exit_reason"]) == (
        C6,
        "left the roster",
    )


@pytest.mark.slow
def test_remnant_regrouping_and_tutor_continuity(season: Season) -> None:
    groups = season.nights[0]["tutoring_group"]
    first = {key: season.member(0, key)[0]["group_source_id"] for key in ("rg1", "rg2", "rg3", "rg4")}
    # precondition, by construction: rg1-rg3 share a group, rg4-rg6 the other, both led by tutor b
    assert first["rg1"] == first["rg2"] == first["rg3"] != first["rg4"]
    tutor_of = dict(
        zip(groups["source_id"].to_pylist(), groups["tutor_person_source_id"].to_pylist(), strict=True)
    )
    assert tutor_of[first["rg1"]] == tutor_of[first["rg4"]] == season.district.tutor_id("b")
    # rg1 and rg2 master geometry at winter; rg3, left alone, joins the other group and keeps tutor b
    moved, joined = season.member(1, "rg3")
    assert moved["exit_date"] == C5
    assert moved["exit_reason"] == f"moved to group {first['rg4']} (its group fell below 2)"
    assert joined["group_source_id"] == first["rg4"] and joined["tutored_since"] == C2
    later = season.nights[1]["tutoring_group"]
    state = {row["source_id"]: row for row in later.to_pylist()}
    assert state[first["rg1"]]["closed_on"] == C5
    assert state[first["rg4"]]["tutor_person_source_id"] == season.district.tutor_id("b")
    # rg3's first review counts from C2, not from the move
    reviews = season.nights[1]["tutoring_review"]
    assert season.id("rg3") in reviews["person_source_id"].to_pylist()


@pytest.mark.slow
def test_no_tutor_capacity_is_recorded_then_a_roster_aide_tutors(season: Season) -> None:
    unplaced = season.nights[0]["unplaced_entrant"]
    waiting = unplaced.filter(pc.equal(unplaced["boundary_date"], C2))
    waiting = waiting.filter(pc.equal(waiting["reason_code"], "no_tutor_capacity"))
    assert sorted(waiting["person_source_id"].to_pylist()) == sorted(season.id(f"c{n}") for n in range(1, 7))
    assert set(waiting["reason"].to_pylist()) == {"no tutor capacity: Math, Number and Operations, grade 02"}
    # the third night's roster has an aide at school C that tutors.csv does not list: the aide tutors
    groups = season.nights[2]["tutoring_group"]
    placed = [season.member(2, f"c{n}") for n in range(1, 7)]
    assert all(rows and rows[0]["entry_date"] == C6 for rows in placed)
    tutor_of = dict(
        zip(groups["source_id"].to_pylist(), groups["tutor_person_source_id"].to_pylist(), strict=True)
    )
    assert {tutor_of[rows[0]["group_source_id"]] for rows in placed} == {season.district.tutor_id("aide")}


@pytest.mark.slow
def test_a_group_whose_tutor_left_is_counted_without_a_tutor(season: Season) -> None:
    groups = season.nights[2]["tutoring_group"]
    memberships = season.nights[2]["group_membership"]
    open_groups = pc.is_in(
        groups["source_id"],
        value_set=memberships.filter(pc.is_null(memberships["exit_date"]))["group_source_id"],
    )
    untutored = groups.filter(pc.and_(open_groups, pc.is_null(groups["tutor_person_source_id"])))
    assert untutored.num_rows == 1
    assert untutored["school_source_id"].to_pylist() == [season.district.schools["source_id"][1].as_py()]
    assert "known: ok" in season.last_sync_output
    assert "  1 group(s) without a tutor: they do not meet until one is assigned" in season.last_sync_output


@pytest.mark.slow
def test_the_inverted_pyramid_and_a_cell_too_small_to_show(season: Season) -> None:
    school = season.district.schools["source_id"][2].as_py()
    pyramid = tier_distribution(season.nights[0]["tier_assignment"], TutoringPolicy())
    cells = {
        row["grade"]: row
        for row in pyramid.filter(pc.equal(pyramid["school_source_id"], school)).to_pylist()
        if row["subject"] == "math" and row["window"] == "fall"
    }
    assert (cells["02"]["students"], cells["02"]["tier3"], cells["02"]["inverted_pyramid"]) == (10, 6, True)
    assert (cells["01"]["students"], cells["01"]["inverted_pyramid"]) == (5, False)


@pytest.fixture(scope="module")
def behind(tmp_path_factory: pytest.TempPathFactory, instance: dg.DagsterInstance) -> tuple[HandBuilt, Night]:
    """The issue's district: 24 students two grade levels behind all year, in three schools."""
    directory = tmp_path_factory.mktemp("behind")
    pupils = [pupil(f"p{n}", n % 3, f"0{3 + n % 3}", steady(-1.5), **{NO: steady(-2.5)}) for n in range(24)]
    tutors = [Tutor(f"t{school}", school, max_groups=4) for school in range(3)]
    district = hand_built(pupils, tutors, students=40, seed=5)
    write_drop(district, directory / "drop", tutors)
    night = Night(
        hub_yaml(directory, {"behind": {}, "behind_exit": {"tutoring": {"review_action": "exit"}}}),
        "behind",
        instance,
    )
    night.sync(date(2026, 6, 1))
    return district, night


@pytest.mark.slow
def test_review_keeps_every_fall_entrant_in_tutoring(behind: tuple[HandBuilt, Night]) -> None:
    district, night = behind
    memberships = night.read("group_membership")
    students = [district.source_id(f"p{n}") for n in range(24)]
    still_in = memberships.filter(pc.is_null(memberships["exit_date"]))
    assert sorted(still_in["person_source_id"].to_pylist()) == sorted(students)
    assert pc.all(pc.equal(still_in["tutored_since"], C2)).as_py()
    reviews = night.read("tutoring_review")
    assert reviews.filter(pc.equal(reviews["review_date"], C5)).num_rows == 24
    assert set(reviews["outcome"].to_pylist()) == {"stays"}


@pytest.mark.slow
def test_review_action_exit_exits_then_a_new_test_lets_students_back(behind: tuple[HandBuilt, Night]) -> None:
    district, night = behind
    memberships = night.read("group_membership", "behind_exit")
    for n in range(24):
        first, again = memberships_of(memberships, district.source_id(f"p{n}"))
        assert first["exit_date"] == C5
        assert first["exit_reason"].startswith("reached the maximum number of cycles; review: ")
        assert again["entry_date"] == C6, "the early-March test is new evidence"
    unplaced = night.read("unplaced_entrant", "behind_exit")
    at_review = unplaced.filter(pc.equal(unplaced["boundary_date"], C5))
    assert at_review.num_rows == 24 and set(at_review["reason_code"].to_pylist()) == {"awaiting_new_test"}


def section_rows(report: dict, key: str) -> list[list]:
    [section] = [section for section in report["sections"] if section["key"] == key]
    return section["table"]["rows"] if section["table"] else []


@pytest.mark.slow
def test_small_cells_are_suppressed_in_the_school_report(season: Season) -> None:
    """School C's dashboard shows why six students wait, without their number (under 10), and the grade 1
    pyramid (five students) without its shares or its flag."""
    school = season.district.schools["source_id"][2].as_py()
    report = season.reports[0][school]
    [waiting] = section_rows(report, "decisions")
    assert waiting[:4] == ["Not placed: no tutor capacity", "Math", "Number and Operations", "02"]
    assert waiting[4]["suppressed"] and waiting[4]["value"] is None and waiting[4]["n"] is None
    pyramid = {(row[0], row[1]): row for row in section_rows(report, "pyramid")}
    assert pyramid[("Math", "02")][5] == "inverted"
    grade_one = pyramid[("Math", "01")]
    assert grade_one[5] == "suppressed" and all(figure["suppressed"] for figure in grade_one[2:5])


@pytest.mark.slow
def test_the_school_report_shows_a_group_without_a_tutor(season: Season) -> None:
    school = season.district.schools["source_id"][1].as_py()
    rows = section_rows(season.reports[2][school], "decisions")
    assert ["Group without a tutor", "Math", "Geometry", "05"] in [row[:4] for row in rows]
