"""What the bench scripts share: measuring (peak RSS, a wall + CPU clock, fresh processes, targets) and the
synthetic inputs of the tutoring benchmarks, drawn with numpy and built in bulk so that building them is
cheap next to the work they feed.

Inputs index a student-subject as ``subject * students + student`` (subject 0 is ELA, 1 math), so one
numpy array of length ``2 * students`` holds a value per student and subject.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing import get_context
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.model import conform
from hub.skills import DOMAINS

T = TypeVar("T")
GRADES = np.array(["KG", *(f"{grade:02d}" for grade in range(1, 9))])
SUBJECTS = np.array(["ela", "math"])
ADJECTIVES = np.array(["Low", "LoAvg", "Avg", "HiAvg", "High"])
TESTS = {"fall": date(2025, 9, 10), "winter": date(2026, 1, 12), "spring": date(2026, 5, 11)}
FIRST_MONDAY = date(2025, 10, 6)
SESSIONS_PER_GROUP = 17  # about six weeks at three a week, less the odd day off
# Relative standing (grade levels) below which a student is 1, 2, 3+ grade levels below: about 9 % of
# student-subjects are behind, so a 350,000-student district puts about 60,000 in tutoring.
BEHIND_CUTS = [1.5, 2.3, 3.0]


# Measuring


def rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    """Wall and CPU time per step: on a shared machine the CPU time is the steadier figure."""

    def __init__(self, width: int = 52) -> None:
        self.wall = self.cpu = 0.0
        self.width = width

    def step(self, label: str, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            value = work(*args, **kwargs)
        except BaseException as error:  # say which step failed, and when, before the error goes up
            print(f"  {label:<{self.width}} FAILED after {time.perf_counter() - wall:.2f} s: {error!r}")
            raise
        self.record(label, time.perf_counter() - wall, time.process_time() - cpu)
        return value

    def record(self, label: str, wall: float, cpu: float) -> None:
        """Count a step timed elsewhere (inside a function the benchmark calls whole)."""
        self.wall, self.cpu = self.wall + wall, self.cpu + cpu
        print(f"  {label:<{self.width}} {wall:6.2f} s wall {cpu:6.2f} s CPU, peak RSS {rss_mb():5.0f} MB")


def in_fresh_process(function: Callable[..., T], *args: Any) -> T:
    """Run ``function`` in a new interpreter, so that its peak RSS is its own."""
    sys.stdout.flush()  # what this process printed comes before what the child prints
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_flushed, function, *args).result()


def _flushed(function: Callable[..., T], *args: Any) -> T:
    """``function``'s value once what it printed is out, so it comes before what the caller prints next."""
    try:
        return function(*args)
    finally:
        sys.stdout.flush()


def check(label: str, ok: bool, detail: str) -> bool:
    print(f"  [{'ok' if ok else 'MISSED'}] {label}: {detail}")
    return ok


def figure(label: str, *values: int | pa.Scalar) -> None:
    numbers = [value.as_py() if isinstance(value, pa.Scalar) else value for value in values]
    print(f"  {label:<44}" + "".join(f"{number:>10,}" for number in numbers))


# Synthetic inputs


def ids(prefix: str, numbers: np.ndarray, width: int = 7) -> pa.Array:
    return pc.binary_join_element_wise(
        prefix, pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width, "0"), ""
    )


def joined(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, ":")


def roster(rng: np.random.Generator, n: int) -> tuple[pa.Table, pa.Table]:
    """Student person rows (source_id, school, grade) and their demographics."""
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


def tutors(rng: np.random.Generator, schools: int, count: int) -> pa.Table:
    subjects = rng.choice(["ela", "math", "ela,math"], count, p=[0.4, 0.4, 0.2])
    school = ids("sch-", rng.integers(0, schools, count), 4)
    roaming = rng.random(count) < 0.2
    return conform(
        "tutor_profile",
        pa.table(
            {
                "source_id": ids("tut-", np.arange(count), 5),
                "subjects": subjects,
                "max_groups": rng.integers(4, 7, count),
                "school_source_ids": pc.if_else(pa.array(roaming), pa.scalar(None, pa.string()), school),
            }
        ),
    )


