"""Tutoring at district scale in one run, in the night's order: cycles, two boundaries, tiers, dosage, impact.

A first process builds a synthetic district (numpy, seeded; builders in bench/_common.py) and writes the
night's inputs as Parquet: fall tests place about 60,000 student-subjects in groups through the hub's own
boundary replay; those groups log six weeks of sessions (about a million session-attendance rows) with
absences, cancellations and substitute tutors; winter and spring tests respond to the sessions attended.
The skill gaps of every test are derived there too: the diagnostics stage stores them
(bench/diagnostics_import.py measures that). A fresh second process then times the night: it reads each
input from Parquet in the step that needs it, as the night's assets read the warehouse; replays the first
boundary (the same groups the sessions were logged against) and the boundary after the winter tests
(students exit, stay and regroup, or enter), each reading only the domain results of the tests it is the
first to see; then tiers over every test, dosage, and impact over the school year and every cycle begun.
Prints wall and CPU time and peak RSS (the night's process) per step, the totals beside the targets. Not a
test: run it by hand.

    .venv/bin/python bench/tutoring_night.py [--students 350000] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from _common import (
    TESTS,
    Clock,
    Seats,
    check,
    domain_rows,
    figure,
    in_fresh_process,
    roster,
    rss_mb,
    session_log,
    tutors,
    window_results,
)

from hub.diagnostics import GapThresholds, skill_gaps
from hub.pipeline.tutoring import decide_boundaries, replay_boundaries
from hub.tutoring import (
    Grouping,
    TutoringPolicy,
    assign_tiers,
    open_memberships,
    plan_cycles,
    tier_distribution,
)
from hub.tutoring.domain_evidence import DOMAIN_COLUMNS, HeldDomains
from hub.tutoring.dosage import Dosage, measure_dosage
from hub.tutoring.exits import CODE_LABELS, reason_codes
from hub.tutoring.impact import Impact, ImpactPeriod, measure_impact
from hub.tutoring.reads import READS

YEAR = (date(2025, 8, 18), date(2026, 5, 29))
AS_OF = date(2026, 6, 1)
TARGET_SECONDS, TARGET_RSS_MB = 30.0, 2048.0


def boundary_after(cycles: pa.Table, test_day: date) -> date:
    """The first cycle start after ``test_day``: the first boundary that sees those tests."""
    return min(start for start in cycles["start_date"].to_pylist() if start > test_day)


def seats_of(grouping: Grouping, students: pa.Table) -> Seats:
    """The hub's groups that have a tutor, as seats for the session builder (members ordered by group)."""
    groups = grouping.groups.filter(pc.is_valid(grouping.groups["tutor_person_source_id"]))
    members = open_memberships(grouping.memberships)
    group = pc.index_in(members["group_source_id"], groups["source_id"])
    members = members.append_column("group", group).filter(pc.is_valid(group)).sort_by("group")
    return Seats(
        person=pc.index_in(members["person_source_id"], students["source_id"]).to_numpy(),
        subject=pc.equal(members["subject"], "math").to_numpy(zero_copy_only=False).astype(np.int64),
        group=members["group"].to_numpy(),
        group_ids=groups["source_id"].combine_chunks(),
        tutor_ids=groups["tutor_person_source_id"].combine_chunks(),
    )


def write(folder: Path, tables: dict[str, pa.Table]) -> None:
    for name, table in tables.items():
        pq.write_table(table, folder / f"{name}.parquet")


def read(folder: Path, name: str) -> pa.Table:
    """An input as the night reads it from the warehouse: the columns ``read_narrowed`` reads, else all."""
    return pq.read_table(folder / f"{name}.parquet", columns=READS.get(name))


def window_domains(folder: Path, window: str) -> HeldDomains:
    """The domain results of the night that decides the boundary after ``window``'s tests: only those of
    that window's tests, the first that boundary sees."""
    return HeldDomains(pq.read_table(folder / f"domain_result.{window}.parquet", columns=DOMAIN_COLUMNS))


