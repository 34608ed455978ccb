"""Reviews: a decision for people when a student served the review limit without meeting an exit rule.

Every ``max_cycles`` full cycles in tutoring (counted from ``tutored_since``, so a move to another group
does not restart the count), a boundary writes a review with the evidence a team weighs (baseline and
latest score, growth against the vendor's typical growth, sessions attended of those scheduled) and a
recommended action, by the first rule that holds:

1. sessions were logged and attendance is below ``review_min_attendance_percent``: **continue**, and raise
   attendance first (tutoring not received cannot be judged);
2. growth at or above ``review_on_track_percent_typical`` of typical growth: **continue**;
3. the newest test's primary gap is another domain than the group's: **change_focus**;
4. a review of this stretch of tutoring already happened: **refer** (Tier 3 or further evaluation);
5. otherwise: **intensify** (more or longer sessions, a smaller group).

The student stays in their group unless the district's ``review_action`` is ``exit``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.model import arrow_schema, conform
from hub.tutoring._labels import DOMAIN_LABELS
from hub.tutoring.attendance import STUDENTS_PER_ASK, AttendanceLog
from hub.tutoring.exits import MAX_CYCLES_REASON, cycles_served, test_label
from hub.tutoring.policy import TutoringPolicy

CONTINUE, INTENSIFY, CHANGE_FOCUS, REFER = "continue", "intensify", "change_focus", "refer"
ACTION_LABELS = {
    CONTINUE: "continue",
    INTENSIFY: "intensify (more or longer sessions, a smaller group)",
    CHANGE_FOCUS: "change the skill focus",
    REFER: "refer for Tier 3 support or further evaluation",
}
STAYS, EXITED = "stays", "exited"


def attendance_counts(
    attendance: AttendanceLog, group_subjects: pa.Table, rows: pa.Table, on: date
) -> tuple[np.ndarray, np.ndarray]:
    """Sessions scheduled and attended per row of ``rows`` (person, subject, since) before ``on``.

    ``group_subjects``: group_source_id, subject. The logs are asked for ``STUDENTS_PER_ASK`` students at a
    time, from the earliest of their spans up to ``on``, and counted before the next are asked for: a
    district's whole log is millions of rows, and what one boundary reviews can be most of a year of it.
    """
    keys = ["person_source_id", "subject"]
    spans = rows.select([*keys, "since"]).append_column("_row", pa.array(np.arange(rows.num_rows)))
    people = spans.column(keys[0]).unique()
    scheduled = np.zeros(rows.num_rows, dtype=np.int64)
    attended = np.zeros(rows.num_rows, dtype=np.int64)
    for first in range(0, len(people), STUDENTS_PER_ASK):
        asked = people.slice(first, STUDENTS_PER_ASK)
        theirs = spans.filter(pc.is_in(spans.column(keys[0]), value_set=asked))
        logs = attendance.of(asked, pc.min(theirs.column("since")).as_py(), on)
        logged = logs.join(group_subjects, "group_source_id", join_type="inner").join(
            theirs, keys, join_type="inner"
        )
        logged = logged.filter(pc.greater_equal(logged.column("session_date"), logged.column("since")))
        row = logged.column("_row").to_numpy()
        scheduled += np.bincount(row, minlength=rows.num_rows)
        came = logged.column("attended").to_numpy(zero_copy_only=False)
        attended += np.bincount(row, weights=came, minlength=rows.num_rows).astype(np.int64)
    return scheduled, attended


def _actions(
    rows: pa.Table, scheduled: np.ndarray, attended: np.ndarray, prior: np.ndarray, policy: TutoringPolicy
) -> tuple[list[str], list[str]]:
    """The recommended action and its reason, per row, by the module's rules in order."""
    progress = rows.column("progress").to_pylist()
    domains = rows.column("canonical_domain").to_pylist()
    primary = rows.column("primary_now").to_pylist()
    tests = test_label(rows).to_pylist()
    since = rows.column("since").to_pylist()
    actions, reasons = [], []
    # A loop over the students reviewed at one boundary (a few in each group), to word each reason.
    for i, growth in enumerate(progress):
        shown = f"{growth:.0f} % of typical growth ({tests[i]})" if growth is not None else "no growth figure"
        share = 100.0 * attended[i] / scheduled[i] if scheduled[i] else None
        if share is not None and share < policy.review_min_attendance_percent:
            action = CONTINUE
            reason = (
                f"attended {attended[i]} of {scheduled[i]} sessions since {since[i]} ({share:.0f} %, below "
                f"{policy.review_min_attendance_percent:g} %): raise attendance before changing the plan"
            )
        elif growth is not None and growth >= policy.review_on_track_percent_typical:
            action, reason = CONTINUE, f"on track: {shown}"
        elif primary[i] is not None and primary[i] != domains[i]:
            action = CHANGE_FOCUS
            reason = (
                f"the newest test's primary gap is {DOMAIN_LABELS.get(primary[i], primary[i])}, not the "
                f"group's {DOMAIN_LABELS.get(domains[i], domains[i])}; {shown}"
            )
        elif prior[i]:
            action = REFER
            reason = f"reviewed before in this stretch of tutoring and still no exit; {shown}"
        else:
            action, reason = INTENSIFY, f"{shown} on the dosage received"
        actions.append(action)
        reasons.append(reason)
    return actions, reasons


