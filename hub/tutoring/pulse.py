"""The weekly pulse: what tutors did this week, for the group and for each student's classroom teacher.

Alignment between tutoring and class is what makes tutoring work, and it rests on a short weekly note:
who came and who did not, which skills were worked on, how each student is growing, and what comes next.
The tables name people by ``person_source_id`` only; a report builder joins names at rendering time, so
nothing here needs more privacy care than the ids themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring._arrow import optional_text, overlapping, pick_first, require, within
from hub.tutoring.growth import growth_between
from hub.tutoring.pulse_teachers import SUBJECT_PATTERNS, section_subjects, teacher_rows
from hub.tutoring.sessions import ATTENDED, CANCELLED, session_facts

# The names callers have always imported from here stay importable from here.
__all__ = [
    "GROUP_COLUMNS",
    "SUBJECT_PATTERNS",
    "Pulse",
    "school_year_of",
    "section_subjects",
    "weekly_pulse",
]
GROUP_COLUMNS = ["source_id", "school_source_id", "subject", "canonical_domain", "tutor_person_source_id"]


@dataclass(frozen=True, slots=True)
class Pulse:
    groups: pa.Table
    """One row per group, week and student: attendance, the group's skills and next steps, growth."""
    teachers: pa.Table
    """The same rows once per classroom teacher and section of the student in the group's subject."""


def school_year_of(day: date) -> int:
    """The school year a day falls in, named by the year it ends (July starts a new one)."""
    return day.year + 1 if day.month >= 7 else day.year


def weekly_pulse(
    week_start: date,
    sessions: pa.Table,
    attendance: pa.Table,
    groups: pa.Table,
    memberships: pa.Table,
    results: pa.Table,
    enrollments: pa.Table,
    sections: pa.Table,
) -> Pulse:
    """The pulse of the week starting ``week_start`` (a Monday) for every group that met or had members."""
    week_end = week_start + timedelta(days=6)
    require(groups, GROUP_COLUMNS, "tutoring_group")
    require(
        memberships, ["group_source_id", "person_source_id", "entry_date", "exit_date"], "group_membership"
    )
    facts = within(session_facts(sessions, groups), "session_date", week_start, week_end)
    week_rows = _week_rows(facts, attendance)
    seen = _students_of_week(week_rows)
    members = overlapping(memberships, "entry_date", "exit_date", week_start, week_end)
    members = members.select(["group_source_id", "person_source_id", "entry_date"]).append_column(
        "tutored_since", _tutored_since(members)
    )
    members = members.append_column("member", pa.array([True] * members.num_rows, pa.bool_()))
    rows = members.join(seen, ["group_source_id", "person_source_id"], join_type="full outer")
    # a group the log names but the hub did not form still reports, with subject and tutor from the log
    rows = rows.join(groups.select(GROUP_COLUMNS), "group_source_id", right_keys="source_id")
    rows = rows.join(_groups_of_week(week_rows, sessions), "group_source_id", join_type="left outer")
    for name in ("subject", "tutor_person_source_id"):
        logged = pc.coalesce(rows[name], rows[f"log_{name}"])
        rows = rows.set_column(rows.column_names.index(name), name, logged).drop_columns([f"log_{name}"])
    for name in ("sessions_scheduled", "sessions_attended", "sessions_missed", "minutes_present"):
        rows = rows.set_column(rows.column_names.index(name), name, pc.fill_null(rows[name], 0))
    rows = rows.set_column(rows.column_names.index("member"), "member", pc.fill_null(rows["member"], False))
    rows = _with_growth(rows, results, week_start, week_end)
    rows = rows.append_column("week_start", pa.array([week_start] * rows.num_rows, pa.date32()))
    order = [("group_source_id", "ascending"), ("person_source_id", "ascending")]
    rows = rows.sort_by(order)
    return Pulse(groups=rows, teachers=teacher_rows(rows, enrollments, sections, week_start, week_end))


def _tutored_since(members: pa.Table) -> pa.ChunkedArray:
    """The first day of the student's stint of tutoring, carried across moves (the entry date before)."""
    if "tutored_since" not in members.column_names:
        return members["entry_date"]
    return pc.coalesce(members["tutored_since"], members["entry_date"])


def _week_rows(facts: pa.Table, attendance: pa.Table) -> pa.Table:
    """The week's attendance rows with their session's group, date and whether it was held or attended."""
    rows = attendance.select(["session_source_id", "person_source_id", "attendance", "minutes_present"])
    rows = rows.append_column("mastery_check", optional_text(attendance, "mastery_check"))
    logged = ["session_source_id", "session_date", "group_source_id", "subject", "tutor_person_source_id"]
    rows = rows.join(facts.select(logged), "session_source_id", join_type="inner")
    rows = rows.filter(pc.is_valid(rows["group_source_id"]))
    attended = pc.is_in(rows["attendance"], pa.array(ATTENDED))
    missed = pc.invert(pc.or_(attended, pc.equal(rows["attendance"], CANCELLED)))
    return (
        rows.append_column("attended", attended.cast(pa.int64()))
        .append_column("missed", missed.cast(pa.int64()))
        .append_column("held", pc.not_equal(rows["attendance"], CANCELLED))
        .sort_by([("session_date", "ascending"), ("session_source_id", "ascending")])
    )


