"""The review meeting packet on a hand-built district whose boundary decisions are known by construction.

District "packet" runs under ``max_cycles: 2`` (a review every two cycles), to the night after boundary C6
(the first that sees the early-March tests). At C6, by construction:

* school A, grade 4, Number and Operations: "stuck" (in since C2, reviewed at C4, falling further behind)
  is reviewed again: **refer**; "mastered" is on grade level in the spring test: **exit**; "late" and
  "slipping" entered at C5 (behind only from the winter test), so are not due a review: "slipping"'s
  progress signal is below the aimline (**adjust**), "late"'s is on track (**continue**);
* school A, grade 4, Geometry: "geo1" and "geo2" both master it in spring: both exit and their group is
  **closed**;
* school B, grade 5, Geometry: two groups of three; rg1 and rg2 master it in spring, so rg3, left alone,
  moves into the other group: their group is **merged**.

The progress step's ``progress_goal`` rows are written here as that step writes them (a derived table,
applied whole), then the packets are built and pushed by the same functions the night's assets call.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml

from hub.connector import NormalizedBatch, SyncMode
from hub.model import conform
from hub.pipeline.context import DistrictRun
from hub.pipeline.delivery import load_rendered, push_district
from hub.pipeline.packets import build_district_packets, review_packets
from hub.pipeline.parts import school_parts
from hub.plugins import installed
from hub.reports.rendered import render
from hub.settings import load_hub_config
from tests.scenarios.handbuilt import HandBuilt, Tutor, hand_built, write_drop
from tests.scenarios.test_decisions import C6, GEO, NO, Night, hub_yaml, pupil, steady, write_sessions

AS_OF = C6 + timedelta(days=4)
MASTERS = {"fall": -2.5, "winter": -2.5, "spring": 0.3}
MASTERED_DOMAIN = {"fall": -3.5, "winter": -3.5, "spring": 1.2}
FROM_WINTER = {"fall": 0.5, "winter": -2.5, "spring": -2.5}
PUPILS = [
    pupil("stuck", 0, "04", {"fall": -2.5, "winter": -2.9, "spring": -3.2}, **{NO: steady(-3.5)}),
    pupil("mastered", 0, "04", MASTERS, **{NO: MASTERED_DOMAIN}),
    pupil("late", 0, "04", FROM_WINTER, **{NO: {"fall": 1.0, "winter": -3.0, "spring": -3.0}}),
    pupil("slipping", 0, "04", FROM_WINTER, **{NO: {"fall": 1.0, "winter": -3.0, "spring": -3.0}}),
    pupil("geo1", 0, "04", MASTERS, **{GEO: MASTERED_DOMAIN}),
    pupil("geo2", 0, "04", MASTERS, **{GEO: MASTERED_DOMAIN}),
    *(pupil(f"rg{n}", 1, "05", MASTERS, **{GEO: MASTERED_DOMAIN}) for n in (1, 2)),
    *(pupil(f"rg{n}", 1, "05", steady(-2.5), **{GEO: steady(-3.5)}) for n in range(3, 7)),
]  # fmt: skip
TUTORS = [Tutor("a", 0), Tutor("b", 1, max_groups=2)]


@dataclass
class Packets:
    district: HandBuilt
    night: Night
    folder: Path
    """the files destination's folder for the district"""

    def id(self, key: str) -> str:
        return self.district.source_id(key)

    def run(self) -> DistrictRun:
        return DistrictRun(self.night.hub, self.night.hub.district("packet"), installed())

    def school(self, number: int) -> str:
        return self.district.schools["source_id"][number].as_py()

    def csv_rows(self, school: int) -> list[dict[str, str]]:
        """The school's packet as its CSV landed in the files destination."""
        path = self.folder / f"review_packet-{self.school(school)}%3A{C6.isoformat()}.csv"
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))

    def by_student(self, school: int) -> dict[str, dict[str, str]]:
        names = {self.name(key): key for key in self.district.pupils}
        return {names[row["Student"]]: row for row in self.csv_rows(school)}

    def name(self, key: str) -> str:
        row = self.district.students.slice(self.district.pupils[key], 1).to_pylist()[0]
        return f"{row['given_name']} {row['family_name']}"


