"""Tutoring at district scale in one run, in the night's order: cycles, two boundaries, tiers, dosage, impact.

A synthetic district (numpy, seeded; builders in bench/_common.py): fall tests place about 60,000
student-subjects in groups through the hub's own boundary replay; those groups log six weeks of sessions
(about a million session-attendance rows) with absences, cancellations and substitute tutors; winter and
spring tests respond to the sessions attended; at the boundary after the winter tests students exit, stay
and regroup, or enter. Then tiers over every test, dosage, and impact over the school year and every cycle
begun. Inputs are built between the steps and not timed; each boundary gets only the domain results of the
tests it is the first to see, as a night reading the warehouse would. Prints wall and CPU time per step,
the totals and the peak RSS beside the targets. Not a test: run it by hand.

    .venv/bin/python bench/tutoring_night.py [--students 350000] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from _common import (
    TESTS,
    Clock,
    Seats,
    check,
    domain_rows,
    figure,
    roster,
    rss_mb,
    session_log,
    tutors,
    window_results,
)

from hub.diagnostics import GapThresholds, skill_gaps
from hub.pipeline.tutoring import replay_boundaries
from hub.tutoring import (
    Grouping,
    TutoringPolicy,
    assign_tiers,
    open_memberships,
    plan_cycles,
    tier_distribution,
)
from hub.tutoring.dosage import measure_dosage
from hub.tutoring.impact import ImpactPeriod, measure_impact

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=350_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.students
    policy, thresholds = TutoringPolicy(), GapThresholds()
    clock = Clock()

    students, demographics = roster(rng, n)
    level = rng.normal(-0.2, 1.0, 2 * n)  # per student and subject, in grade levels
    staff = tutors(rng, max(1, n // 600), n // 60)
    fall = window_results(rng, students, level, np.zeros(2 * n), "fall")
    fall_domains = domain_rows(rng, fall)
    print(
        f"{n:,} students, {staff.num_rows:,} tutors; fall: {fall.num_rows:,} results, "
        f"{fall_domains.num_rows:,} domain results (peak RSS so far {rss_mb():.0f} MB)"
    )
    # Skill gaps are the diagnostics stage's work (bench/diagnostics_import.py): stored, not timed here.
    fall_gaps = skill_gaps(fall, fall_domains, thresholds)
    cycles = clock.step("cycle plan", lambda: plan_cycles(*YEAR, policy.cycle_weeks))
    first, second = boundary_after(cycles, TESTS["fall"]), boundary_after(cycles, TESTS["winter"])
    entry = clock.step(
        f"boundary {first}: tiers, gaps, groups (fall tests)",
        replay_boundaries,
        *(fall, fall_domains, students, staff, cycles, [first], policy, fall_gaps),
    )
    del fall_domains  # in the warehouse by the next boundary

    seats = seats_of(entry, students)
    sessions, attendance, rate = session_log(rng, seats)
    boost = np.zeros(2 * n)
    boost[seats.subject * n + seats.person] = 8 * rate  # tutored growth follows attendance
    winter = window_results(rng, students, level, boost, "winter")
    winter_domains = domain_rows(rng, winter)
    print(
        f"{len(seats.group):,} tutored in {len(seats.group_ids):,} groups with a tutor: "
        f"{sessions.num_rows:,} sessions, {attendance.num_rows:,} attendance rows; winter: "
        f"{winter_domains.num_rows:,} domain results (peak RSS so far {rss_mb():.0f} MB)"
    )
    known = pa.concat_tables([fall, winter])
    gaps = pa.concat_tables([fall_gaps, skill_gaps(winter, winter_domains, thresholds)])
    grouping = clock.step(
        f"boundary {second}: exits, regroup, entrants (winter)",
        replay_boundaries,
        *(known, winter_domains, students, staff, cycles, [second], policy, gaps, entry),
    )
    del winter_domains, known

    results = pa.concat_tables([fall, winter, window_results(rng, students, level, boost, "spring")])
    del fall, winter
    tiers = clock.step("tiers, every window", lambda: assign_tiers(results, students, policy))
    pyramid = clock.step("tier distribution", lambda: tier_distribution(tiers, policy))
    dosage = clock.step("dosage", lambda: measure_dosage(sessions, attendance, grouping.groups))
    begun = cycles.filter(pc.less_equal(cycles["start_date"], pa.scalar(AS_OF, pa.date32())))
    year = max(cycles["school_year"].to_pylist())
    periods = [ImpactPeriod.for_school_year(year), *ImpactPeriod.for_cycles(begun)]
    impact = clock.step(
        f"impact (school year + {len(periods) - 1} cycles)",
        lambda: measure_impact(
            results, students, demographics, dosage.student_weeks, grouping.memberships, periods
        ),
    )
    shared = clock.step("suppress every aggregate", impact.suppressed)

    still_open = pc.is_null(grouping.memberships["exit_date"])
    print("figures:")
    figure("test results; tier rows", results.num_rows, tiers.num_rows)
    inverted = pc.sum(pyramid["inverted_pyramid"])
    figure("school x grade x subject x window cells; inverted", pyramid.num_rows, inverted)
    figure("in tutoring after the first boundary", pc.sum(pc.is_null(entry.memberships["exit_date"])))
    figure("in tutoring after the second; exited", pc.sum(still_open), pc.sum(pc.invert(still_open)))
    exited = grouping.memberships.filter(pc.invert(still_open))["exit_reason"]
    kinds = pc.replace_substring_regex(exited, r"( in |: |; | \().*$", "")  # the reason without its detail
    for reason in pc.value_counts(kinds).to_pylist():
        figure(f"  {reason['values']}", reason["counts"])
    figure("groups; closed", grouping.groups.num_rows, pc.sum(pc.is_valid(grouping.groups["closed_on"])))
    weeks = dosage.student_weeks
    figure("student-weeks; under-dosed", weeks.num_rows, pc.sum(weeks["under_dosed"].cast(pa.int64())))
    figure("impact student rows; comparison cells", impact.students.num_rows, shared["comparison"].num_rows)
    print(
        f"total: {clock.wall:.2f} s wall, {clock.cpu:.2f} s CPU; peak RSS {rss_mb():.0f} MB "
        "(synthetic inputs included)"
    )
    results_ok = [
        check("time", clock.wall <= TARGET_SECONDS, f"{clock.wall:.1f} s <= {TARGET_SECONDS:.0f} s"),
        check("peak RSS", rss_mb() <= TARGET_RSS_MB, f"{rss_mb():.0f} MB <= {TARGET_RSS_MB:.0f} MB"),
    ]
    return 0 if all(results_ok) else 1


if __name__ == "__main__":
    sys.exit(main())
