"""How reports show sessions logged for students the hub has not placed: to the tutor and the teacher by
name, to the school as a count per tutor and group (hub.reports.logged_not_placed finds the dates)."""

from __future__ import annotations

import pyarrow.compute as pc

from hub.reports.directory import Directory, skills_text
from hub.reports.figures import count
from hub.reports.inputs import ReportInputs
from hub.reports.logged_not_placed import first_logged, since_text
from hub.reports.model import Column, DataTable, Note, Section

NO_SESSION = "no session logged"
NOT_TESTED = "no test of record this year"
NOT_PLACED_NOTE = (
    "Sessions were logged for these students, but the hub has not placed them in a tutoring group this "
    "week, so they are not counted as tutoring. Place them (or correct the log) so the log and the "
    "groups agree."
)


def sessions_held(row: dict) -> str:
    """A group's sessions this week: "2 of 3" held of logged, or that none was logged."""
    return f"{row['sessions_held']} of {row['sessions_logged']}" if row["sessions_logged"] else NO_SESSION


def skills_covered(row: dict) -> str:
    if not row["sessions_logged"]:
        return NO_SESSION
    return skills_text(row["skills_covered"]) or "none logged"


def logged_not_placed_section(
    names: Directory, rows: list[dict] | None, since: dict, *, show_tutor: bool
) -> Section:
    """Students logged this week without an open membership: who, in which group, since when.

    ``rows`` is None when there is no pulse to read (the section then says there is no data yet)."""
    columns = [Column("student", "Student"), Column("group", "Group in the log")]
    if show_tutor:
        columns.append(Column("tutor", "Tutor"))
    columns += [Column("since", "Mismatch"), Column("attended", "Attended this week")]
    cells = []
    for row in rows or ():
        cell: list[object] = [names.person(row["person_source_id"]), names.group(row["group_source_id"])]
        if show_tutor:
            cell.append(names.tutor(row["tutor_person_source_id"]))
        cell += [since_text(row, since), f"{row['sessions_attended']} of {row['sessions_scheduled']}"]
        cells.append(tuple(cell))
    return Section(
        "not_placed",
        "Logged but not placed: to resolve",
        DataTable(tuple(columns), tuple(cells)),
        notes=(Note(NOT_PLACED_NOTE, "warning"),) if rows else (),
        empty="No data yet." if rows is None else "Every student logged this week is placed in a group.",
    )


def school_mismatch_section(inputs: ReportInputs, names: Directory, school: str) -> Section:
    """Per tutor and logged group of the school: how many students were logged without a placement, and
    since when. A count, suppressed when small; the tutor's own report names the students."""
    title = "Sessions logged for students the hub has not placed"
    if inputs.pulse is None:
        return Section("not_placed", title)
    rows = inputs.pulse.groups
    rows = rows.filter(
        pc.and_(pc.invert(rows["member"]), pc.fill_null(pc.equal(rows["school_source_id"], school), False))
    )
    by_group: dict[tuple[str, str], list[dict]] = {}
    for row in rows.sort_by(
        [("tutor_person_source_id", "ascending"), ("group_source_id", "ascending")]
    ).to_pylist():
        by_group.setdefault((row["tutor_person_source_id"] or "", row["group_source_id"]), []).append(row)
    cells = []
    for (tutor, group), members in by_group.items():
        days = [
            names.logged_not_placed_since.get((r["person_source_id"], group)) or first_logged(r)
            for r in members
        ]
        first = min((day for day in days if day), default=None)
        cells.append(
            (
                names.tutor(tutor or None),
                names.group(group),
                count(len({r["person_source_id"] for r in members}), min_n=inputs.min_n),
                f"since {first.isoformat()}" if first else "this week",
            )
        )
    return Section(
        "not_placed",
        title,
        DataTable(
            (
                Column("tutor", "Tutor"),
                Column("group", "Group in the log"),
                Column("students", "Students logged but not placed"),
                Column("since", "Logged but not placed"),
            ),
            tuple(cells),
        ),
        notes=(Note(SCHOOL_NOTE, "warning"),) if cells else (),
        empty="Every student logged this week is placed in a group.",
    )


SCHOOL_NOTE = (
    "These sessions are not counted as tutoring until the students are placed in a group (or the log is "
    "corrected); each tutor's report names the students."
)
