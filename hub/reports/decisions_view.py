"""A school's tutoring decisions at the latest cycle boundary: who met the entry criteria and was not
placed, and why; groups that have students and no tutor; what the reviews recommend.

Aggregates only, like the rest of the dashboard: each line counts students (suppressed under the
small-cell minimum); a group without a tutor is counted as a group, since it is the programme's gap to
close, not a student's.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from hub.reports.figures import count
from hub.reports.inputs import ReportInputs
from hub.reports.model import Column, DataTable, Note, Section
from hub.tutoring._labels import DOMAIN_LABELS, GRADE_ORDER, SUBJECT_LABELS
from hub.tutoring.grouping import UNPLACED_LABELS
from hub.tutoring.reviews import ACTION_LABELS

ALL = "all"


def _of_school(table: pa.Table | None, school: str) -> pa.Table | None:
    if table is None or not table.num_rows:
        return None
    return table.filter(pc.fill_null(pc.equal(table["school_source_id"], school), False))


def _latest(table: pa.Table | None, column: str, week_end: date) -> tuple[pa.Table | None, date | None]:
    """The rows of the latest ``column`` date on or before ``week_end``, and that date."""
    if table is None or not table.num_rows:
        return None, None
    seen = table.filter(pc.less_equal(table[column], pa.scalar(week_end, pa.date32())))
    if not seen.num_rows:
        return None, None
    last = pc.max(seen[column]).as_py()
    return seen.filter(pc.equal(seen[column], pa.scalar(last, pa.date32()))), last


def _listed(values: list[str], labels: dict[str, str]) -> str:
    return ", ".join(sorted({labels.get(value, value) for value in values if value}))


def _grades(values: list[str]) -> str:
    """Grades in school order (KG before 01), else "not recorded"."""
    rank = {grade: position for position, grade in enumerate(GRADE_ORDER)}
    known = sorted(
        {value for value in values if value}, key=lambda grade: (rank.get(grade, len(rank)), grade)
    )
    return ", ".join(known) or "not recorded"


def _unplaced_rows(unplaced: pa.Table, min_n: int) -> list[tuple]:
    """One line per reason and subject, naming the skills and grades it concerns."""
    keys = ["reason_code", "subject"]
    counts = unplaced.group_by(keys).aggregate(
        [
            ("person_source_id", "count_distinct"),
            ("canonical_domain", "distinct"),
            ("grade", "distinct"),
        ]
    )
    return [
        (
            f"Not placed: {UNPLACED_LABELS.get(row['reason_code'], row['reason_code'])}",
            SUBJECT_LABELS.get(row["subject"], row["subject"]),
            _listed(row["canonical_domain_distinct"], DOMAIN_LABELS),
            _grades(row["grade_distinct"]),
            count(row["person_source_id_count_distinct"], min_n=min_n),
        )
        for row in counts.sort_by([(key, "ascending") for key in keys]).to_pylist()
    ]


def _untutored(inputs: ReportInputs, school: str) -> pa.Table:
    """The school's groups with a member in the reported week and no tutor, with their ``students``."""
    groups, memberships = _of_school(inputs.tutoring_group, school), inputs.group_membership
    if groups is None or memberships is None:
        return pa.table({"source_id": pa.array([], pa.string()), "students": pa.array([], pa.int64())})
    week_start, week_end = (pa.scalar(day, pa.date32()) for day in (inputs.week_start, inputs.week_end))
    current = memberships.filter(
        pc.and_(
            pc.less_equal(memberships["entry_date"], week_end),
            pc.fill_null(pc.greater(memberships["exit_date"], week_start), True),
        )
    )
    untutored = groups.filter(
        pc.and_(
            pc.is_null(groups["tutor_person_source_id"]),
            pc.is_in(groups["source_id"], value_set=current["group_source_id"]),
        )
    )
    sizes = current.group_by("group_source_id").aggregate([("person_source_id", "count_distinct")])
    size = sizes["person_source_id_count_distinct"].take(
        pc.index_in(untutored["source_id"], sizes["group_source_id"])
    )
    return untutored.append_column("students", size)


def _review_rows(reviews: pa.Table, min_n: int) -> list[tuple]:
    counts = reviews.group_by(["action", "subject"]).aggregate([("person_source_id", "count_distinct")])
    order = list(ACTION_LABELS)
    rows = sorted(counts.to_pylist(), key=lambda row: (order.index(row["action"]), row["subject"]))
    return [
        (
            f"Review: {ACTION_LABELS.get(row['action'], row['action'])}",
            SUBJECT_LABELS.get(row["subject"], row["subject"]),
            ALL,
            ALL,
            count(row["person_source_id_count_distinct"], min_n=min_n),
        )
        for row in rows
    ]


def decisions_section(inputs: ReportInputs, school: str) -> Section:
    """The latest boundary's decisions for ``school`` (see the module)."""
    min_n = inputs.min_n
    unplaced, placed_on = _latest(
        _of_school(inputs.unplaced_entrant, school), "boundary_date", inputs.week_end
    )
    reviews, reviewed_on = _latest(_of_school(inputs.tutoring_review, school), "review_date", inputs.week_end)
    untutored = _untutored(inputs, school)
    rows: list[tuple] = []
    notes = []
    if unplaced is not None:
        rows += _unplaced_rows(unplaced, min_n)
        notes.append(
            Note(
                f"At the boundary of {placed_on.isoformat()}, students who met the entry criteria were not "
                "placed for the reasons shown; they are considered again at the next boundary.",
                "warning",
            )
        )
    for group in untutored.to_pylist():
        rows.append(
            (
                "Group without a tutor",
                SUBJECT_LABELS.get(group["subject"], group["subject"]),
                DOMAIN_LABELS.get(group["canonical_domain"], group["canonical_domain"]),
                group["grades"],
                count(group["students"], min_n=min_n),
            )
        )
    if untutored.num_rows:
        notes.append(
            Note(
                f"{untutored.num_rows} group(s) have students and no tutor: they do not meet until a tutor "
                "with capacity for the subject and school is on the roster or in tutors.csv.",
                "warning",
            )
        )
    if reviews is not None:
        rows += _review_rows(reviews, min_n)
        notes.append(
            Note(
                f"Reviewed at the boundary of {reviewed_on.isoformat()}: students who served the review "
                "limit without meeting an exit criterion. The recommendation is for the school's team to "
                "decide."
            )
        )
    table = DataTable(
        (
            Column("decision", "Decision"),
            Column("subject", "Subject"),
            Column("skill", "Skills"),
            Column("grade", "Grades"),
            Column("students", "Students"),
        ),
        tuple(rows),
    )
    return Section(
        "decisions",
        "Tutoring decisions at the latest boundary",
        table if rows else None,
        notes=tuple(notes),
        empty="Every student who met the entry criteria was placed, and every group has a tutor.",
    )
