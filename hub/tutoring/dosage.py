"""Dosage: tutoring delivered against tutoring planned, per student and week, from the session log.

The plan's defaults are the National Student Support Accelerator's: three or more sessions a week of at
least 30 minutes, at most four students per tutor, the same tutor every time. A week runs Monday to Sunday
(``week_start`` is its Monday). The week-by-week tables and their flags come from ``dosage_weeks``; here
they are put together and totalled per student and per school. The plan knows no calendar: a week with a
school holiday shows as under-delivered for everyone, which the per-school summary makes plain at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring import dosage_weeks
from hub.tutoring._arrow import require
from hub.tutoring.dosage_log import SessionLog
from hub.tutoring.dosage_weeks import FLAGS, STUDENT_WEEK, DosagePlan
from hub.tutoring.errors import TutoringError
from hub.tutoring.sessions import ATTENDANCE_COLUMNS, ATTENDED, CANCELLED, session_facts, week_start

# The names callers have always imported from here stay importable from here.
__all__ = [
    "ATTENDED",
    "CANCELLED",
    "FLAGS",
    "STUDENT_WEEK",
    "Dosage",
    "DosagePlan",
    "TutoringError",
    "measure_dosage",
    "require",
    "session_facts",
    "week_start",
]


@dataclass(frozen=True, slots=True)
class Dosage:
    """Dosage tables, each keyed as its name says; flags are booleans, counts int64, rates float64."""

    sessions: pa.Table
    """Per session: week, group, school, subject, tutor, group size, present count, ``oversized``."""
    student_weeks: pa.Table
    """Per student, subject and week: scheduled, held, attended, minutes and the four flags."""
    group_weeks: pa.Table
    """Per group and week: sessions held, tutors, ``tutor_change``."""
    students: pa.Table
    """Per student and subject over everything given: totals, ``attendance_rate``, flagged weeks."""
    summary: pa.Table
    """Per school and week: the figures a leader scans (Dagster metadata)."""


@dataclass(frozen=True, slots=True)
class PartDosage:
    """One student part's dosage: its students' tables whole (each student is in one part), and per school
    and week the figures that add up over parts (``school_weeks``)."""

    student_weeks: pa.Table
    students: pa.Table
    school_weeks: pa.Table


def measure_dosage(
    sessions: pa.Table, attendance: pa.Table, groups: pa.Table, plan: DosagePlan | None = None
) -> Dosage:
    """Dosage per student and week against ``plan``, with the flags NSSA's criteria call for: a district
    measured as one part."""
    plan = plan or DosagePlan()
    require(attendance, ATTENDANCE_COLUMNS, "attendance")
    log = SessionLog.of(sessions, groups)
    per_session = dosage_weeks.per_session(log.facts, log.counts(attendance), plan)
    part = measure_part(log, per_session, attendance, plan)
    return Dosage(
        sessions=per_session,
        student_weeks=part.student_weeks,
        group_weeks=dosage_weeks.group_weeks(per_session, plan),
        students=part.students,
        summary=summary([part.school_weeks], per_session),
    )


def measure_part(
    log: SessionLog, per_session: pa.Table, attendance: pa.Table, plan: DosagePlan
) -> PartDosage:
    """The dosage of the students ``attendance`` holds, all of whose rows it holds; ``per_session`` is the
    whole district's (a student's group size counts the other parts' students too)."""
    logged = log.logged(attendance)
    taken = pa.array(logged.session)
    facts = log.facts
    tutor = log.tutors.indices.to_numpy(zero_copy_only=False).astype(np.int64)[logged.session]
    rows = pa.table(
        {
            "person_source_id": logged.rows["person_source_id"],
            "subject": facts["subject"].take(taken),
            "week_start": facts["week_start"].take(taken),
            "session": taken,
            "minutes": facts["minutes"].take(taken),
            "minutes_present": logged.rows["minutes_present"].cast(pa.int64()),
            "held": pa.array(logged.held.astype(np.int64)),
            "attended": pa.array(logged.attended.astype(np.int64)),
            "held_tutor": pa.array(tutor, mask=~logged.held),
            "group_size": per_session["group_size"].take(taken),
        }
    )
    weeks = dosage_weeks.student_weeks(rows, facts, log.tutors.dictionary, plan)
    return PartDosage(weeks, _students(weeks, rows), _school_weeks(weeks))


