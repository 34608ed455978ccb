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
import resource
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.model import conform
from hub.reports.slices import split_by_school
from hub.tutoring.dosage import measure_dosage
from hub.tutoring.exits import LEFT_ROSTER_REASON, MAX_CYCLES_REASON
from hub.tutoring.impact import ImpactPeriod, measure_impact

T = TypeVar("T")
GRADES = np.array(["KG", *(f"{grade:02d}" for grade in range(1, 9))])
SUBJECTS = np.array(["ela", "math"])
TESTS = {"fall": date(2025, 9, 10), "winter": date(2026, 1, 12), "spring": date(2026, 5, 11)}
FIRST_MONDAY = date(2025, 10, 6)
EXIT_DAY = date(2026, 1, 23)  # inside both measured periods, so the exits leave who counts as tutored alone
EXIT_REASONS = np.array(
    [
        "on grade level in Phonics (i-Ready 2025-26 winter: Grade 3)",
        "typical growth met: 104 % of the annual typical growth (i-Ready 2025-26 winter, overall scale 512)",
        MAX_CYCLES_REASON,
        LEFT_ROSTER_REASON,
    ]
)
SESSIONS_PER_GROUP = 17  # about six weeks at three a week, less the odd day off
TARGET_SECONDS, TARGET_RSS_MB = 30.0, 2048.0


def ids(prefix: str, numbers: np.ndarray, width: int = 7) -> pa.Array:
    return pc.binary_join_element_wise(
        prefix, pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width, "0"), ""
    )


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def step(self, label: str, work: Callable[[], T]) -> T:
        wall, cpu = time.perf_counter(), time.process_time()
        value = work()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        self.wall, self.cpu = self.wall + wall, self.cpu + cpu
        print(f"  {label:<40} {wall:6.2f} s wall {cpu:6.2f} s CPU")
        return value