def _dates(rows: pa.Table, keys: list[str], mask: pa.ChunkedArray, name: str) -> pa.Table:
    """Comma-joined ISO dates per key, in date order (text joins where Arrow's list columns cannot)."""
    picked = rows.filter(mask)
    picked = picked.select(keys).append_column(name, picked["session_date"].cast(pa.string()))
    listed = picked.group_by(keys, use_threads=False).aggregate([(name, "list")])
    return listed.append_column(name, pc.binary_join(listed[f"{name}_list"], ",")).drop_columns(
        [f"{name}_list"]
    )


def _students_of_week(rows: pa.Table) -> pa.Table:
    """Per group and student: scheduled, attended, minutes, which dates they came and missed, last check."""
    keys = ["group_source_id", "person_source_id"]
    counts = rows.group_by(keys).aggregate(
        [("session_source_id", "count"), ("attended", "sum"), ("minutes_present", "sum"), ("missed", "sum")]
    )
    counts = counts.rename_columns(
        {
            "session_source_id_count": "sessions_scheduled",
            "attended_sum": "sessions_attended",
            "minutes_present_sum": "minutes_present",
            "missed_sum": "sessions_missed",
        }
    )
    came = _dates(rows, keys, pc.equal(rows["attended"], 1), "attended_dates")
    missed = _dates(rows, keys, pc.equal(rows["missed"], 1), "missed_dates")
    checks = rows.filter(pc.is_valid(rows["mastery_check"]))
    last_check = pick_first(checks, keys, [("session_date", "descending")]).select([*keys, "mastery_check"])
    for extra in (came, missed, last_check):
        counts = counts.join(extra, keys, join_type="left outer")
    return counts


def _groups_of_week(rows: pa.Table, sessions: pa.Table) -> pa.Table:
    """Per group: sessions logged and held, skills covered (distinct, sorted), latest notes, next steps."""
    keys = ["session_source_id", "group_source_id", "session_date", "subject", "tutor_person_source_id"]
    logged = rows.group_by(keys).aggregate([("held", "max")])
    logged = logged.append_column("held_n", logged["held_max"].cast(pa.int64()))
    counts = logged.group_by("group_source_id").aggregate(
        [
            ("session_source_id", "count"),
            ("held_n", "sum"),
            ("subject", "min"),
            ("tutor_person_source_id", "min"),
        ]
    )
    counts = counts.rename_columns(
        ["group_source_id", "sessions_logged", "sessions_held", "log_subject", "log_tutor_person_source_id"]
    )
    detail = sessions.select(["source_id", "skills_covered", "notes", "next_steps"])
    held = logged.filter(logged["held_max"]).join(detail, "session_source_id", right_keys="source_id")
    latest = pick_first(
        held.filter(pc.or_(pc.is_valid(held["next_steps"]), pc.is_valid(held["notes"]))),
        ["group_source_id"],
        [("session_date", "descending"), ("session_source_id", "descending")],
    ).select(["group_source_id", "notes", "next_steps"])
    return counts.join(_skills(held), "group_source_id", join_type="left outer").join(
        latest, "group_source_id", join_type="left outer"
    )


def _skills(held: pa.Table) -> pa.Table:
    lists = pc.split_pattern(pc.fill_null(held["skills_covered"], ""), ",")
    skills = pa.table(
        {
            "group_source_id": pc.take(held["group_source_id"], pc.list_parent_indices(lists)),
            "skill": pc.list_flatten(lists),
        }
    )
    skills = (
        skills.filter(pc.not_equal(skills["skill"], "")).group_by(["group_source_id", "skill"]).aggregate([])
    )
    listed = skills.sort_by([("group_source_id", "ascending"), ("skill", "ascending")])
    listed = listed.group_by("group_source_id", use_threads=False).aggregate([("skill", "list")])
    return pa.table(
        {
            "group_source_id": listed["group_source_id"],
            "skills_covered": pc.binary_join(listed["skill_list"], ","),
        }
    )


def _with_growth(rows: pa.Table, results: pa.Table, week_start: date, week_end: date) -> pa.Table:
    """The latest test of record and the change since the student entered tutoring (moves kept)."""
    start = pc.coalesce(rows["tutored_since"], pa.scalar(week_start, pa.date32()))
    anchors = rows.select(["person_source_id", "subject"]).append_column("start", start)
    anchors = anchors.group_by(["person_source_id", "subject"]).aggregate([("start", "min")])
    anchors = anchors.rename_columns(["person_source_id", "subject", "start"])
    growth = growth_between(results, anchors, week_end, school_year_of(week_start))
    shown = pa.table(
        {
            "person_source_id": growth["person_source_id"],
            "subject": growth["subject"],
            "vendor": growth["vendor"],
            "measure": growth["measure"],
            "entry_scale": growth["baseline_scale"],
            "entry_test_date": growth["baseline_date"],
            "latest_scale": pc.coalesce(growth["latest_scale"], growth["baseline_scale"]),
            "latest_test_date": pc.coalesce(growth["latest_date"], growth["baseline_date"]),
            "latest_placement": growth["latest_placement"],
            "percent_progress_typical": growth["percent_progress_typical"],
            "growth_since_entry": growth["growth"],
        }
    )
    return rows.join(shown, ["person_source_id", "subject"], join_type="left outer")