def _students(student_weeks: pa.Table, rows: pa.Table) -> pa.Table:
    counted = student_weeks.select(
        [*STUDENT_WEEK, "sessions_scheduled", "sessions_held", "sessions_attended", "minutes_present"]
    )
    for flag in FLAGS:
        counted = counted.append_column(flag, student_weeks[flag].cast(pa.int64()))
    totals = counted.group_by(["person_source_id", "subject"]).aggregate(
        [
            ("week_start", "count"),
            ("week_start", "min"),
            ("week_start", "max"),
            ("sessions_scheduled", "sum"),
            ("sessions_held", "sum"),
            ("sessions_attended", "sum"),
            ("minutes_present", "sum"),
        ]
        + [(flag, "sum") for flag in FLAGS]
    )
    tutors = rows.group_by(["person_source_id", "subject"]).aggregate([("held_tutor", "count_distinct")])
    totals = totals.join(tutors, ["person_source_id", "subject"])
    renamed = {
        "week_start_count": "weeks",
        "week_start_min": "first_week",
        "week_start_max": "last_week",
        "held_tutor_count_distinct": "tutors",
        **{f"{name}_sum": name for name in ["sessions_scheduled", "sessions_held", "sessions_attended"]},
        "minutes_present_sum": "minutes_present",
        **{f"{flag}_sum": f"{flag}_weeks" for flag in FLAGS},
    }
    totals = totals.rename_columns(renamed)
    rate = pc.divide(
        totals["sessions_attended"].cast(pa.float64()), totals["sessions_scheduled"].cast(pa.float64())
    )
    hours = pc.divide(totals["minutes_present"].cast(pa.float64()), 60.0)
    return (
        totals.append_column("attendance_rate", rate)
        .append_column("hours_present", hours)
        .sort_by([("person_source_id", "ascending"), ("subject", "ascending")])
    )


SCHOOL_WEEK = ["school_source_id", "week_start"]
_SCHOOL_WEEK_SUMS = [
    "students",
    "minutes_present",
    "students_under_delivered",
    "students_under_dosed",
    "students_in_oversized_groups",
    "students_with_tutor_change",
]


def _school_weeks(student_weeks: pa.Table) -> pa.Table:
    """Per school and week: students, minutes and students flagged. A student is in one part only, so the
    distinct count of a district's students is the sum of its parts'."""
    by_students = student_weeks.select([*SCHOOL_WEEK, "person_source_id", "minutes_present"])
    for flag in FLAGS:
        by_students = by_students.append_column(flag, student_weeks[flag].cast(pa.int64()))
    counted = by_students.group_by(SCHOOL_WEEK).aggregate(
        [("person_source_id", "count_distinct"), ("minutes_present", "sum")]
        + [(flag, "sum") for flag in FLAGS]
    )
    named = dict(
        zip(
            ["person_source_id_count_distinct", "minutes_present_sum", *(f"{flag}_sum" for flag in FLAGS)],
            _SCHOOL_WEEK_SUMS,
            strict=True,
        )
    )
    return counted.select([*named, *SCHOOL_WEEK]).rename_columns([*named.values(), *SCHOOL_WEEK])


def summary(school_weeks: list[pa.Table], per_session: pa.Table) -> pa.Table:
    """Per school and week: the parts' ``school_weeks`` added up, beside the sessions scheduled, held and
    oversized."""
    students = (
        pa.concat_tables(school_weeks)
        .group_by(SCHOOL_WEEK)
        .aggregate([(name, "sum") for name in _SCHOOL_WEEK_SUMS])
        .rename_columns({f"{name}_sum": name for name in _SCHOOL_WEEK_SUMS})
    )
    sessions = (
        per_session.append_column("held", pc.invert(per_session["cancelled"]).cast(pa.int64()))
        .append_column("oversized_n", per_session["oversized"].cast(pa.int64()))
        .group_by(SCHOOL_WEEK)
        .aggregate([("session_source_id", "count"), ("held", "sum"), ("oversized_n", "sum")])
        .rename_columns(
            {
                "session_source_id_count": "sessions_scheduled",
                "held_sum": "sessions_held",
                "oversized_n_sum": "sessions_oversized",
            }
        )
    )
    summary = students.join(sessions, SCHOOL_WEEK, join_type="left outer")
    return summary.sort_by([("school_source_id", "ascending"), ("week_start", "ascending")])