def domain_rows(rng: np.random.Generator, results: pa.Table) -> pa.Table:
    """Every domain of every test, placed around the overall result (domain-level data is noisy)."""
    subject = results.column("subject").to_numpy(zero_copy_only=False)
    keys = pa.array([key for domains in DOMAINS.values() for key in domains])
    names = pa.array([name for domains in DOMAINS.values() for name in domains.values()])
    rows, which, first = [], [], 0
    for name_of_subject, domains in DOMAINS.items():
        mine = np.flatnonzero(subject == name_of_subject)
        rows.append(np.tile(mine, len(domains)))
        which.append(np.repeat(np.arange(first, first + len(domains)), len(mine)))
        first += len(domains)
    row, domain = pa.array(np.concatenate(rows)), pa.array(np.concatenate(which))
    levels = pc.fill_null(results.column("grade_levels_below"), 1).take(row).to_numpy()
    below = np.clip(levels + rng.integers(-1, 2, len(row)), 0, 3)
    adjective = pa.array(ADJECTIVES).take(pa.array(np.clip(3 - below + rng.integers(-1, 1, len(row)), 0, 4)))
    is_map = pc.equal(results.column("vendor").take(row), "nwea_map")
    result_id = results.column("source_id").take(row)
    canonical = keys.take(domain)
    return conform(
        "domain_result",
        pa.table(
            {
                "source_id": joined(result_id, canonical),
                "result_source_id": result_id,
                "vendor_domain": names.take(domain),
                "canonical_domain": canonical,
                "grade_levels_below": pc.if_else(is_map, pa.scalar(None, pa.int64()), pa.array(below)),
                "goal_adjective": pc.if_else(is_map, adjective, pa.scalar(None, pa.string())),
            }
        ),
    )


@dataclass(frozen=True, slots=True)
class Seats:
    """Who tutors and who sits in which group; a group's members are consecutive rows."""

    person: np.ndarray
    subject: np.ndarray
    group: np.ndarray
    """Per member: the group's position in ``group_ids`` (ascending)."""
    group_ids: pa.Array
    tutor_ids: pa.Array
    """Per group: the tutor who holds its sessions."""