def reviews(
    rows: pa.Table,
    *,
    cycles: pa.Table,
    cycle_source_id: str,
    policy: TutoringPolicy,
    on: date,
    attendance: AttendanceLog,
    group_subjects: pa.Table,
    history: pa.Table,
    baseline_scores: pa.Table,
) -> tuple[pa.Table, pa.Array]:
    """The reviews due at ``on`` among ``rows``, and per row of ``rows`` an exit reason (null = stays).

    ``rows``: the open memberships that no exit rule closed, beside their evidence (``with_evidence``),
    with ``since`` (tutored_since), ``primary_now`` (the newest primary gap, null if none) and the group's
    ``school_source_id``. ``attendance`` and ``group_subjects``: as ``attendance_counts`` reads them;
    ``history``: the reviews so far; ``baseline_scores``: source_id, scale_score of the tests that placed
    students.
    """
    none = pa.nulls(rows.num_rows, pa.string())
    if policy.max_cycles is None or rows.num_rows == 0:
        return arrow_schema("tutoring_review").empty_table(), none
    served = cycles_served(rows.column("since"), cycles, on)
    due = (served >= policy.max_cycles) & (served % policy.max_cycles == 0)
    if not due.any():
        return arrow_schema("tutoring_review").empty_table(), none
    picked = rows.filter(pa.array(due))
    before = history.join(
        picked.select(["person_source_id", "subject", "since"]),
        ["person_source_id", "subject"],
        join_type="inner",
    )
    before = before.filter(pc.greater_equal(before.column("review_date"), before.column("since")))
    prior = pc.is_in(
        pc.binary_join_element_wise(picked.column("person_source_id"), picked.column("subject"), ":"),
        value_set=pc.binary_join_element_wise(
            before.column("person_source_id"), before.column("subject"), ":"
        ),
    ).to_numpy(zero_copy_only=False)
    scheduled, attended = attendance_counts(attendance, group_subjects, picked, on)
    actions, reasons = _actions(picked, scheduled, attended, prior, policy)
    outcome = EXITED if policy.review_action == "exit" else STAYS
    baseline = pc.index_in(
        picked.column("entry_result_source_id"), value_set=baseline_scores.column("source_id")
    )
    day = pa.scalar(on, pa.date32())
    table = pa.table(
        {
            "source_id": pc.binary_join_element_wise(picked.column("source_id"), on.isoformat(), ":"),
            "membership_source_id": picked.column("source_id"),
            "group_source_id": picked.column("group_source_id"),
            "person_source_id": picked.column("person_source_id"),
            "subject": picked.column("subject"),
            "school_source_id": picked.column("school_source_id"),
            "cycle_source_id": pa.array([cycle_source_id] * picked.num_rows, pa.string()),
            "review_date": pa.array([on] * picked.num_rows, day.type),
            "tutored_since": picked.column("since"),
            "cycles_served": pa.array(served[due]),
            "canonical_domain": picked.column("canonical_domain"),
            "baseline_result_source_id": picked.column("entry_result_source_id"),
            "baseline_score": baseline_scores.column("scale_score").take(baseline),
            "latest_result_source_id": picked.column("result_id"),
            "latest_score": picked.column("scale_score"),
            "latest_test": test_label(picked),
            "percent_progress_typical": picked.column("progress"),
            "sessions_scheduled": pa.array(scheduled),
            "sessions_attended": pa.array(attended),
            "action": pa.array(actions, pa.string()),
            "reason": pa.array(reasons, pa.string()),
            "outcome": pa.array([outcome] * picked.num_rows, pa.string()),
        }
    )
    if outcome == STAYS:
        return conform("tutoring_review", table), none
    labels = [f"{MAX_CYCLES_REASON}: {ACTION_LABELS[action]}" for action in actions]
    exits = np.full(rows.num_rows, None, dtype=object)
    exits[due] = labels
    return conform("tutoring_review", table), pa.array(exits, pa.string())
