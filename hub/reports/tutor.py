"""The tutor's week: their groups, each student's target skills, and what the student's class is covering.

Alignment runs both ways: the teacher learns what tutoring worked on, and the tutor learns what the class
is on, so tutoring pre-teaches and reinforces rather than reteaching at random.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from hub.reports.directory import Directory, skills_text
from hub.reports.inputs import ReportInputs
from hub.reports.logged_not_placed_view import (
    NO_SESSION,
    logged_not_placed_section,
    sessions_held,
    skills_covered,
)
from hub.reports.model import AlignmentReport, Column, DataTable, Section
from hub.reports.progress_view import ProgressBook, progress_section, signal_changes
from hub.skills import label
from hub.tutoring.tiers import SUBJECT_LABELS, window_rank

Row = dict[str, Any]


def tutor_reports(
    inputs: ReportInputs, names: Directory, book: ProgressBook, generated_at: datetime
) -> Iterator[AlignmentReport]:
    """One report per tutor with a profile or a group (a tutor without a group this week says so); each
    built when it is asked for."""
    rows = _rows_by_tutor(inputs)
    gaps = _gaps(inputs.skill_gap)
    tutors = set(rows)
    if inputs.tutor_profile is not None:
        tutors |= set(inputs.tutor_profile["source_id"].to_pylist())
    return (
        AlignmentReport(
            kind="tutor",
            target=tutor,
            title=f"Tutoring groups: {names.person(tutor)}",
            audience=f"Tutor {names.person(tutor)}",
            district_id=inputs.district_id,
            generated_at=generated_at,
            data_as_of=inputs.as_of,
            period_start=inputs.week_start,
            period_end=inputs.week_end,
            sections=_sections(inputs, names, book, rows.get(tutor, []), gaps),
            main="students",
        )
        for tutor in sorted(tutors)
    )


def _rows_by_tutor(inputs: ReportInputs) -> dict[str, list[Row]]:
    if inputs.pulse is None:
        return {}
    ordered = inputs.pulse.groups.filter(pc.is_valid(inputs.pulse.groups["tutor_person_source_id"]))
    ordered = ordered.sort_by(
        [
            ("tutor_person_source_id", "ascending"),
            ("group_source_id", "ascending"),
            ("person_source_id", "ascending"),
        ]
    )
    by_tutor: dict[str, list[Row]] = defaultdict(list)
    for row in ordered.to_pylist():  # the rows the reports list, student by student
        by_tutor[row["tutor_person_source_id"]].append(row)
    return by_tutor


def _gaps(skill_gap: pa.Table | None) -> dict[tuple[str, str], list[str]]:
    """Each student's gaps of their latest window per subject, most severe first."""
    if skill_gap is None or not skill_gap.num_rows:
        return {}
    when = pc.add(pc.multiply(skill_gap["school_year"], 10), window_rank(skill_gap["window"]))
    ranked = skill_gap.append_column("_when", when)
    latest = ranked.group_by(["person_source_id", "subject"]).aggregate([("_when", "max")])
    ranked = ranked.join(latest, ["person_source_id", "subject"])
    ranked = ranked.filter(pc.equal(ranked["_when"], ranked["_when_max"])).sort_by(
        [
            ("person_source_id", "ascending"),
            ("subject", "ascending"),
            ("severity", "descending"),
            ("canonical_domain", "ascending"),
        ]
    )
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for person, subject, domain in zip(
        *(ranked[name].to_pylist() for name in ("person_source_id", "subject", "canonical_domain")),
        strict=True,
    ):
        found[(person, subject)].append(domain)
    return found


def _target_skills(row: Row, gaps: dict[tuple[str, str], list[str]]) -> str:
    focus = row["canonical_domain"]
    others = [domain for domain in gaps.get((row["person_source_id"], row["subject"]), []) if domain != focus]
    text = f"{label(focus)} (group focus)"
    return text + (f"; also {skills_text(','.join(others))}" if others else "")


def _class_text(row: Row, names: Directory) -> str:
    classes = names.classes_of_student.get((row["person_source_id"], row["subject"]), [])
    if not classes:
        return "no class in this subject on the roster"
    return "; ".join(info.text() + (f" ({info.teachers})" if info.teachers else "") for info in classes)


def _sections(
    inputs: ReportInputs,
    names: Directory,
    book: ProgressBook,
    logged: list[Row],
    gaps: dict[tuple[str, str], list[str]],
) -> tuple[Section, ...]:
    empty = "No data yet." if inputs.pulse is None else "No tutoring group this week."
    rows = [row for row in logged if row["member"]]
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row["group_source_id"]].append(row)
    group = Column("group", "Group")
    return (
        Section(
            "groups",
            "Your groups this week",
            DataTable(
                (
                    group,
                    Column("subject", "Subject"),
                    Column("students", "Students"),
                    Column("sessions", "Sessions held"),
                    Column("skills", "Skills covered"),
                ),
                tuple(
                    (
                        names.group(group_id),
                        SUBJECT_LABELS.get(members[0]["subject"], members[0]["subject"]),
                        len(members),
                        sessions_held(members[0]),
                        skills_covered(members[0]),
                    )
                    for group_id, members in groups.items()
                ),
            ),
            empty=empty,
        ),
        Section(
            "students",
            "Students, their target skills and their class",
            DataTable(
                (
                    group,
                    Column("student", "Student"),
                    Column("grade", "Grade"),
                    Column("since", "In tutoring since"),
                    Column("targets", "Target skills"),
                    Column("attended", "Attended this week"),
                    Column("class", "Their class is covering"),
                ),
                tuple(
                    (
                        names.group(row["group_source_id"]),
                        names.person(row["person_source_id"]),
                        names.grades.get(row["person_source_id"]) or "not on the roster",
                        row["tutored_since"],
                        _target_skills(row, gaps),
                        _attended(row),
                        _class_text(row, names),
                    )
                    for row in rows
                ),
            ),
            empty=empty,
        ),
        progress_section(
            book,
            names,
            [(row["person_source_id"], row["group_source_id"]) for row in rows],
            empty,
        ),
        logged_not_placed_section(
            names,
            [row for row in logged if not row["member"]] if inputs.pulse is not None else None,
            names.logged_not_placed_since,
            show_tutor=False,
        ),
        Section(
            "plans",
            "Your latest notes and next steps",
            DataTable(
                (group, Column("notes", "Notes"), Column("next_steps", "Next steps")),
                tuple(
                    (
                        names.group(group_id),
                        members[0]["notes"] or "no notes logged",
                        members[0]["next_steps"] or "no next steps logged",
                    )
                    for group_id, members in groups.items()
                    if members[0]["notes"] or members[0]["next_steps"]
                )
                + tuple(
                    (group_text, "progress signal changed this week", step)
                    for group_text, step in signal_changes(
                        book,
                        names,
                        [(row["person_source_id"], row["group_source_id"]) for row in rows],
                        (inputs.week_start, max(inputs.week_end, inputs.as_of)),
                    )
                ),
            ),
            empty="No notes logged yet." if inputs.pulse is not None else empty,
        ),
    )


def _attended(row: Row) -> str:
    if not row["sessions_scheduled"]:
        return NO_SESSION
    return f"{row['sessions_attended']} of {row['sessions_scheduled']}"
