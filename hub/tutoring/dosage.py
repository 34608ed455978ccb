"""Dosage: tutoring delivered against tutoring planned, per student and week, from the session log.

The plan's defaults are the National Student Support Accelerator's: three or more sessions a week of at
least 30 minutes, at most four students per tutor, the same tutor every time. A week runs Monday to Sunday
(``week_start`` is its Monday). A student is scheduled for every session the log lists them in; absent,
excused and cancelled sessions count as scheduled and not attended, so under-dosing shows whether the
student missed sessions or the sessions never took place (``under_delivered``).

Flags per student and week: ``under_dosed`` (attended fewer sessions than planned, or fewer minutes
than sessions x minutes), ``under_delivered`` (fewer sessions held than planned), ``oversized_group``
(a session logged more students than the plan allows) and ``tutor_change`` (more than one tutor in the
week, or another tutor than the week before). The plan knows no calendar: a week with a school holiday
shows as under-delivered for everyone, which the per-school summary makes plain at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field

from hub.skills import DOMAINS
from hub.tutoring.errors import TutoringError

ATTENDED = ("present", "tardy")
CANCELLED = "cancelled"
STUDENT_WEEK = ["person_source_id", "subject", "week_start"]
FLAGS = ("under_delivered", "under_dosed", "oversized_group", "tutor_change")
_DOMAIN_SUBJECT = {domain: subject for subject, domains in DOMAINS.items() for domain in domains}


class DosagePlan(BaseModel):
    """What one student should receive each week (hub.yaml ``tutoring.dosage``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sessions_per_week: int = Field(default=3, ge=1, le=10, description="sessions a student should attend")
    minutes_per_session: int = Field(default=30, ge=5, le=240, description="minutes each of them should last")
    max_group_size: int = Field(default=4, ge=1, le=10, description="students logged for one session")
    same_tutor: bool = Field(default=True, description="flag a change of tutor from week to week")

    @property
    def weekly_minutes(self) -> int:
        return self.sessions_per_week * self.minutes_per_session


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


def require(table: pa.Table, columns: list[str], what: str) -> None:
    missing = [column for column in columns if column not in table.column_names]
    if missing:
        raise TutoringError(f"{what}: missing column(s) {', '.join(missing)}")


def week_start(dates: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """The Monday of each date's week."""
    days = pc.cast(dates, pa.int32()).cast(pa.int64())
    return pc.subtract(days, pc.day_of_week(dates)).cast(pa.int32()).cast(pa.date32())


def session_facts(sessions: pa.Table, groups: pa.Table) -> pa.Table:
    """Each session (in the given order) with its week, and the school and subject of its group.

    A session whose group is unknown takes its subject from the first skill it covered, so that a log
    without group ids still counts towards the right subject.
    """
    require(sessions, ["source_id", "session_date", "minutes", "tutor_person_source_id"], "tutoring_session")
    require(groups, ["source_id", "school_source_id", "subject"], "tutoring_group")
    group = _column(sessions, "group_source_id")
    at = pc.index_in(group, groups["source_id"])
    first_skill = pc.list_element(
        pc.split_pattern(pc.fill_null(_column(sessions, "skills_covered"), ""), ","), 0
    )
    skill_subject = pc.take(
        pa.array(list(_DOMAIN_SUBJECT.values()), pa.string()),
        pc.index_in(first_skill, pa.array(list(_DOMAIN_SUBJECT), pa.string())),
    )
    return pa.table(
        {
            "session_source_id": sessions["source_id"],
            "session_date": sessions["session_date"],
            "week_start": week_start(sessions["session_date"]),
            "minutes": sessions["minutes"].cast(pa.int64()),
            "tutor_person_source_id": sessions["tutor_person_source_id"],
            "group_source_id": group,
            "school_source_id": groups["school_source_id"].take(at),
            "subject": pc.coalesce(groups["subject"].take(at), skill_subject),
        }
    )


def _column(table: pa.Table, name: str) -> pa.ChunkedArray:
    return (
        table[name]
        if name in table.column_names
        else pa.chunked_array([pa.nulls(table.num_rows, pa.string())])
    )


def _changed_from_previous(table: pa.Table, keys: list[str], value: str) -> pa.Array:
    """True where ``value`` differs from the previous row of the same ``keys`` (``table`` sorted by them)."""
    if table.num_rows < 2:
        return pa.array([False] * table.num_rows)

    def shifted(name: str) -> tuple[pa.Array, pa.Array]:
        column = table[name].combine_chunks()
        return column.slice(1), column.slice(0, table.num_rows - 1)

    same = pc.equal(*shifted(keys[0]))
    for key in keys[1:]:
        same = pc.and_(same, pc.equal(*shifted(key)))
    changed = pc.fill_null(pc.and_(pc.fill_null(same, False), pc.not_equal(*shifted(value))), False)
    return pa.concat_arrays([pa.array([False]), changed])


def measure_dosage(
    sessions: pa.Table, attendance: pa.Table, groups: pa.Table, plan: DosagePlan | None = None
) -> Dosage:
    """Dosage per student and week against ``plan``, with the flags NSSA's criteria call for.

    Attendance rows point at their session by position (``index_in``), and the session's facts come
    along as integers, so a million rows are grouped without copying the session's text onto each.
    """
    plan = plan or DosagePlan()
    require(
        attendance, ["session_source_id", "person_source_id", "attendance", "minutes_present"], "attendance"
    )
    facts = session_facts(sessions, groups)
    at = pc.index_in(attendance["session_source_id"], facts["session_source_id"])
    logged = attendance.filter(pc.is_valid(at))  # attendance of a session the log does not hold is left out
    session = at.filter(pc.is_valid(at)).to_numpy(zero_copy_only=False).astype(np.int64)
    held = pc.not_equal(logged["attendance"], CANCELLED).to_numpy(zero_copy_only=False)
    attended = pc.is_in(logged["attendance"], pa.array(ATTENDED)).to_numpy(zero_copy_only=False)
    per_session = _per_session(facts, session, held, attended, plan)
    tutors = pc.dictionary_encode(facts["tutor_person_source_id"].combine_chunks())
    tutor = tutors.indices.to_numpy(zero_copy_only=False).astype(np.int64)[session]
    taken = pa.array(session)
    rows = pa.table(
        {
            "person_source_id": logged["person_source_id"],
            "subject": facts["subject"].take(taken),
            "week_start": facts["week_start"].take(taken),
            "session": taken,
            "minutes": facts["minutes"].take(taken),
            "minutes_present": logged["minutes_present"].cast(pa.int64()),
            "held": pa.array(held.astype(np.int64)),
            "attended": pa.array(attended.astype(np.int64)),
            "held_tutor": pa.array(tutor, mask=~held),
            "group_size": per_session["group_size"].take(taken),
        }
    )
    student_weeks = _student_weeks(rows, facts, tutors.dictionary, plan)
    return Dosage(
        sessions=per_session,
        student_weeks=student_weeks,
        group_weeks=_group_weeks(per_session, plan),
        students=_students(student_weeks, rows),
        summary=_summary(student_weeks, per_session),
    )


def _per_session(
    facts: pa.Table, session: np.ndarray, held: np.ndarray, attended: np.ndarray, plan: DosagePlan
) -> pa.Table:
    """Group size (students logged), students present; cancelled = logged, and nobody's session held."""
    size = np.bincount(session, minlength=facts.num_rows)
    present = np.bincount(session, weights=attended, minlength=facts.num_rows).astype(np.int64)
    any_held = np.bincount(session, weights=held, minlength=facts.num_rows) > 0
    return (
        facts.append_column("group_size", pa.array(size))
        .append_column("students_present", pa.array(present))
        .append_column("cancelled", pa.array((size > 0) & ~any_held))
        .append_column("oversized", pa.array(size > plan.max_group_size))
    )


def _student_weeks(rows: pa.Table, facts: pa.Table, tutors: pa.Array, plan: DosagePlan) -> pa.Table:
    weeks = rows.group_by(STUDENT_WEEK).aggregate(
        [
            ("session", "count"),
            ("held", "sum"),
            ("attended", "sum"),
            ("minutes_present", "sum"),
            ("minutes", "sum"),
            ("held_tutor", "count_distinct"),
            ("held_tutor", "min"),
            ("group_size", "max"),
            ("session", "min"),
        ]
    )
    first = weeks["session_min"]
    weeks = pa.table(
        {
            **{key: weeks[key] for key in STUDENT_WEEK},
            "sessions_scheduled": weeks["session_count"],
            "sessions_held": weeks["held_sum"],
            "sessions_attended": weeks["attended_sum"],
            "minutes_present": weeks["minutes_present_sum"],
            "minutes_scheduled": weeks["minutes_sum"],
            "tutors": weeks["held_tutor_count_distinct"],
            "tutor_person_source_id": tutors.take(weeks["held_tutor_min"]),
            "max_group_size": weeks["group_size_max"],
            "school_source_id": facts["school_source_id"].take(first),
            "group_source_id": facts["group_source_id"].take(first),
        }
    ).sort_by([(key, "ascending") for key in STUDENT_WEEK])
    under_delivered = pc.less(weeks["sessions_held"], plan.sessions_per_week)
    under_dosed = pc.or_(
        pc.less(weeks["sessions_attended"], plan.sessions_per_week),
        pc.less(weeks["minutes_present"], plan.weekly_minutes),
    )
    tutor_change = pc.greater(weeks["tutors"], 1)
    if plan.same_tutor:
        switched = _changed_from_previous(weeks, ["person_source_id", "subject"], "tutor_person_source_id")
        tutor_change = pc.or_(tutor_change, switched)
    return (
        weeks.append_column("under_delivered", under_delivered)
        .append_column("under_dosed", under_dosed)
        .append_column("oversized_group", pc.greater(weeks["max_group_size"], plan.max_group_size))
        .append_column("tutor_change", tutor_change)
    )


def _group_weeks(per_session: pa.Table, plan: DosagePlan) -> pa.Table:
    held = per_session.filter(pc.invert(per_session["cancelled"]))
    weeks = (
        held.filter(pc.is_valid(held["group_source_id"]))
        .group_by(["group_source_id", "week_start"])
        .aggregate(
            [
                ("session_source_id", "count"),
                ("tutor_person_source_id", "count_distinct"),
                ("tutor_person_source_id", "min"),
                ("group_size", "max"),
            ]
        )
        .rename_columns(
            {
                "session_source_id_count": "sessions_held",
                "tutor_person_source_id_count_distinct": "tutors",
                "tutor_person_source_id_min": "tutor_person_source_id",
                "group_size_max": "max_group_size",
            }
        )
        .sort_by([("group_source_id", "ascending"), ("week_start", "ascending")])
    )
    tutor_change = pc.greater(weeks["tutors"], 1)
    if plan.same_tutor:
        switched = _changed_from_previous(weeks, ["group_source_id"], "tutor_person_source_id")
        tutor_change = pc.or_(tutor_change, switched)
    return weeks.append_column("tutor_change", tutor_change)


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


def _summary(student_weeks: pa.Table, per_session: pa.Table) -> pa.Table:
    by_students = student_weeks.select(
        ["school_source_id", "week_start", "person_source_id", "minutes_present"]
    )
    for flag in FLAGS:
        by_students = by_students.append_column(flag, student_weeks[flag].cast(pa.int64()))
    students = by_students.group_by(["school_source_id", "week_start"]).aggregate(
        [("person_source_id", "count_distinct"), ("minutes_present", "sum")]
        + [(flag, "sum") for flag in FLAGS]
    )
    sessions = (
        per_session.append_column("held", pc.invert(per_session["cancelled"]).cast(pa.int64()))
        .append_column("oversized_n", per_session["oversized"].cast(pa.int64()))
        .group_by(["school_source_id", "week_start"])
        .aggregate([("session_source_id", "count"), ("held", "sum"), ("oversized_n", "sum")])
    )
    summary = students.join(sessions, ["school_source_id", "week_start"], join_type="left outer")
    return summary.rename_columns(
        {
            "person_source_id_count_distinct": "students",
            "minutes_present_sum": "minutes_present",
            "under_delivered_sum": "students_under_delivered",
            "under_dosed_sum": "students_under_dosed",
            "oversized_group_sum": "students_in_oversized_groups",
            "tutor_change_sum": "students_with_tutor_change",
            "session_source_id_count": "sessions_scheduled",
            "held_sum": "sessions_held",
            "oversized_n_sum": "sessions_oversized",
        }
    ).sort_by([("school_source_id", "ascending"), ("week_start", "ascending")])