def build(students: int, seed: int, folder: Path) -> None:
    """The first process: the district's inputs, written to ``folder`` as the night's tables.

    The fall groups come from the hub's own first boundary, so that sessions are logged against the groups
    the night forms; random draws come in the same order as when all of this ran in one process.
    """
    rng = np.random.default_rng(seed)
    n, policy, thresholds = students, TutoringPolicy(), GapThresholds()
    people, demographics = roster(rng, n)
    level = rng.normal(-0.2, 1.0, 2 * n)  # per student and subject, in grade levels
    staff = tutors(rng, max(1, n // 600), n // 60)
    fall = window_results(rng, people, level, np.zeros(2 * n), "fall")
    fall_domains = domain_rows(rng, fall)
    fall_gaps = skill_gaps(fall, fall_domains, thresholds)
    write(folder, {"person": people, "demographics": demographics, "tutor_profile": staff})
    write(folder, {"domain_result.fall": fall_domains})
    cycles = plan_cycles(*YEAR, policy.cycle_weeks)
    first = boundary_after(cycles, TESTS["fall"])
    entry = replay_boundaries(
        fall, HeldDomains(fall_domains), people, staff, cycles, [first], policy, fall_gaps
    )
    print(
        f"{n:,} students, {staff.num_rows:,} tutors; fall: {fall.num_rows:,} results, "
        f"{fall_domains.num_rows:,} domain results"
    )

    seats = seats_of(entry, people)
    sessions, attendance, rate = session_log(rng, seats)
    boost = np.zeros(2 * n)
    boost[seats.subject * n + seats.person] = 8 * rate  # tutored growth follows attendance
    winter = window_results(rng, people, level, boost, "winter")
    winter_domains = domain_rows(rng, winter)
    gaps = pa.concat_tables([fall_gaps, skill_gaps(winter, winter_domains, thresholds)])
    print(
        f"{len(seats.group):,} tutored in {len(seats.group_ids):,} groups with a tutor: "
        f"{sessions.num_rows:,} sessions, {attendance.num_rows:,} attendance rows; winter: "
        f"{winter_domains.num_rows:,} domain results; skill gaps {gaps.num_rows:,}"
    )
    write(folder, {"domain_result.winter": winter_domains, "skill_gap": gaps})
    write(folder, {"tutoring_session": sessions, "session_attendance": attendance})
    spring = window_results(rng, people, level, boost, "spring")
    write(folder, {"assessment_result": pa.concat_tables([fall, winter, spring])})
    print(f"inputs built and written as Parquet (that process's peak RSS {rss_mb():.0f} MB)")


def night(folder: Path) -> dict[str, float]:
    """The second process: the night's tutoring work, timed step by step, each reading what it needs."""
    policy, clock = TutoringPolicy(), Clock()
    students, staff = clock.step(
        "read students and tutors", lambda: (read(folder, "person"), read(folder, "tutor_profile"))
    )
    cycles = clock.step("cycle plan", plan_cycles, *YEAR, policy.cycle_weeks)
    first, second = boundary_after(cycles, TESTS["fall"]), boundary_after(cycles, TESTS["winter"])
    known = (students, staff, cycles)
    entry = clock.step(
        f"boundary {first}: tiers, gaps, groups (fall tests)",
        lambda: decide_boundaries(
            partial(read, folder), window_domains(folder, "fall"), *known, [first], policy
        ),
    )
    grouping = clock.step(
        f"boundary {second}: exits, regroup, entrants (winter)",
        lambda: decide_boundaries(
            partial(read, folder), window_domains(folder, "winter"), *known, [second], policy, entry
        ),
    )
    tiers = clock.step(
        "tiers, every window", lambda: assign_tiers(read(folder, "assessment_result"), students, policy)
    )
    pyramid = clock.step("tier distribution", tier_distribution, tiers, policy)
    tier_rows = tiers.num_rows
    del tiers  # the night stores them; the steps after it do not hold them
    dosage = clock.step(
        "dosage",
        lambda: measure_dosage(
            read(folder, "tutoring_session"), read(folder, "session_attendance"), grouping.groups
        ),
    )
    begun = cycles.filter(pc.less_equal(cycles["start_date"], pa.scalar(AS_OF, pa.date32())))
    year = max(cycles["school_year"].to_pylist())
    periods = [ImpactPeriod.for_school_year(year), *ImpactPeriod.for_cycles(begun)]
    impact = clock.step(
        f"impact (school year + {len(periods) - 1} cycles)",
        lambda: measure_impact(
            read(folder, "assessment_result"),
            students,
            read(folder, "demographics"),
            dosage.student_weeks,
            grouping.memberships,
            periods,
        ),
    )
    shared = clock.step("suppress every aggregate", impact.suppressed)
    peak = rss_mb()
    Outcome(tier_rows, pyramid, entry, grouping, dosage, impact, shared["comparison"].num_rows).show()
    return {"wall": clock.wall, "cpu": clock.cpu, "peak_mb": peak}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the night decided and measured, printed as figures once the clock has stopped."""

    tier_rows: int
    pyramid: pa.Table
    entry: Grouping
    grouping: Grouping
    dosage: Dosage
    impact: Impact
    comparison_cells: int

    def show(self) -> None:
        memberships, groups = self.grouping.memberships, self.grouping.groups
        still_open = pc.is_null(memberships["exit_date"])
        print("figures:")
        figure("tier rows (one per test of record)", self.tier_rows)
        inverted = pc.sum(self.pyramid["inverted_pyramid"])
        figure("school x grade x subject x window cells; inverted", self.pyramid.num_rows, inverted)
        figure(
            "in tutoring after the first boundary", pc.sum(pc.is_null(self.entry.memberships["exit_date"]))
        )
        figure("in tutoring after the second; exited", pc.sum(still_open), pc.sum(pc.invert(still_open)))
        exited = memberships.filter(pc.invert(still_open))["exit_reason"]
        for reason in pc.value_counts(reason_codes(exited)).to_pylist():  # by code: the reason, no detail
            figure(f"  {CODE_LABELS[reason['values']]}", reason["counts"])
        figure("groups; closed", groups.num_rows, pc.sum(pc.is_valid(groups["closed_on"])))
        logged = pc.is_in(self.dosage.sessions["group_source_id"], groups["source_id"])
        figure("sessions; of groups this night formed", self.dosage.sessions.num_rows, pc.sum(logged))
        weeks = self.dosage.student_weeks
        figure("student-weeks; under-dosed", weeks.num_rows, pc.sum(weeks["under_dosed"].cast(pa.int64())))
        figure("impact student rows; comparison cells", self.impact.students.num_rows, self.comparison_cells)


def night_apart(students: int, seed: int) -> dict[str, Any]:
    """Build the inputs in one process, then time the night in a fresh one: its peak RSS is the night's."""
    with tempfile.TemporaryDirectory(prefix="tutorhub-bench-") as work:
        in_fresh_process(build, students, seed, Path(work))
        print("the night, in a fresh process (peak RSS: that process's so far)")
        return in_fresh_process(night, Path(work))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=350_000)
    parser.add_argument("--seed", type=int, default=7)
    district = parser.parse_args()
    run = night_apart(district.students, district.seed)
    print(f"total: {run['wall']:.2f} s wall, {run['cpu']:.2f} s CPU; peak RSS {run['peak_mb']:.0f} MB")
    results_ok = [
        check("time", run["wall"] <= TARGET_SECONDS, f"{run['wall']:.1f} s <= {TARGET_SECONDS:.0f} s"),
        check(
            "peak RSS", run["peak_mb"] <= TARGET_RSS_MB, f"{run['peak_mb']:.0f} MB <= {TARGET_RSS_MB:.0f} MB"
        ),
    ]
    return 0 if all(results_ok) else 1


if __name__ == "__main__":
    sys.exit(main())
