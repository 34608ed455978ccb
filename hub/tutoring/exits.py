"""Exit criteria: the reason, if any, that each open membership ends at a boundary.

A student leaves when they are no longer on the roster, or when the new test of record shows the targeted
domain on grade level or the vendor's typical growth met. The first rule that holds gives the reason. A
student who served ``max_cycles`` without meeting either is reviewed (``reviews``): they leave only where
the district's ``review_action`` is ``exit``, with the review's recommendation in the reason. A move to
another group at a boundary (``regroup``) closes a membership too, with its own label, and is no exit.

A reason is free text for people, but it always starts with its rule's fixed label (``REASON_LABELS``), so
``reason_codes`` gives every exit a stable code to count by, however the details after the label read.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics._arrow import NULL_TEXT, concat
from hub.tutoring._arrow import pick_first
from hub.tutoring._labels import (
    DOMAIN_LABELS,
    VENDOR_LABELS,
    relabel,
    school_year_text,
    whole_number_text,
    window_rank,
)
from hub.tutoring.domain_evidence import DOMAIN_COLUMNS, DomainResults
from hub.tutoring.policy import GOAL_ADJECTIVES, TutoringPolicy

LEFT_ROSTER = "left_roster"
ON_GRADE_LEVEL = "on_grade_level"
TYPICAL_GROWTH_MET = "typical_growth_met"
MAX_CYCLES = "max_cycles"
REGROUPED = "regrouped"
OTHER = "other"
"""A reason the hub did not write (it starts with none of the labels)."""
UNSPECIFIED = "unspecified"
"""An exit without a reason."""
REASON_LABELS = {
    LEFT_ROSTER: "left the roster",
    ON_GRADE_LEVEL: "on grade level",
    TYPICAL_GROWTH_MET: "typical growth met",
    MAX_CYCLES: "reached the maximum number of cycles",
    REGROUPED: "moved to group",
}
"""The fixed opening of every reason the hub writes, per reason code, in the order the rules are tried."""
CODE_LABELS = {**REASON_LABELS, OTHER: "other reason", UNSPECIFIED: "unspecified"}
"""How a report names each code."""
LEFT_ROSTER_REASON = REASON_LABELS[LEFT_ROSTER]
MAX_CYCLES_REASON = f"{REASON_LABELS[MAX_CYCLES]}; review"
LATEST_COLUMNS = [
    "source_id",
    "person_source_id",
    "subject",
    "vendor",
    "school_year",
    "window",
    "test_date",
    "scale_score",
    "percent_progress_typical",
]
EXIT_CODES = [LEFT_ROSTER, ON_GRADE_LEVEL, TYPICAL_GROWTH_MET, MAX_CYCLES]
"""The codes of a real exit: the student left tutoring in the subject (a move to another group did not)."""


def latest_results(results: pa.Table, pairs: pa.Table, policy: TutoringPolicy) -> pa.Table:
    """The newest test of record per (student, subject) in ``pairs``; vendor precedence within a window."""
    of_record = (
        results.select(LATEST_COLUMNS)
        .filter(pc.fill_null(results.column("is_test_of_record"), False))
        .join(pairs, ["person_source_id", "subject"], join_type="left semi")
    )
    ranked = of_record.append_column("_window", window_rank(of_record.column("window"))).append_column(
        "_vendor",
        pc.fill_null(
            pc.index_in(of_record.column("vendor"), value_set=pa.array(policy.vendor_precedence)), 99
        ),
    )
    keys = ["person_source_id", "subject"]
    return pick_first(
        ranked,
        keys,
        [(key, "ascending") for key in keys]
        + [
            ("school_year", "descending"),
            ("_window", "descending"),
            ("_vendor", "ascending"),
            ("test_date", "descending"),
            ("source_id", "ascending"),
        ],
    )


def _domain_evidence(domain_results: pa.Table, wanted: pa.Table) -> pa.Table:
    """Per wanted result and canonical domain, the weakest vendor domain: the one an exit must clear."""
    keys = ["result_source_id", "canonical_domain"]
    relevant = domain_results.select(DOMAIN_COLUMNS).join(wanted, keys, join_type="left semi")
    adjective = pc.index_in(relevant.column("goal_adjective"), value_set=pa.array(GOAL_ADJECTIVES))
    weakest = pick_first(
        relevant.append_column("_adjective", adjective),
        keys,
        [(key, "ascending") for key in keys]
        + [("grade_levels_below", "descending"), ("_adjective", "ascending"), ("vendor_domain", "ascending")],
    )
    return weakest.select([*keys, "grade_levels_below", "_adjective", "placement", "goal_adjective"])


def with_evidence(
    current: pa.Table, results: pa.Table, domain_results: DomainResults, policy: TutoringPolicy
) -> pa.Table:
    """``current`` in its own row order, beside its latest test and that test's targeted domain (of the
    latest tests' domains, the only ones ``domain_results`` is asked for).

    Added columns: result_id, vendor, school_year, window, test_date, scale_score, progress (the
    vendor's percent of typical growth), grade_levels_below, placement, goal_adjective, _adjective, _row.
    """
    latest = latest_results(results, current.select(["person_source_id", "subject"]), policy)
    columns = ["person_source_id", "subject", "source_id", "vendor", "school_year", "window", "test_date"]
    tests = latest.select([*columns, "scale_score", "percent_progress_typical"]).rename_columns(
        {"source_id": "result_id", "percent_progress_typical": "progress"}
    )
    rows = current.append_column("_row", pa.array(np.arange(current.num_rows)))
    rows = rows.join(tests, ["person_source_id", "subject"], join_type="left outer")
    wanted = rows.select(["result_id", "canonical_domain"]).rename_columns(
        ["result_source_id", "canonical_domain"]
    )
    wanted = wanted.filter(pc.is_valid(wanted.column("result_source_id")))
    domains = domain_results.of(pc.unique(wanted.column("result_source_id")))
    return rows.join(
        _domain_evidence(domains, wanted),
        ["result_id", "canonical_domain"],
        right_keys=["result_source_id", "canonical_domain"],
        join_type="left outer",
    ).sort_by("_row")


def test_label(rows: pa.Table) -> pa.Array:
    """ "i-Ready 2025-26 winter": the vendor, school year and window of each row's latest test."""
    return pc.binary_join_element_wise(
        relabel(rows.column("vendor"), VENDOR_LABELS),
        school_year_text(rows.column("school_year")),
        rows.column("window"),
        " ",
    )


def exit_reasons(rows: pa.Table, policy: TutoringPolicy, active_students: pa.Array | None = None) -> pa.Array:
    """One reason per open membership in ``rows`` (``with_evidence``; null = stays), by the first rule.

    ``rows`` carry the group's ``canonical_domain``; ``active_students`` (None = not checked) are the
    source_ids of the students on the roster now. The review limit is not an exit rule: see ``reviews``.
    """
    # Only a test taken after entry can end tutoring; the one that placed the student never does.
    fresh = pc.coalesce(
        pc.greater(
            rows.column("test_date"), pc.coalesce(rows.column("tutored_since"), rows.column("entry_date"))
        ),
        pc.not_equal(rows.column("result_id"), rows.column("entry_result_source_id")),
        pc.is_valid(rows.column("result_id")),
    )
    on_grade = pc.or_kleene(
        pc.less_equal(rows.column("grade_levels_below"), policy.exit_max_grade_levels_below),
        pc.greater_equal(rows.column("_adjective"), GOAL_ADJECTIVES.index(policy.exit_min_goal_adjective)),
    )
    test = test_label(rows)
    domain_reason = concat(
        REASON_LABELS[ON_GRADE_LEVEL],
        " in ",
        relabel(rows.column("canonical_domain"), DOMAIN_LABELS),
        " (",
        test,
        ": ",
        pc.coalesce(
            rows.column("placement"),
            rows.column("goal_adjective"),
            pc.cast(rows.column("grade_levels_below"), pa.string()),
        ),
        ")",
    )
    reason = pa.nulls(rows.num_rows, pa.string())
    if active_students is not None:
        on_roster = pc.is_in(rows.column("person_source_id"), value_set=active_students)
        reason = pc.if_else(on_roster, NULL_TEXT, LEFT_ROSTER_REASON)
    reason = pc.coalesce(
        reason, pc.if_else(pc.and_(fresh, pc.fill_null(on_grade, False)), domain_reason, NULL_TEXT)
    )
    if policy.exit_min_percent_progress_typical is not None:
        grew = pc.fill_null(
            pc.greater_equal(rows.column("progress"), policy.exit_min_percent_progress_typical), False
        )
        growth_reason = concat(
            REASON_LABELS[TYPICAL_GROWTH_MET],
            ": ",
            whole_number_text(rows.column("progress")),
            " % of the annual typical growth (",
            test,
            ", overall scale ",
            whole_number_text(rows.column("scale_score")),
            ")",
        )
        reason = pc.coalesce(reason, pc.if_else(pc.and_(fresh, grew), growth_reason, NULL_TEXT))
    return reason


def reason_codes(reasons: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Each exit reason's code, read from its fixed opening label; ``other`` / ``unspecified`` otherwise."""
    opens = [pc.starts_with(reasons, label) for label in REASON_LABELS.values()]
    code = pc.case_when(pc.make_struct(*opens, field_names=list(REASON_LABELS)), *REASON_LABELS)
    return pc.if_else(pc.is_valid(reasons), pc.fill_null(code, OTHER), UNSPECIFIED)


def cycles_served(entry_dates: pa.ChunkedArray | pa.Array, cycles: pa.Table, on: date) -> np.ndarray:
    """Full cycles between entry and ``on``: a cycle counts when it began on or after entry and is over."""
    entered = entry_dates.to_numpy().astype("datetime64[D]")
    served = np.zeros(len(entered), dtype=np.int64)
    for start, end in zip(
        cycles.column("start_date").to_pylist(), cycles.column("end_date").to_pylist(), strict=True
    ):
        if end < on:
            served += entered <= np.datetime64(start, "D")
    return served