def roster(rng: np.random.Generator, n: int) -> tuple[pa.Table, pa.Table]:
    people = ids("stu-", np.arange(n))
    students = pa.table(
        {
            "source_id": people,
            "primary_school_source_id": ids("sch-", rng.integers(0, max(1, n // 600), n), 4),
            "grade": GRADES[rng.integers(0, len(GRADES), n)],
        }
    )
    flags = {
        name: pa.array(rng.random(n) < share)
        for name, share in [
            ("english_learner", 0.12),
            ("disability", 0.14),
            ("economically_disadvantaged", 0.5),
            ("hispanic_or_latino", 0.28),
            ("white", 0.45),
            ("black_or_african_american", 0.15),
            ("asian", 0.06),
        ]
    }
    sex = pa.array(np.where(rng.random(n) < 0.5, "F", "M"))
    return students, conform("demographics", pa.table({"source_id": people, "sex": sex, **flags}))


def tutoring(rng: np.random.Generator, n: int, tutored: int, level: np.ndarray) -> dict[str, pa.Table]:
    """Groups of four among the students furthest behind, six weeks of sessions and who came."""
    below = np.argsort(level)[: int(tutored * 1.4)]  # more need than seats: the rest are peers
    chosen = np.sort(rng.choice(below, tutored, replace=False))
    person, subject = chosen % n, chosen // n
    group = np.arange(tutored) // 4
    groups = group.max() + 1
    group_ids = ids("grp-", np.arange(groups), 6)
    tutor = ids("tut-", rng.integers(0, max(1, tutored // 20), groups), 5)
    weekday = np.sort(rng.permuted(np.tile(np.arange(5), (groups, 1)), axis=1)[:, :3], axis=1)
    week = np.repeat(np.arange(6), 3)[:SESSIONS_PER_GROUP]
    slot = np.tile(np.arange(SESSIONS_PER_GROUP), groups)
    session_group = np.repeat(np.arange(groups), SESSIONS_PER_GROUP)
    day = np.datetime64(FIRST_MONDAY) + week[slot] * 7 + weekday[session_group, slot % 3]
    session_ids = ids("ses-", np.arange(len(slot)), 8)
    changed = (rng.random(groups) < 0.1)[session_group] & (week[slot] >= 3)
    sessions = pa.table(
        {
            "source_id": session_ids,
            "session_date": pa.array(day),
            "minutes": pa.array(rng.choice([30, 40, 45], groups)[session_group]),
            "tutor_person_source_id": pc.if_else(
                pa.array(changed), "tut-sub", tutor.take(pa.array(session_group))
            ),
            "group_source_id": group_ids.take(pa.array(session_group)),
            "skills_covered": pa.array(
                np.where(subject[group * 4][session_group] == 0, "phonics", "geometry")
            ),
        }
    )
    sizes = np.bincount(group)  # members of a group are consecutive rows
    repeat = sizes[session_group]
    members_of = np.repeat(np.arange(len(slot)), repeat)  # the session of each attendance row
    offset = np.arange(len(members_of)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    member = (np.cumsum(sizes) - sizes)[session_group[members_of]] + offset
    rate = np.where(
        rng.random(tutored) < 0.2, rng.uniform(0.4, 0.6, tutored), rng.uniform(0.8, 0.95, tutored)
    )
    cancelled = (rng.random(len(slot)) < 0.03)[members_of]
    came = (rng.random(len(member)) < rate[member]) & ~cancelled
    status = np.select([cancelled, came], ["cancelled", "present"], "absent")
    minutes = sessions["minutes"].to_numpy()[members_of]
    attendance = pa.table(
        {
            "source_id": pc.binary_join_element_wise(
                session_ids.take(pa.array(members_of)), ids("stu-", person[member]), ":"
            ),
            "session_source_id": session_ids.take(pa.array(members_of)),
            "person_source_id": ids("stu-", person[member]),
            "attendance": pa.array(status),
            "minutes_present": pa.array(np.where(came, minutes, 0)),
        }
    )
    membership_rows = pa.table(
        {
            "source_id": ids("mem-", np.arange(tutored)),
            "group_source_id": group_ids.take(pa.array(group)),
            "person_source_id": ids("stu-", person),
            "subject": pa.array(SUBJECTS[subject]),
            "entry_date": pa.array([FIRST_MONDAY - timedelta(days=7)] * tutored, pa.date32()),
            "entry_evidence": pa.array(["fall test"] * tutored),
        }
    )
    group_rows = pa.table(
        {
            "source_id": group_ids,
            "school_source_id": pa.array(["sch-0000"] * groups),
            "subject": pa.array(SUBJECTS[subject[np.arange(groups) * 4]]),
        }
    )
    return {
        "sessions": conform("tutoring_session", sessions),
        "attendance": conform("session_attendance", attendance),
        "memberships": conform("group_membership", membership_rows),
        "groups": group_rows,
        "dose": pa.table({"student_subject": chosen, "rate": rate}),
    }


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


def results(rng: np.random.Generator, students: pa.Table, level: np.ndarray, dose: pa.Table) -> pa.Table:
    """Three tests per student and subject; tutored students gain with the share of sessions they came to."""
    n = students.num_rows
    boost = np.zeros(2 * n)
    boost[dose["student_subject"].to_numpy()] = 8 * dose["rate"].to_numpy()
    rows = []
    for number, (window, day) in enumerate(TESTS.items()):
        scale = 480 + 25 * level + 12 * number + boost * number / 2 + rng.normal(0, 6, 2 * n)
        band = np.clip(
            np.digitize(level + 0.3 * number + rng.normal(0, 0.3, 2 * n), [-2, -1, 0, 1]) + 1, 1, 5
        )
        everyone = np.arange(2 * n)
        rows.append(
            pa.table(
                {
                    "source_id": ids(f"{window}-", everyone, 8),
                    "vendor": pa.array(np.where(everyone % 7 == 0, "nwea_map", "iready")),
                    "vendor_student_id": students["source_id"].take(pa.array(everyone % n)),
                    "person_source_id": students["source_id"].take(pa.array(everyone % n)),
                    "match_status": pa.array(["matched"] * (2 * n)),
                    "subject": pa.array(SUBJECTS[everyone // n]),
                    "school_year": pa.array(np.full(2 * n, 2026)),
                    "window": pa.array([window] * (2 * n)),
                    "test_date": pa.array([day] * (2 * n), pa.date32()),
                    "scale_score": pa.array(scale.round()),
                    "proficiency_band": pa.array(band),
                    "is_test_of_record": pa.array(np.ones(2 * n, dtype=bool)),
                }
            )
        )
    return conform("assessment_result", pa.concat_tables(rows))


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
    clock = Clock()
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
    print("  exits " + ", ".join(f"{r['subject']} {r['reason_code']} {r['n']:,}" for r in exits.to_pylist()))
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
