"""Dosage against the NSSA plan on hand-built weeks whose answers are known in advance."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pytest

from hub.model import conform
from hub.tutoring.dosage import DosagePlan, measure_dosage, week_start
from hub.tutoring.errors import TutoringError

MONDAY = date(2025, 10, 6)


def groups() -> pa.Table:
    return pa.table(
        {
            "source_id": ["g-1", "g-2"],
            "school_source_id": ["sch-1", "sch-2"],
            "subject": ["ela", "math"],
        }
    )


class Log:
    """Sessions and attendance rows, one call per session."""

    def __init__(self) -> None:
        self.sessions: list[dict] = []
        self.attendance: list[dict] = []

    def add(
        self,
        day: int,
        students: dict[str, str | tuple[str, int]],
        *,
        group: str | None = "g-1",
        tutor: str = "t-1",
        minutes: int = 30,
        skills: str | None = "phonics",
    ) -> None:
        """``students``: id -> status, or (status, minutes present); ``day`` counts from MONDAY."""
        session_id = f"s-{len(self.sessions) + 1}"
        self.sessions.append(
            {
                "source_id": session_id,
                "session_date": MONDAY + timedelta(days=day),
                "minutes": minutes,
                "tutor_person_source_id": tutor,
                "group_source_id": group,
                "skills_covered": skills,
            }
        )
        for person, status in students.items():
            status, present = status if isinstance(status, tuple) else (status, None)
            if present is None:
                present = minutes if status in ("present", "tardy") else 0
            self.attendance.append(
                {
                    "source_id": f"{session_id}:{person}",
                    "session_source_id": session_id,
                    "person_source_id": person,
                    "attendance": status,
                    "minutes_present": present,
                }
            )

    def measure(self, plan: DosagePlan | None = None):  # type: ignore[no-untyped-def]
        return measure_dosage(
            conform("tutoring_session", pa.Table.from_pylist(self.sessions)),
            conform("session_attendance", pa.Table.from_pylist(self.attendance)),
            groups(),
            plan,
        )


def student_week(dosage, person: str, week: date = MONDAY) -> dict:  # type: ignore[no-untyped-def]
    (row,) = [
        r
        for r in dosage.student_weeks.to_pylist()
        if r["person_source_id"] == person and r["week_start"] == week
    ]
    return row


def test_week_start_is_the_monday() -> None:
    days = pa.array([date(2025, 10, 6), date(2025, 10, 9), date(2025, 10, 12), date(2025, 10, 13)])
    assert week_start(days).to_pylist() == [MONDAY, MONDAY, MONDAY, date(2025, 10, 13)]


def test_full_dose_missed_sessions_and_short_minutes() -> None:
    log = Log()
    log.add(0, {"p-1": "present", "p-2": "present", "p-3": "present"})
    log.add(2, {"p-1": "present", "p-2": "absent", "p-3": ("tardy", 25)})
    log.add(4, {"p-1": "present", "p-2": "excused", "p-3": "present"})
    dosage = log.measure()
    full, missed, short = (student_week(dosage, p) for p in ("p-1", "p-2", "p-3"))
    assert (full["sessions_scheduled"], full["sessions_attended"], full["minutes_present"]) == (3, 3, 90)
    assert not full["under_dosed"] and not full["under_delivered"]
    assert (missed["sessions_attended"], missed["minutes_present"], missed["under_dosed"]) == (1, 30, True)
    assert (short["sessions_attended"], short["minutes_present"]) == (3, 85)
    assert short["under_dosed"]  # three sessions, but 85 of the 90 minutes the plan asks for
    assert (
        full["subject"] == "ela" and full["school_source_id"] == "sch-1" and full["minutes_scheduled"] == 90
    )


def test_cancelled_sessions_count_as_scheduled_not_held() -> None:
    log = Log()
    log.add(0, {"p-1": "present", "p-2": "absent"})
    log.add(2, {"p-1": "cancelled", "p-2": "cancelled"})
    log.add(4, {"p-1": "present", "p-2": "absent"})
    dosage = log.measure()
    row = student_week(dosage, "p-1")
    assert (row["sessions_scheduled"], row["sessions_held"], row["sessions_attended"]) == (3, 2, 2)
    assert row["under_delivered"] and row["under_dosed"]
    sessions = {r["session_source_id"]: r for r in dosage.sessions.to_pylist()}
    assert sessions["s-2"]["cancelled"] and not sessions["s-1"]["cancelled"]
    assert sessions["s-1"]["group_size"] == 2 and sessions["s-1"]["students_present"] == 1
    (totals,) = [r for r in dosage.students.to_pylist() if r["person_source_id"] == "p-2"]
    assert (
        totals["sessions_scheduled"] == 3 and totals["attendance_rate"] == 0.0
    )  # all absent: still scheduled


def test_oversized_groups_are_flagged_for_the_session_and_its_students() -> None:
    log = Log()
    five = {f"p-{i}": "present" for i in range(1, 6)}
    log.add(0, five)
    log.add(2, {"p-1": "present", "p-2": "present"})
    dosage = log.measure()
    sessions = {r["session_source_id"]: r for r in dosage.sessions.to_pylist()}
    assert sessions["s-1"]["oversized"] and sessions["s-1"]["group_size"] == 5
    assert not sessions["s-2"]["oversized"]
    assert (
        student_week(dosage, "p-5")["oversized_group"] and student_week(dosage, "p-1")["max_group_size"] == 5
    )
    assert not log.measure(DosagePlan(max_group_size=5)).student_weeks["oversized_group"].to_pylist()[0]


def test_tutor_changes_within_a_week_and_from_one_week_to_the_next() -> None:
    log = Log()
    for day in (0, 2, 4):
        log.add(day, {"p-1": "present"}, tutor="t-1")
    for day in (7, 9):
        log.add(day, {"p-1": "present"}, tutor="t-1")
    log.add(11, {"p-1": "present"}, tutor="t-2")  # week 2 mixes tutors
    for day in (14, 16, 18):
        log.add(day, {"p-1": "present"}, tutor="t-2")  # week 3: steady again, but not the first tutor
    for day in (21, 23, 25):
        log.add(day, {"p-1": "present"}, tutor="t-2")
    dosage = log.measure()
    changes = [r["tutor_change"] for r in dosage.student_weeks.to_pylist()]
    assert changes == [False, True, True, False]
    group_changes = [r["tutor_change"] for r in dosage.group_weeks.to_pylist()]
    assert group_changes == [False, True, True, False]
    (totals,) = dosage.students.to_pylist()
    assert (totals["weeks"], totals["tutors"], totals["tutor_change_weeks"]) == (4, 2, 2)
    assert not any(
        r["tutor_change"] for r in log.measure(DosagePlan(same_tutor=False)).student_weeks.to_pylist()[2:]
    )


def test_weeks_students_and_subjects_are_kept_apart() -> None:
    log = Log()
    log.add(0, {"p-1": "present"})
    log.add(7, {"p-1": "present"})
    log.add(1, {"p-1": "present"}, group="g-2", tutor="t-9", skills="geometry")
    log.add(3, {"p-1": "present"}, group=None, tutor="t-9", skills="geometry,measurement_and_data")
    dosage = log.measure()
    keys = [(r["subject"], r["week_start"], r["sessions_attended"]) for r in dosage.student_weeks.to_pylist()]
    assert keys == [("ela", MONDAY, 1), ("ela", MONDAY + timedelta(days=7), 1), ("math", MONDAY, 2)]


def test_a_lighter_plan_changes_the_flags() -> None:
    log = Log()
    log.add(0, {"p-1": "present"}, minutes=45)
    log.add(2, {"p-1": "present"}, minutes=45)
    assert student_week(log.measure(), "p-1")["under_dosed"]
    plan = DosagePlan(sessions_per_week=2, minutes_per_session=45)
    assert plan.weekly_minutes == 90
    assert not student_week(log.measure(plan), "p-1")["under_dosed"]


def test_summary_per_school_and_week() -> None:
    log = Log()
    log.add(0, {"p-1": "present", "p-2": "absent"})
    log.add(2, {"p-1": "present", "p-2": "absent"})
    log.add(4, {"p-1": "present", "p-2": "present"})
    log.add(1, {f"m-{i}": "present" for i in range(5)}, group="g-2", skills="geometry")
    summary = {r["school_source_id"]: r for r in log.measure().summary.to_pylist()}
    ela, math = summary["sch-1"], summary["sch-2"]
    assert (ela["students"], ela["students_under_dosed"], ela["sessions_held"], ela["minutes_present"]) == (
        2,
        1,
        3,
        120,
    )
    assert (math["students"], math["sessions_oversized"], math["students_in_oversized_groups"]) == (5, 1, 5)
    assert math["students_under_dosed"] == 5 and math["week_start"] == MONDAY


def test_an_empty_log_gives_empty_tables() -> None:
    dosage = Log().measure()  # a district whose tutors have not logged a session yet
    assert dosage.student_weeks.num_rows == dosage.group_weeks.num_rows == dosage.summary.num_rows == 0
    assert dosage.student_weeks.schema.field("tutor_change").type == pa.bool_()
    assert dosage.group_weeks.schema.field("tutor_change").type == pa.bool_()


def test_missing_columns_are_named() -> None:
    with pytest.raises(TutoringError, match="attendance: missing column"):
        measure_dosage(
            conform("tutoring_session", pa.Table.from_pylist([])),
            pa.table({"session_source_id": pa.array([], pa.string())}),
            groups(),
        )


def test_plan_bounds_are_validated() -> None:
    with pytest.raises(ValueError, match="sessions_per_week"):
        DosagePlan(sessions_per_week=0)