@pytest.fixture(scope="module")
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture(scope="module")
def packets(tmp_path_factory: pytest.TempPathFactory, instance: dg.DagsterInstance) -> Packets:
    directory = tmp_path_factory.mktemp("packet")
    district = hand_built(PUPILS, TUTORS, seed=7)
    write_drop(district, directory / "drop", TUTORS)
    hub = hub_yaml(directory, {"packet": {"tutoring": {"max_cycles": 2}}})
    config = yaml.safe_load(hub.path.read_text())
    config["districts"][0]["connectors"].append(
        {"name": "share", "type": "files", "settings": {"directory": "share"}}
    )
    hub.path.write_text(yaml.safe_dump(config))
    night = Night(load_hub_config(hub.path), "packet", instance)
    night.sync(AS_OF)
    # the tutor logs eight weekly sessions of stuck's group before C6 (stuck missed one) and one after it;
    # all-but-one attendance leaves the stored reviews as they were
    memberships = night.read("group_membership")
    [first] = memberships.filter(pc.equal(memberships["person_source_id"], district.source_id("stuck")))[
        "group_source_id"
    ].to_pylist()[:1]
    days = [date(2025, 10, 6) + timedelta(weeks=week) for week in range(8)] + [C6 + timedelta(days=1)]
    members = [district.source_id(key) for key in ("stuck", "mastered")]
    rows = [
        {
            "session_id": f"s-{number}",
            "session_date": day.isoformat(),
            "minutes": 30,
            "tutor_id": district.tutor_id("a"),
            "group_id": first,
            "student_id": student,
            "attendance": "absent" if (student, number) == (members[0], 3) else "present",
        }
        for number, day in enumerate(days)
        for student in members
    ]
    write_sessions(directory / "drop", rows)
    night.sync(AS_OF)
    return Packets(district, night, directory / "share" / "packet")


def logged(packets: Packets, key: str) -> str:
    """Sessions attended of scheduled and minutes present before C6, read from the warehouse."""
    sessions = packets.night.read("tutoring_session")
    attendance = packets.night.read("session_attendance")
    mine = attendance.filter(pc.equal(attendance["person_source_id"], packets.id(key))).join(
        sessions.select(["source_id", "session_date"]), "session_source_id", right_keys="source_id"
    )
    mine = mine.filter(pc.less(mine["session_date"], pa.scalar(C6, pa.date32()))).to_pylist()
    came = [row for row in mine if row["attendance"] in ("present", "tardy")]
    return f"{len(came)} of {len(mine)} sessions, {sum(row['minutes_present'] for row in came)} minutes"


def write_goals(packets: Packets, signals: dict[str, str]) -> None:
    """``progress_goal`` rows for the pupils' placements on C6's eve, as the progress step writes them."""
    memberships = packets.night.read("group_membership")
    rows = []
    for key, signal in signals.items():
        [held] = memberships.filter(
            pc.and_(
                pc.equal(memberships["person_source_id"], packets.id(key)),
                pc.less(memberships["entry_date"], pa.scalar(C6, pa.date32())),
            )
        ).to_pylist()
        rows.append(
            {
                "source_id": held["source_id"],
                "membership_source_id": held["source_id"],
                "group_source_id": held["group_source_id"],
                "person_source_id": held["person_source_id"],
                "subject": "math",
                "cycle_source_id": "2026-c5",
                "canonical_domain": NO,
                "measure": "mastery_check",
                "goal_basis": "Number and Operations to grade level",
                "baseline_date": held["entry_date"],
                "baseline_score": 40.0,
                "goal_date": C6,
                "goal_score": 80.0,
                "aimline_per_week": 40.0 / 6,
                "points": 5,
                "latest_date": C6 - timedelta(days=3),
                "latest_score": 45.0 if signal == "adjust" else 75.0,
                "rate_of_improvement": 1.0 if signal == "adjust" else 6.5,
                "signal": signal,
                "signal_reason": f"4 points in a row {'below' if signal == 'adjust' else 'on'} the aimline",
                "evaluated_on": C6 - timedelta(days=1),
            }
        )
    run = packets.run()
    try:
        batch = NormalizedBatch({"progress_goal": conform("progress_goal", pa.Table.from_pylist(rows))},
                                {"progress_goal": SyncMode.BULK})  # fmt: skip
        run.warehouse.apply("packet", "progress_monitoring", batch, max_delete_fraction=1.0)
    finally:
        run.close()


