"""A season of tutoring for a synthetic district: who is tutored, by whom, on which days, and who came.

The groups are either the hub's own (``hub_groups``: the groups and open memberships the hub decided, so
the logs name groups the hub knows, each led by its own tutor) or, standing alone, a simple version of
the hub's rules (``form_groups`` and ``assign_tutors``): students clearly below grade level in the fall
(a lottery offers tutoring to most of them, as programmes with more need than seats do) are grouped by
school, subject, weakest domain and grade, at most four to a group; tutors at the school take groups up to
their capacity, neediest groups first, and a few groups change tutor mid-year. Groups meet three days a
week from late September (or the day the hub formed them) to mid-May, skipping school holidays. Most
students attend 80-95 % of sessions, one in five only 40-60 %; a few sessions are cancelled. Each student
present takes a five-item mastery check on the group's skill, and gets more of it right as their own
growth accrues through the year (``mastery_checks``): fast growers climb past the aimline, slow ones
stay below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.skills import DOMAINS
from testkit.synthetic import SyntheticDistrict, calendar

ENTRY_LEVEL = -1.0  # grade levels below: Tier 2 or 3 on i-Ready's scale
OFFER_RATE = 0.7
CANCEL_RATE = 0.03
TUTOR_CHANGE_RATE = 0.1
UNDER_DOSED_SHARE = 0.2
DOMAIN_GRADES = {
    "phonological_awareness": (0, 3),
    "phonics": (0, 3),
    "high_frequency_words": (0, 3),
    "measurement_and_data": (0, 5),
    "statistics_and_probability": (6, 12),
}
"""Grades in which a domain is taught (and so can be a group's target); other domains: every grade."""
WEEK_PATTERNS = np.array([[1, 0, 1, 0, 1], [0, 1, 0, 1, 1], [1, 1, 0, 1, 0], [0, 1, 1, 0, 1]], dtype=bool)
START_TIMES = np.array(["08:15", "10:30", "13:15", "14:00"], dtype=object)
MINUTES = np.array([30, 40, 45])
CHECK_ITEMS = 5
CHECK_START = -0.8
"""Log-odds of a right answer on the group's skill for a student at their fall level (about 31 %)."""
CHECK_PER_GRADE_LEVEL = 2.5
"""Log-odds gained per grade level grown since the fall: a year of typical growth takes 31 % to 85 %."""
CHECK_PER_OFFSET = 0.8
"""Log-odds per grade level the skill sits above or below the student's own subject level."""


@dataclass(frozen=True, slots=True)
class Season:
    groups: pa.Table
    """group_id, school_source_id, subject, canonical_domain, grade, tutor_id (the first tutor),
    first_day (the first day it may meet)."""
    members: pa.Table
    """group_id, student (row in district.students), student_id, subject."""
    sessions: pa.Table
    """session_id, group, group_id, subject, canonical_domain, session_date, start_time, minutes,
    tutor_id, cancelled."""
    attendance: pa.Table
    """session_id, student, student_id, subject, session_date, attendance, minutes_present, mastery_check."""


def school_days(school_year: int) -> np.ndarray:
    """Weekdays of the tutoring season (first Monday from Sept 22 to May 15), school holidays left out."""
    start = date(school_year - 1, 9, 22)
    start += timedelta(days=(7 - start.weekday()) % 7)
    days = np.arange(np.datetime64(start), np.datetime64(date(school_year, 5, 16)))
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    return days[(weekday < 5) & ~np.isin(days, _holidays(school_year))]


def _holidays(school_year: int) -> np.ndarray:
    fall, spring = school_year - 1, school_year

    def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))

    thanksgiving = nth_weekday(fall, 11, 3, 4)
    spring_break = nth_weekday(spring, 3, 0, 4)
    spans = [
        (thanksgiving - timedelta(days=3), thanksgiving + timedelta(days=1)),
        (date(fall, 12, 22), date(spring, 1, 2)),
        (spring_break, spring_break + timedelta(days=4)),
    ]
    single = [nth_weekday(spring, 1, 0, 3), nth_weekday(spring, 2, 0, 3), nth_weekday(fall, 10, 0, 2)]
    days = [np.arange(np.datetime64(a), np.datetime64(b) + 1) for a, b in spans]
    return np.concatenate([*days, np.array(single, dtype="datetime64[D]")])


