"""The classroom teacher's weekly pulse, one report per section (it becomes that class's LMS page).

It names the class's own students: the page goes to the teachers of that section only. It never shows
other students of a tutoring group, and it shows the tutor's next steps but not the free-text session
notes, which may mention students from other classes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from hub.reports.directory import Directory, weekdays
from hub.reports.impact_view import test_label
from hub.reports.inputs import ReportInputs
from hub.reports.logged_not_placed_view import (
    NO_SESSION,
    NOT_TESTED,
    logged_not_placed_section,
    sessions_held,
    skills_covered,
)
from hub.reports.model import AlignmentReport, Column, DataTable, Note, Section
from hub.reports.progress_view import ProgressBook, progress_section, signal_changes
from hub.reports.status import Row, exits_by_section, statuses
from hub.skills import label
from hub.tutoring.tiers import SUBJECT_LABELS


def teacher_reports(
    inputs: ReportInputs, names: Directory, book: ProgressBook, generated_at: datetime
) -> Iterator[AlignmentReport]:
    """One report per section whose subject tutoring covers (ELA, math), tutored students or not; each
    built when it is asked for."""
    rows = _rows_by_section(inputs)
    exits = exits_by_section(inputs, names)
    for section_id in sorted(names.class_subject):
        info = names.classes[section_id]
        subject = names.class_subject[section_id]
        pulse = [row for row in rows.get(section_id, []) if row["member"]]
        logged_not_placed = [row for row in rows.get(section_id, []) if not row["member"]]
        yield AlignmentReport(
            kind="teacher",
            target=section_id,
            title=f"Tutoring this week: {info.title}",
            audience=f"Teachers of {info.title}" + (f" ({info.teachers})" if info.teachers else ""),
            district_id=inputs.district_id,
            generated_at=generated_at,
            data_as_of=inputs.as_of,
            period_start=inputs.week_start,
            period_end=inputs.week_end,
            sections=_with_logged_not_placed(
                _sections(inputs, names, book, pulse, SUBJECT_LABELS.get(subject, subject)),
                logged_not_placed_section(
                    names,
                    logged_not_placed if inputs.pulse is not None else None,
                    names.logged_not_placed_since,
                    show_tutor=True,
                ),
            ),
            main="in_tutoring",
            school_source_id=info.school_source_id,
            students=statuses(pulse, logged_not_placed, exits.get(section_id, []), names),
        )


def _with_logged_not_placed(sections: tuple[Section, ...], logged_not_placed: Section) -> tuple[Section, ...]:
    """The mismatch right after the students in tutoring, where a teacher looks first."""
    return (sections[0], logged_not_placed, *sections[1:])


def _rows_by_section(inputs: ReportInputs) -> dict[str, list[Row]]:
    """Pulse rows per section, once per student (co-taught sections list each student once)."""
    if inputs.pulse is None:
        return {}
    ordered = inputs.pulse.teachers.sort_by(
        [
            ("section_source_id", "ascending"),
            ("person_source_id", "ascending"),
            ("group_source_id", "ascending"),
        ]
    )
    by_section: dict[str, list[Row]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    # a loop over the rows a page will show anyway, at most a class's students per section
    for row in ordered.to_pylist():
        key = (row["section_source_id"], row["person_source_id"], row["group_source_id"])
        if key not in seen:
            seen.add(key)
            by_section[row["section_source_id"]].append(row)
    return by_section


def _sections(
    inputs: ReportInputs, names: Directory, book: ProgressBook, rows: list[Row], subject: str
) -> tuple[Section, ...]:
    no_pulse = (
        "No data yet."
        if inputs.pulse is None
        else f"No student of this class is in {subject} tutoring this week."
    )
    student = Column("student", "Student")
    groups = {row["group_source_id"]: row for row in rows}
    return (
        Section(
            "in_tutoring",
            f"Students in {subject} tutoring",
            DataTable(
                (
                    student,
                    Column("skill", "Skill focus"),
                    Column("group", "Group"),
                    Column("tutor", "Tutor"),
                    Column("since", "In tutoring since"),
                ),
                tuple(
                    (
                        names.person(row["person_source_id"]),
                        label(row["canonical_domain"]),
                        names.group(row["group_source_id"]),
                        names.tutor(row["tutor_person_source_id"]),
                        row["tutored_since"],
                    )
                    for row in rows
                ),
            ),
            empty=no_pulse,
        ),
        Section(
            "attendance",
            "Attendance this week",
            DataTable(
                (
                    student,
                    Column("days", "Scheduled"),
                    Column("attended", "Attended"),
                    Column("minutes", "Minutes"),
                    Column("missed", "Missed"),
                ),
                tuple(_attendance_row(row, names) for row in rows),
            ),
            empty=no_pulse,
        ),
        progress_section(
            book,
            names,
            [(row["person_source_id"], row["group_source_id"]) for row in rows],
            no_pulse,
        ),
        Section(
            "skills",
            "Skills covered",
            DataTable(
                (
                    Column("group", "Group"),
                    Column("skills", "Skills covered this week"),
                    Column("sessions", "Sessions held"),
                ),
                tuple(
                    (names.group(group_id), skills_covered(row), sessions_held(row))
                    for group_id, row in groups.items()
                ),
            ),
            empty=no_pulse,
        ),
        Section(
            "growth",
            "Growth since entering tutoring",
            DataTable(
                (
                    student,
                    Column("test", "Test"),
                    Column("at_entry", "At entry"),
                    Column("latest", "Latest"),
                    Column("change", "Raw gain since entry"),
                    Column("typical", "Of typical annual growth"),
                    Column("placement", "Latest placement"),
                ),
                tuple(_growth_row(row, names) for row in rows),
            ),
            notes=(Note(GROWTH_NOTE),) if rows else (),
            empty=no_pulse,
        ),
        Section(
            "next_steps",
            "Next steps",
            DataTable(
                (Column("group", "Group"), Column("next_steps", "Next steps from the tutor")),
                tuple(
                    (names.group(group_id), row["next_steps"])
                    for group_id, row in groups.items()
                    if row["next_steps"]
                )
                + tuple(
                    signal_changes(
                        book,
                        names,
                        [(row["person_source_id"], row["group_source_id"]) for row in rows],
                        (inputs.week_start, max(inputs.week_end, inputs.as_of)),
                    )
                ),
            ),
            empty="No next steps logged yet." if inputs.pulse is not None else no_pulse,
        ),
    )


GROWTH_NOTE = (
    "The raw gain is the change in the student's own scale score on the named test since entering "
    "tutoring; it does not say tutoring caused it: the school dashboard compares tutored students with "
    "similar students who were not tutored."
)


def _attendance_row(row: Row, names: Directory) -> tuple[object, ...]:
    if not row["sessions_scheduled"]:
        return (names.person(row["person_source_id"]), *([NO_SESSION] * 4))
    return (
        names.person(row["person_source_id"]),
        weekdays(row["attended_dates"], row["missed_dates"]) or "cancelled",
        f"{row['sessions_attended']} of {row['sessions_scheduled']}",
        row["minutes_present"],
        weekdays(row["missed_dates"]) or "none",
    )


def _score(scale: float | None, day: object) -> str:
    return "no test of record" if scale is None else f"{scale:.0f} ({day})"


def _growth_row(row: Row, names: Directory) -> tuple[object, ...]:
    change = row["growth_since_entry"]
    typical = row["percent_progress_typical"]
    if row["entry_scale"] is None:
        return (names.person(row["person_source_id"]), *([NOT_TESTED] * 6))
    return (
        names.person(row["person_source_id"]),
        test_label(row),
        _score(row["entry_scale"], row["entry_test_date"]),
        _score(row["latest_scale"], row["latest_test_date"]),
        "no later test yet" if change is None else f"{change:+.0f} points",
        "not reported by the test" if typical is None else f"{typical:.0f} %",
        row["latest_placement"] or "not reported by the test",
    )
