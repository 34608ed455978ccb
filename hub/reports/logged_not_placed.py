"""Sessions logged for students the hub has not placed: a mismatch to resolve, never counted as tutoring.

The weekly pulse keeps every student a tutor logged, member of a group or not (``member``). A report
shows members as "in tutoring" and the others apart, with the date since which sessions have been logged
for them without a placement, so the tutor and the school can put the log and the hub's groups back in step.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from hub.reports.inputs import ReportInputs
from hub.tutoring.pulse import Pulse

KEYS = ["person_source_id", "group_source_id"]


def logged_since(inputs: ReportInputs, pairs: pa.Table) -> dict[tuple[str, str], date]:
    """For each (student, group) of ``pairs``: the first session logged for them in that group after the
    student last left a group of the subject, up to the reported week's end.

    Without the session log among the inputs, the week's own first logged date stands in (the caller's).
    """
    sessions, attendance = inputs.tutoring_session, inputs.session_attendance
    if sessions is None or attendance is None or not pairs.num_rows:
        return {}
    week_end = pa.scalar(inputs.week_end, pa.date32())
    logged = attendance.select(["session_source_id", "person_source_id"]).join(
        sessions.select(["source_id", "session_date", "group_source_id"]),
        "session_source_id",
        right_keys="source_id",
        join_type="inner",
    )
    logged = logged.filter(pc.less_equal(logged["session_date"], week_end))
    logged = logged.join(pairs.select([*KEYS, "subject"]), KEYS, join_type="inner")
    logged = logged.join(
        _last_exit(inputs, week_end), ["person_source_id", "subject"], join_type="left outer"
    )
    after = pc.or_kleene(
        pc.is_null(logged["last_exit"]), pc.greater(logged["session_date"], logged["last_exit"])
    )
    first = logged.filter(after).group_by(KEYS).aggregate([("session_date", "min")])
    return {
        (person, group): day
        for person, group, day in zip(
            first["person_source_id"].to_pylist(),
            first["group_source_id"].to_pylist(),
            first["session_date_min"].to_pylist(),
            strict=True,
        )
    }


def _last_exit(inputs: ReportInputs, week_end: pa.Scalar) -> pa.Table:
    """Per student and subject, the latest exit on or before the week's end."""
    memberships = inputs.group_membership
    if memberships is None or not memberships.num_rows:
        return pa.table(
            {"person_source_id": pa.array([], pa.string()), "subject": pa.array([], pa.string()),
             "last_exit": pa.array([], pa.date32())}
        )  # fmt: skip
    left = memberships.filter(pc.fill_null(pc.less_equal(memberships["exit_date"], week_end), False))
    last = left.group_by(["person_source_id", "subject"]).aggregate([("exit_date", "max")])
    return last.rename_columns(["person_source_id", "subject", "last_exit"])


def logged_not_placed_pairs(inputs: ReportInputs) -> pa.Table:
    """The pulse's rows of students logged this week without an open membership in the group."""
    return not_placed_pairs(inputs.pulse)


def not_placed_pairs(pulse: Pulse | None) -> pa.Table:
    """``logged_not_placed_pairs`` from the pulse alone: what the reports step reads the log for."""
    if pulse is None:
        return pa.table({name: pa.array([], pa.string()) for name in [*KEYS, "subject"]})
    rows = pulse.groups
    return rows.filter(pc.invert(rows["member"])).select([*KEYS, "subject"])


def first_logged(row: dict) -> date | None:
    """The earliest date this week a session was logged for the row's student (attended or missed)."""
    dates = [
        text for field in ("attended_dates", "missed_dates") if row[field] for text in row[field].split(",")
    ]
    return date.fromisoformat(min(dates)) if dates else None


def since_text(row: dict, since: dict[tuple[str, str], date]) -> str:
    day = since.get((row["person_source_id"], row["group_source_id"])) or first_logged(row)
    return f"logged but not placed since {day.isoformat()}" if day else "logged but not placed"