def session_log(rng: np.random.Generator, seats: Seats) -> tuple[pa.Table, pa.Table, np.ndarray]:
    """Six weeks of sessions for every group and who came: (sessions, attendance, each member's rate).

    A fifth of the members come to about half the sessions, the rest to most; 3 % of sessions are
    cancelled; one group in ten gets a substitute tutor from week four.
    """
    groups, members = len(seats.group_ids), len(seats.group)
    weekday = np.sort(rng.permuted(np.tile(np.arange(5), (groups, 1)), axis=1)[:, :3], axis=1)
    week = np.repeat(np.arange(6), 3)[:SESSIONS_PER_GROUP]
    slot = np.tile(np.arange(SESSIONS_PER_GROUP), groups)
    session_group = np.repeat(np.arange(groups), SESSIONS_PER_GROUP)
    day = np.datetime64(FIRST_MONDAY) + week[slot] * 7 + weekday[session_group, slot % 3]
    session_ids = ids("ses-", np.arange(len(slot)), 8)
    changed = (rng.random(groups) < 0.1)[session_group] & (week[slot] >= 3)
    first_member = np.cumsum(np.bincount(seats.group, minlength=groups)) - np.bincount(seats.group)
    sessions = pa.table(
        {
            "source_id": session_ids,
            "session_date": pa.array(day),
            "minutes": pa.array(rng.choice([30, 40, 45], groups)[session_group]),
            "tutor_person_source_id": pc.if_else(
                pa.array(changed), "tut-sub", seats.tutor_ids.take(pa.array(session_group))
            ),
            "group_source_id": seats.group_ids.take(pa.array(session_group)),
            "skills_covered": pa.array(
                np.where(seats.subject[first_member][session_group] == 0, "phonics", "geometry")
            ),
        }
    )
    sizes = np.bincount(seats.group, minlength=groups)
    repeat = sizes[session_group]
    members_of = np.repeat(np.arange(len(slot)), repeat)  # the session of each attendance row
    offset = np.arange(len(members_of)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    member = first_member[session_group[members_of]] + offset
    rate = np.where(
        rng.random(members) < 0.2, rng.uniform(0.4, 0.6, members), rng.uniform(0.8, 0.95, members)
    )
    cancelled = (rng.random(len(slot)) < 0.03)[members_of]
    came = (rng.random(len(member)) < rate[member]) & ~cancelled
    status = np.select([cancelled, came], ["cancelled", "present"], "absent")
    minutes = sessions["minutes"].to_numpy()[members_of]
    student = ids("stu-", seats.person[member])
    attendance = pa.table(
        {
            "source_id": pc.binary_join_element_wise(session_ids.take(pa.array(members_of)), student, ":"),
            "session_source_id": session_ids.take(pa.array(members_of)),
            "person_source_id": student,
            "attendance": pa.array(status),
            "minutes_present": pa.array(np.where(came, minutes, 0)),
        }
    )
    return conform("tutoring_session", sessions), conform("session_attendance", attendance), rate


def tutoring(rng: np.random.Generator, n: int, tutored: int, level: np.ndarray) -> dict[str, pa.Table]:
    """Groups of four among the students furthest behind, six weeks of sessions and who came."""
    below = np.argsort(level)[: int(tutored * 1.4)]  # more need than seats: the rest are peers
    chosen = np.sort(rng.choice(below, tutored, replace=False))
    person, subject = chosen % n, chosen // n
    group = np.arange(tutored) // 4
    groups = group.max() + 1
    group_ids = ids("grp-", np.arange(groups), 6)
    tutor = ids("tut-", rng.integers(0, max(1, tutored // 20), groups), 5)
    sessions, attendance, rate = session_log(rng, Seats(person, subject, group, group_ids, tutor))
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
        "sessions": sessions,
        "attendance": attendance,
        "memberships": conform("group_membership", membership_rows),
        "groups": group_rows,
        "dose": pa.table({"student_subject": chosen, "rate": rate}),
    }


def boost_of(n: int, dose: pa.Table) -> np.ndarray:
    """Per student-subject, the scale points a year of tutoring adds: 8 at full attendance."""
    boost = np.zeros(2 * n)
    boost[dose["student_subject"].to_numpy()] = 8 * dose["rate"].to_numpy()
    return boost


def window_results(
    rng: np.random.Generator, students: pa.Table, level: np.ndarray, boost: np.ndarray, window: str
) -> pa.Table:
    """One test per student and subject in ``window``; one in seven is MAP, the rest i-Ready.

    The relative standing behind the scale score gives i-Ready's grade levels below and MAP's percentile,
    so tiers follow the scores that impact measures growth on.
    """
    n, number = students.num_rows, list(TESTS).index(window)
    noise = rng.normal(0, 6, 2 * n)
    scale = 480 + 25 * level + 12 * number + boost * number / 2 + noise
    standing = level + boost * number / 50 + noise / 25
    band = np.clip(np.digitize(level + 0.3 * number + rng.normal(0, 0.3, 2 * n), [-2, -1, 0, 1]) + 1, 1, 5)
    everyone = np.arange(2 * n)
    is_map = everyone % 7 == 0
    percentile = np.clip(np.rint(100 / (1 + np.exp(-1.226 * (standing + 1.17)))), 1, 99).astype(np.int64)
    who = students["source_id"].take(pa.array(everyone % n))
    return conform(
        "assessment_result",
        pa.table(
            {
                "source_id": ids(f"{window}-", everyone, 8),
                "vendor": pa.array(np.where(is_map, "nwea_map", "iready")),
                "vendor_student_id": who,
                "person_source_id": who,
                "match_status": pa.array(["matched"] * (2 * n)),
                "subject": pa.array(SUBJECTS[everyone // n]),
                "school_year": pa.array(np.full(2 * n, 2026)),
                "window": pa.array([window] * (2 * n)),
                "test_date": pa.array([TESTS[window]] * (2 * n), pa.date32()),
                "scale_score": pa.array(scale.round()),
                "percentile": pa.array(percentile, mask=~is_map),
                "grade_levels_below": pa.array(np.digitize(-standing, BEHIND_CUTS), mask=is_map),
                "proficiency_band": pa.array(band),
                "is_test_of_record": pa.array(np.ones(2 * n, dtype=bool)),
            }
        ),
    )


def results(rng: np.random.Generator, students: pa.Table, level: np.ndarray, dose: pa.Table) -> pa.Table:
    """Three tests per student and subject; tutored students gain with the share of sessions they came to."""
    boost = boost_of(students.num_rows, dose)
    return pa.concat_tables([window_results(rng, students, level, boost, window) for window in TESTS])
