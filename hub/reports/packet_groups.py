"""The packet's groups section: groups a boundary formed, filled, merged and closed, and who waits.

A staff document's section: students are named (hub.reports.packet). Rows come from
hub.tutoring.boundary_groups, and from the boundary's ``unplaced_entrant`` rows for those who met the entry
criteria and were not placed.
"""

from __future__ import annotations

import pyarrow as pa

from hub.reports.directory import Directory
from hub.reports.model import Column, DataTable, Section
from hub.tutoring._labels import DOMAIN_LABELS, SUBJECT_LABELS
from hub.tutoring.boundary_groups import CLOSED, FORMED, JOINED, MERGED
from hub.tutoring.grouping import UNPLACED_LABELS

CHANGE_LABELS = {
    FORMED: "formed",
    JOINED: "new students joined",
    MERGED: "merged",
    CLOSED: "closed",
}
WHO = {
    FORMED: "entered",
    JOINED: "entered",
    MERGED: "moved",
    CLOSED: "left tutoring",
}


def _names(people: list[str] | None, names: Directory) -> str:
    return ", ".join(sorted(names.person(person) for person in people or ())) or "nobody"


def _change_rows(changes: pa.Table, names: Directory) -> list[tuple]:
    rows = []
    for row in changes.to_pylist():
        change = row["change"]
        detail = f"{WHO[change]}: {_names(row['students'], names)}"
        if change == MERGED:
            detail = f"{detail}; into {names.group(row['into_group_source_id'])}"
        rows.append(
            (
                CHANGE_LABELS[change],
                names.group(row["group_source_id"]),
                SUBJECT_LABELS.get(row["subject"], row["subject"]),
                DOMAIN_LABELS.get(row["canonical_domain"], row["canonical_domain"]),
                row["grades"].replace(",", ", "),
                names.tutor(row["tutor_person_source_id"]),
                detail,
            )
        )
    return rows


def _waiting_rows(unplaced: pa.Table, names: Directory) -> list[tuple]:
    """One row per reason, subject, skill and grade, naming who waits."""
    waiting: dict[tuple, list[str]] = {}
    for row in unplaced.to_pylist():
        key = (row["reason_code"], row["subject"], row["canonical_domain"], row["grade"] or "not recorded")
        waiting.setdefault(key, []).append(row["person_source_id"])
    return [
        (
            f"not placed: {UNPLACED_LABELS.get(reason, reason)}",
            "no group",
            SUBJECT_LABELS.get(subject, subject),
            DOMAIN_LABELS.get(domain, domain),
            grade,
            "no tutor assigned",
            f"waiting: {_names(people, names)}",
        )
        for (reason, subject, domain, grade), people in sorted(waiting.items())
    ]


def groups_section(changes: pa.Table | None, unplaced: pa.Table | None, names: Directory) -> Section:
    rows = _change_rows(changes, names) if changes is not None else []
    rows += _waiting_rows(unplaced, names) if unplaced is not None else []
    table = DataTable(
        (
            Column("change", "Change"),
            Column("group", "Group"),
            Column("subject", "Subject"),
            Column("skill", "Skill"),
            Column("grades", "Grades"),
            Column("tutor", "Tutor"),
            Column("students", "Students"),
        ),
        tuple(rows),
    )
    return Section(
        "groups",
        "Groups formed, merged and closed at the boundary",
        table,
        empty="No group was formed, merged or closed at this boundary, and every entrant was placed.",
    )
