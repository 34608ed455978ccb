"""The one-line tutoring status per student that goes beside the class's grades (<= 255 characters).

Canvas shows it in a read-only "Tutoring focus" gradebook column; a OneRoster gradebook stores it as a
result. A student who has left tutoring keeps a status that says when and why, so the column never shows
an old group after the student is out of it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyarrow.compute as pc

from hub.reports.directory import Directory, weekdays
from hub.reports.inputs import ReportInputs
from hub.reports.logged_not_placed import since_text
from hub.reports.model import STATUS_LIMIT, StudentFocus
from hub.skills import label
from hub.tutoring.exits import REGROUPED, reason_codes

Row = dict[str, Any]


def exits_by_section(inputs: ReportInputs, names: Directory) -> dict[str, list[Row]]:
    """Students of each section who left tutoring in the section's subject by the week's end, latest exit.

    A move to another group closes a membership but is not leaving tutoring, so it is never listed.
    """
    memberships = inputs.group_membership
    if memberships is None:
        return {}
    left = memberships.filter(
        pc.and_(
            pc.fill_null(pc.less_equal(memberships["exit_date"], inputs.week_end), False),
            pc.not_equal(reason_codes(memberships["exit_reason"]), REGROUPED),
        )
    )
    left = left.select(["person_source_id", "subject", "exit_date", "exit_reason"])
    learners = inputs.enrollment.filter(pc.equal(inputs.enrollment["role"], "student"))
    links = learners.select(["section_source_id", "person_source_id"]).join(left, "person_source_id")
    by_section: dict[str, list[Row]] = defaultdict(list)
    for row in links.sort_by([("exit_date", "descending")]).to_pylist():
        if names.class_subject.get(row["section_source_id"]) == row["subject"]:
            by_section[row["section_source_id"]].append(row)
    return by_section


def _status(row: Row, names: Directory) -> str:
    days = weekdays(row["attended_dates"], row["missed_dates"])
    where = names.group(row["group_source_id"]) + (f", {days}" if days else "")
    text = f"Tutoring since {row['tutored_since'].isoformat()}: {label(row['canonical_domain'])} ({where}); "
    if row["sessions_scheduled"]:
        text += f"attended {row['sessions_attended']}/{row['sessions_scheduled']} this week"
    else:
        text += "no session logged this week"
    if row["growth_since_entry"] is not None:
        text += f"; {row['growth_since_entry']:+.0f} points since entry"
    return _fit(text)


def _fit(text: str) -> str:
    return text if len(text) <= STATUS_LIMIT else text[: STATUS_LIMIT - 1] + "\u2026"


def statuses(
    rows: list[Row], logged_not_placed: list[Row], exits: list[Row], names: Directory
) -> tuple[StudentFocus, ...]:
    """The section's tutored students this week, those logged without a placement, then those who left
    tutoring in its subject before."""
    found = {
        row["person_source_id"]: StudentFocus(
            row["person_source_id"], _status(row, names), (row["canonical_domain"],)
        )
        for row in rows
    }
    for row in logged_not_placed:
        if row["person_source_id"] not in found:
            text = f"Not in tutoring: sessions {since_text(row, names.logged_not_placed_since)} (to resolve)"
            found[row["person_source_id"]] = StudentFocus(row["person_source_id"], _fit(text))
    for row in exits:  # latest exit first; a student back in tutoring keeps the current status
        if row["person_source_id"] not in found:
            reason = f" ({row['exit_reason']})" if row["exit_reason"] else ""
            found[row["person_source_id"]] = StudentFocus(
                row["person_source_id"], _fit(f"Left tutoring on {row['exit_date'].isoformat()}{reason}")
            )
    return tuple(found[student] for student in sorted(found))
