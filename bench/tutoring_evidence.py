"""Tutoring evidence at district scale: dosage and impact for 350,000 students, ~60,000 of them tutored.

A synthetic district (numpy, seeded): every student tested in both subjects in fall, winter and spring;
~60,000 student-subjects in groups of four, each group logged for about six weeks of sessions (about a
million session-attendance rows) with realistic absences, cancellations and tutor changes; tutored growth
follows attendance; one membership in ten ends late in January with one of the hub's exit reasons.
Prints the wall and CPU time of each step (impact cut into every school's dashboard figures included),
the sizes, a few figures and the peak RSS. Not a test: run it by hand.

    .venv/bin/python bench/tutoring_evidence.py [--students 350000] [--tutored 60000] [--seed 7]
"""

from __future__ import annotations

import argparse
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from _common import Clock, results, roster, rss_mb, tutoring

from hub.reports.slices import split_by_school
from hub.tutoring.dosage import measure_dosage
from hub.tutoring.exits import LEFT_ROSTER_REASON, MAX_CYCLES_REASON
from hub.tutoring.impact import ImpactPeriod, measure_impact

EXIT_DAY = date(2026, 1, 23)  # inside both measured periods, so the exits leave who counts as tutored alone
EXIT_REASONS = np.array(
    [
        "on grade level in Phonics (i-Ready 2025-26 winter: Grade 3)",
        "typical growth met: 104 % of the annual typical growth (i-Ready 2025-26 winter, overall scale 512)",
        MAX_CYCLES_REASON,
        LEFT_ROSTER_REASON,
    ]
)
TARGET_SECONDS, TARGET_RSS_MB = 30.0, 2048.0


def with_exits(memberships: pa.Table, seed: int) -> pa.Table:
    """One membership in ten closed on ``EXIT_DAY`` with one of the hub's reasons (own generator, so the
    rest of the district draws the same numbers as without exits)."""
    rng = np.random.default_rng([seed, 1])
    n = memberships.num_rows
    stays = rng.random(n) >= 0.1
    reasons = EXIT_REASONS[rng.integers(0, len(EXIT_REASONS), n)]
    columns = {
        "exit_date": pa.array([EXIT_DAY] * n, pa.date32(), mask=stays),
        "exit_reason": pa.array(reasons, mask=stays),
    }
    for name, values in columns.items():
        memberships = memberships.set_column(memberships.schema.get_field_index(name), name, values)
    return memberships


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=350_000)
    parser.add_argument("--tutored", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.students
    students, demographics = roster(rng, n)
    level = rng.normal(-0.2, 1.0, 2 * n)  # per student and subject, in grade levels
    log = tutoring(rng, n, args.tutored, level)
    tests = results(rng, students, level, log["dose"])
    memberships = with_exits(log["memberships"], args.seed)
    print(
        f"{n:,} students, {log['memberships'].num_rows:,} tutored student-subjects in "
        f"{log['groups'].num_rows:,} groups, {log['sessions'].num_rows:,} sessions, "
        f"{log['attendance'].num_rows:,} attendance rows, {tests.num_rows:,} test results "
        f"(inputs built; peak RSS so far {rss_mb():.0f} MB)"
    )
    clock = Clock(width=40)
    dosage = clock.step("dosage", lambda: measure_dosage(log["sessions"], log["attendance"], log["groups"]))
    cycle = ImpactPeriod("cycle 2", 2026, date(2025, 10, 6), date(2026, 1, 30))
    impact = clock.step(
        "impact (school year + one cycle)",
        lambda: measure_impact(
            tests,
            students,
            demographics,
            dosage.student_weeks,
            memberships,
            [ImpactPeriod.for_school_year(2026), cycle],
        ),
    )
    shared = clock.step("suppress every aggregate", impact.suppressed)
    schools = students["primary_school_source_id"].unique().to_pylist()
    by_school = clock.step(
        f"cut into {len(schools):,} schools' impact", lambda: split_by_school(impact, schools)
    )

    weeks = dosage.student_weeks
    print("figures:")
    flagged = {flag: pc.sum(weeks[flag].cast(pa.int64())).as_py() for flag in ("under_dosed", "tutor_change")}
    print(
        f"  student-weeks {weeks.num_rows:,}; under-dosed {flagged['under_dosed']:,}; "
        f"tutor changes {flagged['tutor_change']:,}"
    )
    for row in shared["comparison"].to_pylist():
        print(
            f"  {row['period']:<8} {row['subject']:<5} {row['vendor']:<9} tutored n={shown(row['n'])} "
            f"growth {shown(row['mean_growth'])}  peers n={shown(row['peer_n'])} "
            f"growth {shown(row['peer_mean_growth'])}  difference {shown(row['mean_difference'])}"
        )
    yearly = shared["dosage"].filter(pc.equal(shared["dosage"]["period"], "2025-26"))
    for row in yearly.to_pylist():
        print(
            f"  dosage {row['subject']:<5} {row['vendor']:<9} {row['dosage_band']:<8} n={shown(row['n'])} "
            f"difference {shown(row['mean_difference'])}"
        )
    exits = shared["exits"].filter(pc.equal(shared["exits"]["period"], "2025-26"))
    counts = [(r["subject"], r["reason_code"], r["n"]) for r in exits.to_pylist()]
    print(
        "  exits "
        + ", ".join(
            f"{subject} {code} {'suppressed' if n is None else f'{n:,}'}" for subject, code, n in counts
        )
    )
    largest = max(by_school.values(), key=lambda school: school.students.num_rows)
    print(
        f"  schools: {len(by_school):,}; the largest has {largest.students.num_rows:,} tutored student rows "
        f"and {largest.subgroups.num_rows:,} subgroup rows"
    )
    print(
        f"evidence: {clock.wall:.2f} s wall, {clock.cpu:.2f} s CPU (target {TARGET_SECONDS:.0f} s for all of "
        f"issue 4's logic together)"
    )
    print(f"peak RSS {rss_mb():.0f} MB, synthetic inputs included (target {TARGET_RSS_MB:.0f} MB)")


def shown(value: float | None) -> str:
    """A figure for the console; suppressed cells print as a dash."""
    if value is None:
        return f"{'-':>7}"
    return f"{value:>7,}" if isinstance(value, int) else f"{value:7.1f}"


if __name__ == "__main__":
    main()
