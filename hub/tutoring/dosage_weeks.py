"""Dosage week by week against the plan: per session, per student and week, per group and week.

A student is scheduled for every session the log lists them in; absent, excused and cancelled sessions
count as scheduled and not attended, so under-dosing shows whether the student missed sessions or the
sessions never took place. Flags per student and week: ``under_dosed`` (attended fewer sessions than
planned, or fewer minutes than sessions x minutes), ``under_delivered`` (fewer sessions held than
planned), ``oversized_group`` (a session logged more students than the plan allows) and ``tutor_change``
(more than one tutor in the week, or another tutor than the week before).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field

from hub.tutoring.dosage_log import SessionCounts

STUDENT_WEEK = ["person_source_id", "subject", "week_start"]
FLAGS = ("under_delivered", "under_dosed", "oversized_group", "tutor_change")


class DosagePlan(BaseModel):
    """What one student should receive each week (hub.yaml ``dosage:`` per district)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sessions_per_week: int = Field(default=3, ge=1, le=10, description="sessions a student should attend")
    minutes_per_session: int = Field(default=30, ge=5, le=240, description="minutes each of them should last")
    max_group_size: int = Field(
        default=4, ge=1, le=10, description="students logged for one session; follows tutoring.max_group_size"
    )
    same_tutor: bool = Field(default=True, description="flag a change of tutor from week to week")

    @property
    def weekly_minutes(self) -> int:
        return self.sessions_per_week * self.minutes_per_session


def per_session(facts: pa.Table, counts: SessionCounts, plan: DosagePlan) -> pa.Table:
    """Group size (students logged), students present; cancelled = logged, and nobody's session held."""
    return (
        facts.append_column("group_size", pa.array(counts.logged))
        .append_column("students_present", pa.array(counts.present))
        .append_column("cancelled", pa.array((counts.logged > 0) & (counts.held == 0)))
        .append_column("oversized", pa.array(counts.logged > plan.max_group_size))
    )


def student_weeks(rows: pa.Table, facts: pa.Table, tutors: pa.Array, plan: DosagePlan) -> pa.Table:
    """Per student, subject and week from attendance ``rows`` (``session`` = position in ``facts``)."""
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


def group_weeks(per_session: pa.Table, plan: DosagePlan) -> pa.Table:
    """Per group and week: sessions held, tutors and whether the tutor changed."""
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


def _changed_from_previous(table: pa.Table, keys: list[str], value: str) -> pa.Array:
    """True where ``value`` differs from the previous row of the same ``keys`` (``table`` sorted by them)."""
    if table.num_rows < 2:
        return pa.array([False] * table.num_rows, pa.bool_())  # typed even when empty

    def shifted(name: str) -> tuple[pa.Array, pa.Array]:
        column = table[name].combine_chunks()
        return column.slice(1), column.slice(0, table.num_rows - 1)

    same = pc.equal(*shifted(keys[0]))
    for key in keys[1:]:
        same = pc.and_(same, pc.equal(*shifted(key)))
    changed = pc.fill_null(pc.and_(pc.fill_null(same, False), pc.not_equal(*shifted(value))), False)
    return pa.concat_arrays([pa.array([False]), changed])