def form_groups(
    district: SyntheticDistrict, rng: np.random.Generator, group_size: int
) -> tuple[pa.Table, pa.Table]:
    """Groups of at most ``group_size`` and their members per subject; groups are ordered neediest first."""
    students = district.students
    grade_num = students["grade_num"].to_numpy()
    school = pc.index_in(students["school_source_id"], district.schools["source_id"]).to_numpy()
    groups, members = [], []
    for subject, domains in DOMAINS.items():
        names = list(domains)
        levels = np.stack([district.domain_level_at(subject, name, "fall").to_numpy() for name in names])
        for row, name in enumerate(names):
            low, high = DOMAIN_GRADES.get(name, (0, 12))
            levels[row, (grade_num < low) | (grade_num > high)] = np.inf
        weakest = np.argmin(levels, axis=0)
        fall = district.level_at(subject, "fall").to_numpy()
        chosen = np.flatnonzero((fall <= ENTRY_LEVEL) & (rng.random(len(fall)) < OFFER_RATE))
        key = (school[chosen] * 100 + weakest[chosen]) * 20 + grade_num[chosen]
        order = np.lexsort((fall[chosen], key))
        chosen, key = chosen[order], key[order]
        _, start, inverse, size = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
        rank = np.arange(len(key)) - start[inverse]
        per_bucket = -(-size // group_size)  # ceil: balanced groups, never one left alone after four
        bucket_base = np.concatenate(([0], np.cumsum(per_bucket)[:-1]))
        group = bucket_base[inverse] + rank % per_bucket[inverse]
        mean_level = np.bincount(group, weights=fall[chosen]) / np.bincount(group)
        first = np.unique(group, return_index=True)[1]
        groups.append(
            pa.table(
                {
                    "_local": np.arange(len(first)),
                    "school_source_id": district.schools["source_id"].take(pa.array(school[chosen[first]])),
                    "subject": pa.array([subject] * len(first)),
                    "canonical_domain": pa.array(np.array(names, dtype=object)[weakest[chosen[first]]]),
                    "grade": students["grade"].take(pa.array(chosen[first])),
                    "_need": mean_level,
                }
            )
        )
        members.append(
            pa.table({"_local": group, "student": chosen, "subject": pa.array([subject] * len(chosen))})
        )
    return _number_groups(groups, members, students)


def _number_groups(
    groups: list[pa.Table], members: list[pa.Table], students: pa.Table
) -> tuple[pa.Table, pa.Table]:
    offset, numbered_groups, numbered_members = 0, [], []
    for group_table, member_table in zip(groups, members, strict=True):
        numbered_groups.append(group_table.set_column(0, "_local", pc.add(group_table["_local"], offset)))
        numbered_members.append(member_table.set_column(0, "_local", pc.add(member_table["_local"], offset)))
        offset += group_table.num_rows
    all_groups = pa.concat_tables(numbered_groups).sort_by([("_need", "ascending"), ("_local", "ascending")])
    all_members = pa.concat_tables(numbered_members)
    ids = pc.binary_join_element_wise(
        "grp-", pc.utf8_lpad(all_groups["_local"].cast(pa.string()), 6, "0"), ""
    )
    all_groups = all_groups.append_column("group_id", ids)
    lookup = pc.index_in(all_members["_local"], all_groups["_local"])
    all_members = all_members.append_column("group_id", ids.take(lookup)).append_column(
        "student_id", students["source_id"].take(all_members["student"])
    )
    return all_groups.drop_columns(["_local", "_need"]), all_members.drop_columns(["_local"]).sort_by(
        "group_id"
    )


def hub_groups(groups: pa.Table, memberships: pa.Table, students: pa.Table) -> tuple[pa.Table, pa.Table]:
    """The hub's ``tutoring_group`` and open ``group_membership`` rows as the season's groups and members.

    Only groups with a tutor and an open member meet; each meets from the day the hub formed it.
    """
    seated = memberships.filter(pc.is_null(memberships["exit_date"]))
    meeting = groups.filter(
        pc.and_(
            pc.is_valid(groups["tutor_person_source_id"]),
            pc.is_in(groups["source_id"], seated["group_source_id"]),
        )
    )
    seated = seated.filter(pc.is_in(seated["group_source_id"], meeting["source_id"]))
    student = pc.index_in(seated["person_source_id"], students["source_id"])
    if student.null_count:
        raise ValueError(f"{student.null_count} group member(s) are not students of the synthetic district")
    season_groups = pa.table(
        {
            "group_id": meeting["source_id"],
            "school_source_id": meeting["school_source_id"],
            "subject": meeting["subject"],
            "canonical_domain": meeting["canonical_domain"],
            "grade": meeting["grades"],
            "tutor_id": meeting["tutor_person_source_id"],
            "first_day": meeting["formed_on"],
        }
    )
    members = pa.table(
        {
            "group_id": seated["group_source_id"],
            "student": student,
            "student_id": seated["person_source_id"],
            "subject": seated["subject"],
        }
    )
    return season_groups, members.sort_by("group_id")


def assign_tutors(groups: pa.Table, tutors: pa.Table) -> pa.Array:
    """Each group's tutor (null when the school has no capacity left), neediest groups first.

    A loop over groups, not students: each choice depends on the capacity the ones before used up.
    """
    capacity: dict[str, list[list]] = {}
    for tutor in tutors.select(["source_id", "school_source_id", "subjects", "max_groups"]).to_pylist():
        seats = [tutor["source_id"], set(tutor["subjects"].split(",")), tutor["max_groups"]]
        capacity.setdefault(tutor["school_source_id"], []).append(seats)
    chosen: list[str | None] = []
    for school, subject in zip(
        groups["school_source_id"].to_pylist(), groups["subject"].to_pylist(), strict=True
    ):
        free = [seats for seats in capacity.get(school, []) if subject in seats[1] and seats[2] > 0]
        best = max(free, key=lambda seats: seats[2], default=None)
        if best is not None:
            best[2] -= 1
        chosen.append(best[0] if best else None)
    return pa.array(chosen, pa.string())


def replacement_tutors(groups: pa.Table, tutors: pa.Table) -> pa.Array:
    """For each group, another tutor at its school who teaches the subject (null if there is none)."""
    by_school: dict[tuple[str, str], list[str]] = {}
    for tutor in tutors.select(["source_id", "school_source_id", "subjects"]).to_pylist():
        for subject in tutor["subjects"].split(","):
            by_school.setdefault((tutor["school_source_id"], subject), []).append(tutor["source_id"])
    rows = groups.select(["school_source_id", "subject", "tutor_id"]).to_pylist()
    others = [
        next(
            (t for t in by_school.get((row["school_source_id"], row["subject"]), []) if t != row["tutor_id"]),
            None,
        )
        for row in rows
    ]
    return pa.array(others, pa.string())


def schedule(
    groups: pa.Table,
    replacements: pa.Array,
    days: np.ndarray,
    rng: np.random.Generator,
    first_number: int = 1,
) -> pa.Table:
    """Every session of every group over ``days`` from its ``first_day``: three a week on its own weekdays.

    ``replacements`` holds, per group, the tutor who may take it over mid-year (null: the tutor stays).
    Session ids count from ``first_number``, so that a season simulated cycle by cycle never repeats one.
    """
    count = groups.num_rows
    pattern = WEEK_PATTERNS[rng.integers(len(WEEK_PATTERNS), size=count)]
    weekday = (days.astype(np.int64) + 3) % 7
    group, day = np.nonzero(pattern[:, weekday])
    first_day = groups["first_day"].to_numpy().astype("datetime64[D]")
    meets = days[day] >= first_day[group]
    group, day = group[meets], day[meets]
    minutes = rng.choice(MINUTES, size=count, p=[0.5, 0.3, 0.2])
    start = START_TIMES[rng.integers(len(START_TIMES), size=count)]
    switch_day = np.where(
        rng.random(count) < TUTOR_CHANGE_RATE,
        rng.integers(len(days) * 3 // 10, len(days) * 7 // 10, count),
        len(days),
    )
    switched = pc.and_(pc.is_valid(replacements.take(pa.array(group))), pa.array(day >= switch_day[group]))
    first_tutor = groups["tutor_id"].take(pa.array(group))
    tutor = pc.if_else(switched, replacements.take(pa.array(group)), first_tutor)
    numbers = np.arange(first_number, first_number + len(group))
    ids = pc.binary_join_element_wise("ses-", pc.utf8_lpad(pa.array(numbers).cast(pa.string()), 8, "0"), "")
    return pa.table(
        {
            "session_id": ids,
            "group": pa.array(group),
            "group_id": groups["group_id"].take(pa.array(group)),
            "subject": groups["subject"].take(pa.array(group)),
            "canonical_domain": groups["canonical_domain"].take(pa.array(group)),
            "session_date": pa.array(days[day]),
            "start_time": pa.array(start[group], pa.string()),
            "minutes": pa.array(minutes[group]),
            "tutor_id": tutor,
            "cancelled": pa.array(rng.random(len(group)) < CANCEL_RATE),
        }
    )


def attendance_rates(students: int, rng: np.random.Generator) -> np.ndarray:
    """Each student's share of sessions attended: most 80-95 %, one in five only 40-60 %."""
    return np.where(
        rng.random(students) < UNDER_DOSED_SHARE,
        rng.uniform(0.40, 0.60, students),
        rng.uniform(0.80, 0.95, students),
    )


def mastery_checks(
    district: SyntheticDistrict,
    students: np.ndarray,
    subjects: np.ndarray,
    domains: np.ndarray,
    days: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """A five-item check per (student row, subject, domain, day): right answers drawn with a chance that
    follows the student's growth since the fall and how far the skill sits from their subject level."""
    year = district.spec.school_year
    start = np.datetime64(calendar.year_start(year))
    length = (calendar.year_end(year) - calendar.year_start(year)).days
    elapsed = (days.astype("datetime64[D]") - start).astype(np.int64) / length
    odds = np.full(len(students), CHECK_START)
    for subject in DOMAINS:
        rows = subjects == subject
        growth = district.students[f"{subject}_growth"].to_numpy()[students[rows]]
        offset = np.zeros(rows.sum())
        for domain, values in district.domain_offsets(subject).items():
            at = domains[rows] == domain
            offset[at] = values.to_numpy()[students[rows][at]]
        odds[rows] += CHECK_PER_GRADE_LEVEL * growth * elapsed[rows] + CHECK_PER_OFFSET * offset
    right = rng.binomial(CHECK_ITEMS, 1 / (1 + np.exp(-odds)))
    return np.char.add(right.astype(str), f"/{CHECK_ITEMS}").astype(object)


def attend(
    district: SyntheticDistrict,
    sessions: pa.Table,
    groups: pa.Table,
    members: pa.Table,
    rng: np.random.Generator,
    rates: np.ndarray | None = None,
) -> pa.Table:
    """One row per member per session: present, tardy, absent, excused, or cancelled with the session,
    and the mastery check of each student present (``mastery_checks``).

    ``rates``: each district student's attendance rate (``attendance_rates``); drawn per member if None.
    """
    member_group = pc.index_in(members["group_id"], groups["group_id"]).to_numpy()
    by_group = np.argsort(member_group, kind="stable")  # each group's members together, in groups' order
    members, member_group = members.take(pa.array(by_group)), member_group[by_group]
    sizes = np.bincount(member_group, minlength=groups.num_rows)
    first_member = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    session_group = sessions["group"].to_numpy()
    repeat = sizes[session_group]
    session = np.repeat(np.arange(sessions.num_rows), repeat)
    offset = np.arange(len(session)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    member = first_member[session_group[session]] + offset
    rate = (
        rates[members["student"].to_numpy()] if rates is not None else attendance_rates(members.num_rows, rng)
    )
    cancelled = sessions["cancelled"].to_numpy(zero_copy_only=False)[session]
    came = (rng.random(len(session)) < rate[member]) & ~cancelled
    tardy = came & (rng.random(len(session)) < 0.05)
    excused = ~came & ~cancelled & (rng.random(len(session)) < 0.3)
    status = np.select(
        [cancelled, tardy, came, excused], ["cancelled", "tardy", "present", "excused"], "absent"
    )
    minutes = sessions["minutes"].to_numpy()[session]
    present = np.where(tardy, minutes - rng.integers(5, 16, len(session)), np.where(came, minutes, 0))
    taken = pa.array(session)
    checks = mastery_checks(
        district,
        members["student"].to_numpy()[member],
        sessions["subject"].take(taken).to_numpy(zero_copy_only=False),
        sessions["canonical_domain"].take(taken).to_numpy(zero_copy_only=False),
        sessions["session_date"].take(taken).to_numpy(zero_copy_only=False),
        rng,
    )
    return pa.table(
        {
            "session_id": sessions["session_id"].take(taken),
            "student": members["student"].take(pa.array(member)),
            "student_id": members["student_id"].take(pa.array(member)),
            "subject": sessions["subject"].take(taken),
            "session_date": sessions["session_date"].take(taken),
            "attendance": pa.array(status, pa.string()),
            "minutes_present": pa.array(present),
            "mastery_check": pa.array(np.where(came, checks, None), pa.string()),
        }
    )
