"""Entry criteria: who needs a group now, for which skill, and the evidence that says so."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from hub.diagnostics import primary_gap
from hub.diagnostics._arrow import concat
from hub.tutoring._arrow import pick_first
from hub.tutoring._labels import DOMAIN_LABELS, GRADE_ORDER, relabel, window_rank
from hub.tutoring.policy import TutoringPolicy

WINDOW_KEYS = ["person_source_id", "subject", "school_year", "window"]
GAP_COLUMNS = [
    "source_id",
    *WINDOW_KEYS,
    "canonical_domain",
    "severity",
    "evidence_result_source_id",
    "evidence",
    "domain_score",
]


def admits(tier: pa.Array | pa.ChunkedArray, policy: TutoringPolicy) -> pa.Array | pa.ChunkedArray:
    """Whether each tier is one the policy's entry criteria let into tutoring."""
    return pc.is_in(tier, value_set=pa.array(policy.entry_tiers, pa.int64()))


def latest_admitting(tiers: pa.Table, policy: TutoringPolicy) -> pa.Table:
    """Each student's latest tier per subject, where it admits them: the windows entry draws gaps from."""
    # Only students with an entry tier in some window can be eligible: find their latest tier alone.
    candidates = tiers.filter(admits(tiers.column("tier"), policy)).select(["person_source_id", "subject"])
    tiers = tiers.join(candidates, ["person_source_id", "subject"], join_type="left semi")
    ranked = tiers.append_column("_window", window_rank(tiers.column("window")))
    latest = pick_first(
        ranked,
        ["person_source_id", "subject"],
        [
            ("person_source_id", "ascending"),
            ("subject", "ascending"),
            ("school_year", "descending"),
            ("_window", "descending"),
        ],
    )
    return latest.filter(admits(latest.column("tier"), policy))


def eligible_students(tiers: pa.Table, gaps: pa.Table, policy: TutoringPolicy) -> pa.Table:
    """Students meeting the entry criteria, each with the primary gap and the evidence that placed them.

    Each student's latest tier per subject counts, joined to the primary gap of the same window.
    """
    latest = latest_admitting(tiers, policy)
    relevant = gaps.select(GAP_COLUMNS).join(latest.select(WINDOW_KEYS), WINDOW_KEYS, join_type="left semi")
    primary = primary_gap(relevant).select(
        [*WINDOW_KEYS, "canonical_domain", "severity", "evidence_result_source_id", "evidence"]
    )
    joined = latest.join(primary, WINDOW_KEYS, join_type="inner")
    domain = joined.column("canonical_domain")
    evidence = concat(
        joined.column("basis"),
        "; primary gap ",
        relabel(domain, DOMAIN_LABELS),
        " (severity ",
        pc.cast(joined.column("severity"), pa.string()),
        "): ",
        joined.column("evidence"),
    )
    grade = pc.fill_null(joined.column("grade"), "")
    return pa.table(
        {
            "person_source_id": joined.column("person_source_id"),
            "subject": joined.column("subject"),
            "school": pc.fill_null(joined.column("school_source_id"), ""),
            "canonical_domain": domain,
            "grade": grade,
            "grade_rank": pc.fill_null(pc.index_in(grade, value_set=pa.array(GRADE_ORDER)), -100),
            "tier": joined.column("tier"),
            "severity": joined.column("severity"),
            "entry_result_source_id": joined.column("evidence_result_source_id"),
            "entry_evidence": evidence,
        }
    )
