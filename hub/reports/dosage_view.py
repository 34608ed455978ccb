"""Dosage delivered against plan, week by week, for a school or the district (from hub.tutoring.dosage)."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from hub.reports.charts import Bar, BarChart, BarGroup
from hub.reports.figures import Figure, count, figure, missing, share
from hub.reports.model import Column, DataTable, Section
from hub.tutoring.dosage import DosagePlan
from hub.tutoring.tiers import SUBJECT_LABELS


def weekly(student_weeks: pa.Table, first_week: date, last_week: date, keys: list[str]) -> list[dict]:
    """Per ``keys`` (with ``week_start``): students, how many met the plan, mean sessions and minutes."""
    weeks = student_weeks.filter(
        pc.and_(
            pc.greater_equal(student_weeks["week_start"], first_week),
            pc.less_equal(student_weeks["week_start"], last_week),
        )
    )
    counted = weeks.select(
        [*keys, "person_source_id", "sessions_attended", "minutes_present", "tutor_person_source_id"]
    )
    for flag in ("under_dosed", "under_delivered", "tutor_change"):
        counted = counted.append_column(flag, pc.fill_null(weeks[flag], False).cast(pa.int64()))
    sums = counted.group_by(keys).aggregate(
        [
            ("person_source_id", "count"),
            ("sessions_attended", "mean"),
            ("minutes_present", "mean"),
            ("minutes_present", "count"),
            ("tutor_person_source_id", "count"),
            ("under_dosed", "sum"),
            ("under_delivered", "sum"),
            ("tutor_change", "sum"),
        ]
    )
    return sums.sort_by([(key, "ascending") for key in keys]).to_pylist()


MINUTES_MISSING = "minutes not logged"
TUTOR_MISSING = "tutor not logged"


def minutes_missing(row: dict) -> bool:
    """True when the week's minutes are absent from the log (none given, or 0 beside attended sessions):
    minutes and the plan, which counts minutes, then show that the data is missing rather than 0."""
    return row["minutes_present_count"] == 0 or (
        not row["minutes_present_mean"] and bool(row["sessions_attended_mean"])
    )


def met_plan(row: dict, min_n: int) -> Figure:
    """Share of the row's tutored students who met the plan, or why it cannot be told."""
    n = row["person_source_id_count"]
    if minutes_missing(row):
        return missing(f"unknown: {MINUTES_MISSING}")
    return share(n - row["under_dosed_sum"], n, min_n=min_n)


def dosage_section(
    student_weeks: pa.Table | None, plan: DosagePlan, week_start: date, trend_weeks: int, min_n: int
) -> Section:
    title = "Dosage delivered against plan"
    if student_weeks is None or not student_weeks.num_rows:
        return Section("dosage", title)
    first = week_start - timedelta(weeks=trend_weeks - 1)
    rows = weekly(student_weeks, first, week_start, ["subject", "week_start"])
    if not rows:
        return Section("dosage", title, empty="No sessions logged in these weeks yet.")
    cells, groups = [], {}
    for row in rows:
        n = row["person_source_id_count"]
        met = met_plan(row, min_n)
        sessions = figure(row["sessions_attended_mean"], n, min_n=min_n, unit="sessions")
        minutes = figure(row["minutes_present_mean"], n, min_n=min_n, unit="minutes")
        changed = share(row["tutor_change_sum"], n, min_n=min_n)
        subject = SUBJECT_LABELS.get(row["subject"], row["subject"])
        cells.append(
            (
                row["week_start"],
                subject,
                count(n, min_n=min_n),
                sessions,
                missing(MINUTES_MISSING) if minutes_missing(row) else minutes,
                met,
                share(n - row["under_delivered_sum"], n, min_n=min_n),
                changed if row["tutor_person_source_id_count"] else missing(TUTOR_MISSING),
            )
        )
        target = float(plan.sessions_per_week)
        groups.setdefault(subject, []).append(
            Bar(f"Week of {row['week_start'].isoformat()}", sessions, 0, (target, target))
        )
    chart = BarChart(
        "Sessions attended per tutored student, by week",
        f"Mean sessions each tutored student attended per week; the line marks the plan of "
        f"{plan.sessions_per_week} sessions of {plan.minutes_per_session} minutes.",
        "sessions",
        tuple(BarGroup(subject, tuple(bars)) for subject, bars in groups.items()),
        band_label="plan",
        scale_max=float(max(plan.sessions_per_week + 1, 5)),
    )
    table = DataTable(
        (
            Column("week", "Week of"),
            Column("subject", "Subject"),
            Column("students", "Students tutored"),
            Column("sessions", "Sessions attended (mean)"),
            Column("minutes", "Minutes (mean)"),
            Column("met_plan", f"Met plan (>= {plan.sessions_per_week} x {plan.minutes_per_session} min)"),
            Column("delivered", "All planned sessions held"),
            Column("tutor_change", "Tutor changed"),
        ),
        tuple(cells),
    )
    return Section("dosage", title, table, (chart,))
