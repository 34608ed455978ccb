"""The review meeting packet: per school, what a cycle boundary decided for each tutored student and why.

A staff document for the school's review team: it names students (it goes to the school's own folder,
never to a page a class can see). Every decision is read from what the hub stored at the boundary
(hub.tutoring.boundary_review), beside its evidence: the goal and the progress points, the rate of
improvement with its n, the rule's signal, the sessions received, and the baseline and latest tests. Then
the groups the boundary formed, filled, merged and closed, and the school's tier pyramid for the Tier 1
conversation: the dashboard's own figures, suppressed the same way (hub.reports.pyramid).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import date, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from hub.progress.policy import NO_TREND, readable_trend, signal_words
from hub.reports.directory import Directory
from hub.reports.inputs import ReportInputs
from hub.reports.model import AlignmentReport, Column, DataTable, Note, Section
from hub.reports.packet_groups import groups_section
from hub.reports.pyramid import pyramid_section
from hub.tutoring._arrow import history
from hub.tutoring._labels import SUBJECT_LABELS
from hub.tutoring.boundary_groups import group_changes
from hub.tutoring.boundary_review import DECISIONS, boundary_decisions, dosage_facts
from hub.tutoring.reviews import ACTION_LABELS

KIND = "review_packet"
DECIDED_BY = {
    "exit rule": "Exit rule",
    "review": "Review",
    "progress rule": "Progress rule",
    "none": "No change",
}
ABOUT = (
    "Each decision is the one the hub recorded at the boundary, by the first that holds: an exit (the "
    "student left tutoring in the subject) is exit; a review's recommendation is its action ("
    f"{', '.join(ACTION_LABELS[action] for action in ('continue', 'intensify', 'refer'))}; changing the "
    "skill focus reads as adjust); a progress signal below the aimline is adjust; otherwise continue. A "
    "review outranks the progress signal, which is still shown beside it. Dosage counts the sessions "
    "logged for the student's groups from the start of this stretch of tutoring up to the boundary."
)
PRIVATE = "This packet names students: it is for the school's review team, not for posting or forwarding."


def _of_school(table: pa.Table | None, school: str) -> pa.Table | None:
    if table is None:
        return None
    return table.filter(pc.fill_null(pc.equal(table["school_source_id"], school), False))


def _number(value: float | None, unit: str = "") -> str:
    return "n/a" if value is None else f"{value:g}{unit}"


def _goal_text(goal: dict | None) -> str:
    if goal is None:
        return "no goal set for this placement"
    basis = f"{goal['goal_basis']}; {goal['measure']}"
    return f"{_number(goal['goal_score'])} by {goal['goal_date'].isoformat()} ({basis})"


def _progress_text(goal: dict | None) -> str:
    """Points, the rate of improvement with its n where a trend is readable, and the signal as of then."""
    if goal is None:
        return "no progress points"
    rate, points = readable_trend(goal), goal["points"]
    trend = f"rate {rate:+.2f} a week (n = {points})" if rate is not None else f"no rate yet ({NO_TREND})"
    return f"{points} points, {trend}; {signal_words(goal)} (as of {goal['evaluated_on']})"


def _dosage_text(row: dict) -> str:
    attended, scheduled = row["sessions_attended"], row["sessions_scheduled"]
    return (
        f"{attended} of {scheduled} sessions, {row['minutes_attended']} minutes, since {row['tutored_since']}"
    )


def _test_text(test: str | None, score: float | None) -> str:
    return f"{test}: {_number(score)}" if test else "no test of record"


def _group_text(row: dict, names: Directory, tutor_of: dict[str, str | None]) -> str:
    """ "Math: Geometry group 1 (tutor Ana Diaz)", and the group it moved to at the boundary."""
    group = row["group_source_id"]
    text = f"{SUBJECT_LABELS.get(row['subject'], row['subject'])}: {names.group(group)}"
    text += f" ({names.tutor(tutor_of.get(group))})" if tutor_of.get(group) else " (no tutor)"
    now = row["now_group_source_id"]
    return text if now is None or now == group else f"{text}, now {names.group(now)}"


def _student_rows(decisions: pa.Table, groups: pa.Table, names: Directory) -> list[tuple]:
    tutor_of = dict(
        zip(groups["source_id"].to_pylist(), groups["tutor_person_source_id"].to_pylist(), strict=True)
    )
    rows = [
        (
            names.person(row["person_source_id"]),
            names.grades.get(row["person_source_id"]) or "not recorded",
            _group_text(row, names, tutor_of),
            row["decision"],
            f"{DECIDED_BY[row['decided_by']]}: {row['why'] or 'no reason recorded'}",
            _goal_text(row["goal"]),
            _progress_text(row["goal"]),
            _dosage_text(row),
            _test_text(row["baseline_test"], row["baseline_score"]),
            _test_text(row["latest_test"], row["latest_score"]),
        )
        for row in decisions.to_pylist()
    ]
    order = {decision: rank for rank, decision in enumerate(DECISIONS)}
    return sorted(rows, key=lambda cells: (order[cells[3]], cells[2], cells[0]))


STUDENT_COLUMNS = (
    Column("student", "Student"),
    Column("grade", "Grade"),
    Column("group", "Group (tutor)"),
    Column("decision", "Decision"),
    Column("why", "Decided by"),
    Column("goal", "Goal (basis; measure)"),
    Column("progress", "Progress points and signal"),
    Column("dosage", "Dosage received"),
    Column("baseline", "Baseline test"),
    Column("latest", "Latest test before the boundary"),
)


def _students_section(decisions: pa.Table, groups: pa.Table, names: Directory, boundary: date) -> Section:
    rows = _student_rows(decisions, groups, names)
    tally = Counter(cells[3] for cells in rows)
    counted = ", ".join(f"{tally[decision]} {decision}" for decision in DECISIONS if tally[decision])
    notes = (
        (Note(f"{len(rows)} student placement(s) decided at the boundary of {boundary}: {counted}."),)
        if rows
        else ()
    )
    return Section(
        "students",
        "Decisions for tutored students",
        DataTable(STUDENT_COLUMNS, tuple(rows)),
        notes=notes,
        empty="Nobody was in tutoring at this school on the eve of the boundary.",
    )


def build_review_packets(
    inputs: ReportInputs,
    names: Directory,
    generated_at: datetime,
    boundary: date,
    cycle_start: date,
    of_schools: Collection[str | None] | None = None,
) -> list[AlignmentReport]:
    """One packet per school with a decision or a group change at ``boundary`` (the cycle that ended
    began on ``cycle_start``). ``inputs.progress_goal`` may be empty: the goals are then said to be unset.
    ``of_schools``: only these schools' packets (a part's, whose inputs hold its schools' students and
    every group); None: every school's."""
    groups = inputs.tutoring_group
    memberships = inputs.group_membership
    if groups is None or memberships is None or not groups.num_rows:
        return []
    decisions = boundary_decisions(
        boundary,
        memberships,
        history("tutoring_review", inputs.tutoring_review),
        history("progress_goal", inputs.progress_goal),
        dosage_facts(inputs.tutoring_session, inputs.session_attendance, groups),
        history("assessment_result", inputs.assessment_result),
        inputs.policy,
    )
    school_of_group = groups.select(["source_id", "school_source_id"])
    at = pc.index_in(decisions["group_source_id"], value_set=school_of_group["source_id"])
    decisions = decisions.append_column("school_source_id", school_of_group["school_source_id"].take(at))
    changes = group_changes(boundary, groups, memberships)
    unplaced = inputs.unplaced_entrant
    if unplaced is not None and unplaced.num_rows:
        unplaced = unplaced.filter(pc.equal(unplaced["boundary_date"], pa.scalar(boundary, pa.date32())))
    schools = sorted(
        {
            *decisions["school_source_id"].drop_null().to_pylist(),
            *changes["school_source_id"].drop_null().to_pylist(),
        }
    )
    if of_schools is not None:
        schools = [school for school in schools if school in of_schools]
    packets = []
    for school in schools:
        name = names.schools.get(school, school)
        sections = (
            _students_section(_of_school(decisions, school), groups, names, boundary),
            groups_section(_of_school(changes, school), _of_school(unplaced, school), names),
            pyramid_section(
                _of_school(inputs.tier_distribution, school), inputs.policy, inputs.min_n, "this school"
            ),
            Section(
                "about",
                "How these decisions were made",
                notes=(Note(ABOUT), Note(PRIVATE, "warning")),
                empty="",
            ),
        )
        packets.append(
            AlignmentReport(
                kind=KIND,
                target=f"{school}:{boundary.isoformat()}",
                title=f"Review meeting packet: {name}, boundary of {boundary.isoformat()}",
                audience=f"the tutoring review team of {name}",
                district_id=inputs.district_id,
                generated_at=generated_at,
                data_as_of=inputs.as_of,
                period_start=cycle_start,
                period_end=max(cycle_start, boundary - timedelta(days=1)),
                sections=sections,
                main="students",
                school_source_id=school,
            )
        )
    return packets
