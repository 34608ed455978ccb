"""Tutoring decisions at district scale: tiers, grouping and a cycle boundary for 350,000 students.

A synthetic district (numpy, seeded) with two diagnostic windows: fall places ~60,000 student-subjects in
tutoring, winter brings new tests on which some exit, the rest regroup and new entrants join. Prints the
wall time of each step, the sizes involved and the peak RSS. Not a test: run it by hand.

    .venv/bin/python bench/tutoring_decisions.py [--students 350000] [--seed 7]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from _common import GRADES, SUBJECTS, Clock, domain_rows, figure, ids, joined, rss_mb, tutors

from hub.model import conform
from hub.tutoring import (
    TutoringPolicy,
    assign_tiers,
    plan_cycles,
    run_cycle_boundary,
    tier_distribution,
)
from hub.tutoring.domain_evidence import HeldDomains

TEST_DATES = {"fall": date(2025, 9, 10), "winter": date(2025, 12, 10)}


@dataclass
class Window:
    results: pa.Table
    domains: pa.Table
    gaps: pa.Table


def tests(rng: np.random.Generator, people: pa.Array, window: str, behind: np.ndarray) -> pa.Table:
    """Each student takes both subjects; 80 % i-Ready, the rest MAP, 5 % both vendors."""
    n = len(people)
    person = np.tile(np.arange(n), 2)
    subject = np.repeat(SUBJECTS, n)
    iready = rng.random(2 * n) < 0.8
    both = rng.random(2 * n) < 0.05
    rows = np.concatenate([np.flatnonzero(iready | both), np.flatnonzero(~iready | both)])
    vendor = np.where(np.arange(len(rows)) < int((iready | both).sum()), "iready", "nwea_map")
    person, subject, levels = person[rows], subject[rows], behind[rows]
    who = people.take(pa.array(person))
    percentile = np.clip(rng.normal(62 - 18 * levels, 15), 1, 99).astype(np.int64)
    growth = (
        np.clip(rng.normal(75, 35, len(rows)), 0, 250) if window == "winter" else np.full(len(rows), np.nan)
    )
    return pa.table(
        {
            "source_id": joined(pa.array(vendor), who, pa.array(subject), window),
            "vendor": vendor,
            "vendor_student_id": who,
            "person_source_id": who,
            "match_status": pa.array(["matched"] * len(rows)),
            "subject": subject,
            "school_year": pa.array(np.full(len(rows), 2026)),
            "window": pa.array([window] * len(rows)),
            "test_date": pa.array([TEST_DATES[window]] * len(rows), pa.date32()),
            "scale_score": rng.normal(480, 40, len(rows)).round(),
            "percentile": pa.array(percentile, mask=vendor == "iready"),
            "grade_levels_below": pa.array(levels, mask=vendor == "nwea_map"),
            "percent_progress_typical": pa.array(growth, mask=np.isnan(growth)),
            "is_test_of_record": pa.array(np.ones(len(rows), dtype=bool)),
            "rushed": pa.array(np.zeros(len(rows), dtype=bool)),
        }
    )


def gap_rows(domains: pa.Table, results: pa.Table) -> pa.Table:
    """Domains 2+ grade levels below or Low: the gaps diagnostics would report (severity from the level)."""
    behind = pc.or_(
        pc.fill_null(pc.greater_equal(domains.column("grade_levels_below"), 2), False),
        pc.fill_null(pc.equal(domains.column("goal_adjective"), "Low"), False),
    )
    found = domains.filter(behind).join(
        results.select(["source_id", "person_source_id", "subject", "school_year", "window"]),
        "result_source_id",
        right_keys="source_id",
        join_type="inner",
    )
    severity = pc.coalesce(pc.min_element_wise(found.column("grade_levels_below"), 3), 2)
    key = [found.column(c).cast(pa.string()) for c in ["person_source_id", "subject", "canonical_domain"]]
    gaps = pa.table(
        {
            "source_id": joined(*key, found.column("result_source_id")),
            "person_source_id": found.column("person_source_id"),
            "subject": found.column("subject"),
            "canonical_domain": found.column("canonical_domain"),
            "school_year": found.column("school_year"),
            "window": found.column("window"),
            "severity": severity,
            "evidence_result_source_id": found.column("result_source_id"),
            "evidence": joined(found.column("vendor_domain"), "below grade level"),
        }
    )
    return conform("skill_gap", gaps)


def window(rng: np.random.Generator, people: pa.Array, name: str, behind: np.ndarray) -> Window:
    results = conform("assessment_result", tests(rng, people, name, behind))
    domains = domain_rows(rng, results)
    return Window(results, domains, gap_rows(domains, results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=350_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n, schools = args.students, max(1, args.students // 600)
    policy = TutoringPolicy()
    clock = Clock()

    print(f"a synthetic district of {n:,} students in {schools:,} schools")
    people = ids("stu-", np.arange(n))
    students = pa.table(
        {
            "source_id": people,
            "grade": GRADES[rng.integers(0, len(GRADES), n)],
            "primary_school_source_id": ids("sch-", rng.integers(0, schools, n), 4),
        }
    )
    fall_behind = rng.choice(4, 2 * n, p=[0.91, 0.06, 0.022, 0.008])
    fall = window(rng, people, "fall", fall_behind)
    staff = tutors(rng, schools, n // 80)
    cycles = plan_cycles(date(2025, 8, 18), date(2026, 5, 29), policy.cycle_weeks)
    print(
        f"fall inputs: {fall.results.num_rows:,} results, {fall.domains.num_rows:,} domain results, "
        f"{fall.gaps.num_rows:,} gaps, {staff.num_rows:,} tutors (peak RSS so far {rss_mb():.0f} MB)"
    )
    fall_tiers = clock.step("tiers (fall)", lambda: assign_tiers(fall.results, students, policy))
    pyramid = clock.step("tier distribution (fall)", lambda: tier_distribution(fall_tiers, policy))
    first = clock.step(
        "first boundary, cycle 2: grouping",
        lambda: run_cycle_boundary(
            None,
            fall_tiers,
            fall.gaps,
            fall.results,
            None,
            policy,
            date(2025, 9, 29),
            domain_results=HeldDomains(fall.domains),
            tutors=staff,
            cycles=cycles,
        ),
    )

    # A later night: the fall domain results are in the warehouse, not in memory.
    fall_domains = fall.domains.num_rows
    fall.domains = fall.domains.schema.empty_table()
    winter = window(rng, people, "winter", np.clip(fall_behind - (rng.random(2 * n) < 0.3), 0, 3))
    print(
        f"winter inputs: {winter.results.num_rows:,} results, {winter.domains.num_rows:,} domain results, "
        f"{winter.gaps.num_rows:,} gaps (peak RSS so far {rss_mb():.0f} MB)"
    )
    results = pa.concat_tables([fall.results, winter.results])
    winter_tiers = clock.step("tiers (winter)", lambda: assign_tiers(winter.results, students, policy))
    tiers = pa.concat_tables([fall_tiers, winter_tiers])  # the fall tiers are already in the warehouse
    second = clock.step(
        "winter boundary, cycle 4: exits, regroup, entrants",
        lambda: run_cycle_boundary(
            first.memberships,
            tiers,
            pa.concat_tables([fall.gaps, winter.gaps]),
            results,
            first.groups,
            policy,
            date(2025, 12, 22),
            domain_results=HeldDomains(winter.domains),  # the new tests' domains: what exits decide on
            tutors=staff,
            cycles=cycles,
        ),
    )

    still_open = pc.is_null(second.memberships.column("exit_date"))
    reasons = second.memberships.filter(pc.invert(still_open)).column("exit_reason")
    print("figures:")
    figure("tier rows (fall)", fall_tiers.num_rows)
    figure("school x grade x subject cells; inverted", pyramid.num_rows, pc.sum(pyramid["inverted_pyramid"]))
    figure("in tutoring after the first boundary", pc.sum(pc.is_null(first.memberships["exit_date"])))
    figure("groups formed; without a tutor", first.groups.num_rows, first.untutored.num_rows)
    figure("in tutoring after the winter boundary", pc.sum(still_open))
    for kind in pc.value_counts(pc.utf8_slice_codeunits(reasons, 0, 18)).to_pylist():
        figure(f"  exited: {kind['values']}", kind["counts"])
    figure("groups in total; without a tutor", second.groups.num_rows, second.untutored.num_rows)
    print(
        f"decisions: {clock.wall:.2f} s wall, {clock.cpu:.2f} s CPU, over "
        f"{fall.results.num_rows + winter.results.num_rows:,} results and "
        f"{fall_domains + winter.domains.num_rows:,} domain results"
    )
    print(f"peak RSS {rss_mb():.0f} MB (synthetic inputs included)")


if __name__ == "__main__":
    main()