def build_and_push(packets: Packets) -> dict[tuple[str, str, str], str]:
    """The packets step, then the push, as the night's assets run them: outcome per packet target."""
    run = packets.run()
    try:
        build_district_packets(run)
        pushed = push_district(run)
    finally:
        run.close()
    return {
        (record.kind, record.target, record.content_type): record.outcome.value
        for record in pushed["share"]
        if record.kind == "review_packet"
    }


@pytest.mark.slow
def test_the_boundary_went_as_constructed(packets: Packets) -> None:
    memberships = packets.night.read("group_membership")
    groups = {row["source_id"]: row for row in packets.night.read("tutoring_group").to_pylist()}

    def held(key: str) -> list[dict]:
        rows = memberships.filter(pc.equal(memberships["person_source_id"], packets.id(key)))
        return rows.sort_by([("entry_date", "ascending")]).to_pylist()

    first = {key: held(key)[0]["group_source_id"] for key in ("rg1", "rg3", "rg4", "geo1", "stuck", "late")}
    assert first["rg1"] == first["rg3"] != first["rg4"]  # precondition of the merge
    assert first["late"] == first["stuck"]  # the winter entrants took the free seats
    assert held("rg3")[0]["exit_reason"].startswith(f"moved to group {first['rg4']}")
    assert groups[first["rg1"]]["closed_on"] == groups[first["geo1"]]["closed_on"] == C6


@pytest.mark.slow
def test_packet_decisions_and_evidence_come_from_the_warehouse(packets: Packets) -> None:
    write_goals(packets, {"slipping": "adjust", "late": "on_track", "stuck": "adjust"})
    build_and_push(packets)
    school_a = packets.by_student(0)
    decisions = {key: row["Decision"] for key, row in school_a.items()}
    assert decisions == {
        "stuck": "refer",  # the review outranks its adjust signal
        "mastered": "exit",
        "late": "continue",
        "slipping": "adjust",
        "geo1": "exit",
        "geo2": "exit",
    }
    reviews = packets.night.read("tutoring_review")
    [review] = reviews.filter(
        pc.and_(
            pc.equal(reviews["person_source_id"], packets.id("stuck")), pc.equal(reviews["review_date"], C6)
        )
    ).to_pylist()
    assert review["action"] == "refer"
    stuck = school_a["stuck"]
    refer = "Review: refer for Tier 3 support or further evaluation"
    assert stuck["Decided by"] == f"{refer}; {review['reason']}"
    assert stuck["Progress points and signal"] == (
        # five points are too few for a trend: the packet states none (the stored rate is +1.00)
        "5 points, no rate yet (a trend needs 8 points); adjust the plan (as of 2026-03-15)"
    )
    assert stuck["Baseline test"] == f"i-Ready 2025-26 fall: {review['baseline_score']:g}"
    assert stuck["Latest test before the boundary"] == f"{review['latest_test']}: {review['latest_score']:g}"
    assert stuck["Dosage received"] == "7 of 8 sessions, 210 minutes, since 2025-09-29"
    assert stuck["Dosage received"].startswith(logged(packets, "stuck"))
    # the logged sessions were before they entered
    assert school_a["late"]["Dosage received"] == "0 of 0 sessions, 0 minutes, since 2026-02-02"
    memberships = packets.night.read("group_membership")
    [exited] = memberships.filter(
        pc.and_(
            pc.equal(memberships["person_source_id"], packets.id("mastered")),
            pc.is_valid(memberships["exit_date"]),
        )
    ).to_pylist()
    assert school_a["mastered"]["Decided by"] == f"Exit rule: {exited['exit_reason']}"
    slipping = school_a["slipping"]
    assert slipping["Decided by"] == "Progress rule: 4 points in a row below the aimline"
    assert (
        slipping["Goal (basis; measure)"]
        == "80 by 2026-03-16 (Number and Operations to grade level; mastery_check)"
    )
    school_b = packets.by_student(1)
    assert {key: row["Decision"] for key, row in school_b.items()} == {
        "rg1": "exit", "rg2": "exit", "rg3": "refer", "rg4": "refer", "rg5": "refer", "rg6": "refer",
    }  # fmt: skip
    now = school_b["rg4"]["Group (tutor)"].split(": ", 1)[1].split(" (")[0]
    assert school_b["rg3"]["Group (tutor)"].endswith(f", now {now}")


