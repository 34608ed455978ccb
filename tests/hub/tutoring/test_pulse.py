"""The weekly pulse for one small group, its tutor and its students' classroom teachers."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pytest

from hub.model import conform
from hub.tutoring.pulse import Pulse, school_year_of, section_subjects, weekly_pulse

MONDAY = date(2025, 10, 6)


def table(name: str, rows: list[dict]) -> pa.Table:
    names = list(dict.fromkeys(key for row in rows for key in row))
    return conform(name, pa.table({key: [row.get(key) for row in rows] for key in names}))


def session(
    number: int,
    day: int,
    *,
    group: str = "g-1",
    skills: str = "phonics",
    notes: str | None = None,
    next_steps: str | None = None,
) -> dict:
    return {
        "source_id": f"s-{number}",
        "session_date": MONDAY + timedelta(days=day),
        "minutes": 30,
        "tutor_person_source_id": "t-1",
        "group_source_id": group,
        "skills_covered": skills,
        "notes": notes,
        "next_steps": next_steps,
    }


def seen(number: int, person: str, status: str, check: str | None = None) -> dict:
    minutes = 30 if status in ("present", "tardy") else 0
    return {
        "source_id": f"s-{number}:{person}",
        "session_source_id": f"s-{number}",
        "person_source_id": person,
        "attendance": status,
        "minutes_present": minutes,
        "mastery_check": check,
    }


def pulse(week: date = MONDAY, extra_sessions: list[dict] = (), extra_seen: list[dict] = ()) -> Pulse:  # type: ignore[assignment]
    sessions = [
        session(1, 0, notes="Short vowels.", next_steps="Blends."),
        session(
            2, 2, skills="phonics,vocabulary", notes="Blends.", next_steps="Digraphs; teacher: review sh/ch."
        ),
        session(3, 4),  # cancelled: its notes would not count
        session(4, -3, notes="Last week.", next_steps="Last week's plan."),  # the Friday before
        *extra_sessions,
    ]
    attendance = [
        seen(1, "p-1", "present", "2/4"),
        seen(1, "p-2", "absent"),
        seen(1, "p-3", "present"),
        seen(2, "p-1", "tardy", "3/4"),
        seen(2, "p-2", "excused"),
        seen(2, "p-3", "present"),
        seen(3, "p-1", "cancelled"),
        seen(3, "p-2", "cancelled"),
        seen(3, "p-3", "cancelled"),
        seen(4, "p-1", "present"),
        *extra_seen,
    ]
    groups = table(
        "tutoring_group",
        [
            {
                "source_id": "g-1",
                "school_source_id": "sch-1",
                "subject": "ela",
                "canonical_domain": "phonics",
                "grades": "02",
                "tutor_person_source_id": "t-1",
                "cycle_source_id": "c-1",
                "formed_on": date(2025, 9, 22),
            },
        ],
    )
    members = table(
        "group_membership",
        [
            {
                "source_id": f"m-{p}",
                "group_source_id": "g-1",
                "person_source_id": p,
                "subject": "ela",
                "entry_date": date(2025, 9, 22),
                "entry_evidence": "fall test",
                "exit_date": exit_date,
            }
            for p, exit_date in [
                ("p-1", None),
                ("p-2", None),
                ("p-3", None),
                ("p-4", None),
                ("p-9", date(2025, 10, 1)),
            ]
        ],
    )
    results = table(
        "assessment_result",
        [
            {
                "source_id": f"r-{p}-{n}",
                "person_source_id": p,
                "vendor": "iready",
                "vendor_student_id": p,
                "match_status": "matched",
                "subject": "ela",
                "school_year": 2026,
                "window": window,
                "test_date": day,
                "scale_score": score,
                "placement": placement,
                "is_test_of_record": True,
            }
            for p, n, window, day, score, placement in [
                ("p-1", 1, "fall", date(2025, 9, 10), 410.0, "Grade 1"),
                ("p-1", 2, "fall", date(2025, 10, 3), 425.0, "Grade 2"),
                ("p-1", 3, "winter", date(2026, 1, 12), 470.0, "Grade 2"),  # after the week: not shown yet
                ("p-2", 1, "fall", date(2025, 9, 11), 380.0, "Grade 1"),
            ]
        ],
    )
    enrollments = table(
        "enrollment",
        [
            {
                "source_id": f"e-{n}",
                "section_source_id": section,
                "person_source_id": person,
                "role": role,
                "school_source_id": "sch-1",
                "end_date": end,
            }
            for n, (section, person, role, end) in enumerate(
                [
                    ("ela-2a", "teacher-a", "teacher", None),
                    ("ela-2a", "p-1", "student", None),
                    ("ela-2a", "p-2", "student", None),
                    ("math-2a", "teacher-b", "teacher", None),
                    ("math-2a", "p-1", "student", None),
                    ("ela-2b", "teacher-c", "teacher", None),
                    ("ela-2b", "p-3", "student", date(2025, 9, 30)),  # left that class before the week
                    ("ela-2b", "co-teacher", "teacher", None),
                    ("ela-2b", "p-2", "student", None),
                ]
            )
        ],
    )
    sections = table(
        "section",
        [
            {
                "source_id": "ela-2a",
                "title": "Grade 2 A",
                "subjects": "English Language Arts",
                "school_source_id": "sch-1",
            },
            {"source_id": "math-2a", "title": "Grade 2 Math", "school_source_id": "sch-1"},
            {"source_id": "ela-2b", "title": "Reading 2B", "school_source_id": "sch-1"},
        ],
    )
    return weekly_pulse(
        week,
        table("tutoring_session", sessions),
        table("session_attendance", attendance),
        groups,
        members,
        results,
        enrollments,
        sections,
    )


def by_person(rows: pa.Table) -> dict[str, dict]:
    return {row["person_source_id"]: row for row in rows.to_pylist()}


def test_who_came_and_who_did_not() -> None:
    rows = by_person(pulse().groups)
    assert sorted(rows) == ["p-1", "p-2", "p-3", "p-4"]  # p-9 left the group before the week
    p1, p2, p4 = rows["p-1"], rows["p-2"], rows["p-4"]
    assert (p1["sessions_scheduled"], p1["sessions_attended"], p1["sessions_missed"]) == (3, 2, 0)
    assert (p1["attended_dates"], p1["missed_dates"], p1["minutes_present"]) == (
        "2025-10-06,2025-10-08",
        None,
        60,
    )
    assert (p2["sessions_attended"], p2["missed_dates"]) == (0, "2025-10-06,2025-10-08")
    assert (p4["sessions_scheduled"], p4["member"]) == (0, True)  # a member nobody logged is visible too
    assert p1["mastery_check"] == "3/4"  # the latest of the week


def test_what_the_group_worked_on_and_what_comes_next() -> None:
    row = by_person(pulse().groups)["p-1"]
    assert (row["sessions_logged"], row["sessions_held"]) == (3, 2)
    assert row["skills_covered"] == "phonics,vocabulary"
    assert (row["notes"], row["next_steps"]) == ("Blends.", "Digraphs; teacher: review sh/ch.")
    assert (row["tutor_person_source_id"], row["canonical_domain"], row["week_start"]) == (
        "t-1",
        "phonics",
        MONDAY,
    )


def test_growth_since_entry_is_the_latest_evidence_by_the_end_of_the_week() -> None:
    rows = by_person(pulse().groups)
    p1, p2, p3 = rows["p-1"], rows["p-2"], rows["p-3"]
    assert (p1["entry_scale"], p1["latest_scale"], p1["growth_since_entry"]) == (410.0, 425.0, 15.0)
    assert (p1["latest_placement"], p1["latest_test_date"]) == ("Grade 2", date(2025, 10, 3))
    assert (p2["entry_scale"], p2["latest_scale"], p2["growth_since_entry"]) == (380.0, 380.0, None)
    assert p3["latest_scale"] is None


def test_each_classroom_teacher_gets_their_students_in_the_groups_subject() -> None:
    rows = pulse().teachers.to_pylist()
    pairs = [(r["teacher_person_source_id"], r["section_source_id"], r["person_source_id"]) for r in rows]
    assert pairs == [
        ("co-teacher", "ela-2b", "p-2"),
        ("teacher-a", "ela-2a", "p-1"),
        ("teacher-a", "ela-2a", "p-2"),
        ("teacher-c", "ela-2b", "p-2"),
    ]  # not the math teacher; p-3 left ela-2b before the week
    assert (
        rows[1]["next_steps"] == "Digraphs; teacher: review sh/ch." and rows[1]["growth_since_entry"] == 15.0
    )


def test_a_student_logged_outside_the_group_roster_still_shows() -> None:
    rows = by_person(pulse(extra_seen=[seen(2, "p-7", "present")]).groups)
    assert rows["p-7"]["member"] is False and rows["p-7"]["sessions_attended"] == 1


def test_another_week_shows_that_weeks_sessions_only() -> None:
    rows = by_person(pulse(week=MONDAY - timedelta(days=7)).groups)
    assert rows["p-1"]["sessions_attended"] == 1 and rows["p-1"]["next_steps"] == "Last week's plan."
    assert rows["p-9"]["sessions_scheduled"] == 0  # still a member that week


def test_section_subjects_from_roster_words() -> None:
    sections = pa.table(
        {
            "source_id": ["a", "b", "c", "d", "e"],
            "title": ["Homeroom 3", "Algebra I", "ELA 7", "Band", "Period 2"],
            "subjects": [None, None, None, None, "Mathematics"],
        }
    )
    assert section_subjects(sections).to_pylist() == [
        {"section_source_id": "b", "section_subject": "math"},
        {"section_source_id": "c", "section_subject": "ela"},
        {"section_source_id": "e", "section_subject": "math"},
    ]


@pytest.mark.parametrize(
    ("day", "year"), [(date(2025, 9, 1), 2026), (date(2026, 6, 30), 2026), (date(2026, 7, 1), 2027)]
)
def test_school_year_of(day: date, year: int) -> None:
    assert school_year_of(day) == year