@pytest.mark.slow
def test_packet_groups_and_pyramid(packets: Packets) -> None:
    run = packets.run()
    try:
        reports = [
            r for r in load_rendered(run) if r.kind == "review_packet" and r.content_type == "text/html"
        ]
    finally:
        run.close()
    html = {report.target.split(":")[0]: report.body.decode() for report in reports}
    assert sorted(html) == sorted([packets.school(0), packets.school(1)])
    school_b = html[packets.school(1)]
    assert "merged" in school_b and f"moved: {packets.name('rg3')}" in school_b
    school_a = html[packets.school(0)]
    assert f"left tutoring: {packets.name('geo1')}, {packets.name('geo2')}" in school_a or (
        f"left tutoring: {packets.name('geo2')}, {packets.name('geo1')}" in school_a
    )
    # the pyramid: grade 4 of school A has six students in the spring window, under the minimum of 10
    assert "Tier pyramid against the healthy ranges" in school_a
    assert "suppressed (n &lt; 10)" in school_a


@pytest.mark.slow
def test_packets_a_school_at_a_time_are_the_districts(packets: Packets) -> None:
    """An exit, a closed group and a merge in two schools: built a school at a time (parts of one student),
    the packets say, byte for byte, what the whole district's say."""
    stamp = datetime(2026, 3, 20, 6, 0, tzinfo=UTC)

    def built(part_students: int) -> list[tuple[str, list[bytes]]]:
        district = packets.night.hub.district("packet").model_copy(update={"part_students": part_students})
        run = DistrictRun(packets.night.hub, district, installed())
        try:
            parts = school_parts(run.warehouse, run.district_id, part_students)
            assert len(parts) == 1 if part_students > 1 else len(parts) > 2  # a part per school
            return [
                (packet.target, [made.body for made in render(packet, ("text/html", "text/csv"))])
                for packet in review_packets(run, C6, stamp)
            ]
        finally:
            run.close()

    whole = built(1_000_000)
    assert [target for target, _ in whole] == [f"{packets.school(n)}:{C6.isoformat()}" for n in (0, 1)]
    assert built(1) == whole


@pytest.mark.slow
def test_packets_are_pushed_exactly_once(packets: Packets, caplog: pytest.LogCaptureFixture) -> None:
    write_goals(packets, {"slipping": "adjust", "late": "on_track", "stuck": "adjust"})
    build_and_push(packets)  # whatever the earlier tests left, the ledger now holds these packets
    caplog.set_level(logging.DEBUG)
    again = build_and_push(packets)
    assert caplog.records and not [
        name for name in map(packets.name, packets.district.pupils) if name in caplog.text
    ]
    assert set(again.values()) == {"unchanged"} and len(again) == 4  # two schools, HTML and CSV
    write_goals(packets, {"slipping": "on_track", "late": "on_track", "stuck": "adjust"})
    changed = build_and_push(packets)
    school_a, school_b = (f"{packets.school(n)}:{C6.isoformat()}" for n in (0, 1))
    assert changed == {
        ("review_packet", school_a, "text/html"): "updated",
        ("review_packet", school_a, "text/csv"): "updated",
        ("review_packet", school_b, "text/html"): "unchanged",
        ("review_packet", school_b, "text/csv"): "unchanged",
    }
    assert packets.by_student(0)["slipping"]["Decision"] == "continue"


@pytest.mark.slow
def test_the_dashboards_report_impact_per_cycle_from_the_stored_impact(packets: Packets) -> None:
    data = packets.night.hub.district("packet").data_path(packets.night.hub.data_dir)
    stored = pq.read_table(data / "analytics" / "impact" / "comparison.parquet").to_pylist()
    district = json.loads((data / "reports" / "district" / "packet.json").read_text())
    [section] = [section for section in district["sections"] if section["key"] == "impact_cycles"]
    rows = section["table"]["rows"]
    assert [row[0] for row in rows] == [row["period"] for row in stored]  # the year, then each cycle
    assert stored[0]["cycle"] is None and all(row["cycle"] for row in stored[1:])
    for shown, measured in zip(rows, stored, strict=True):
        tutored = shown[3]
        if measured["n"] < 10:
            assert tutored["suppressed"] and tutored["n"] is None
        else:
            assert (tutored["value"], tutored["n"]) == (round(measured["mean_growth"], 1), measured["n"])
