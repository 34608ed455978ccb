"""Vendor-neutral diagnostics: what happens between a vendor connector's normalize and the warehouse.

Pure functions over Arrow tables, in the order a sync uses them::

    identifiers = active_identifiers(warehouse_identifiers, warehouse_persons)
    outcome = match_students(results, identifiers, policy.id_precedence)
    for report in outcome.reports:
        enforce_match_rate(report, policy.min_match_rate)
    results = mark_test_of_record(outcome.results, rapid_guessing_threshold=policy.rapid_guessing_threshold)
    gaps = skill_gaps(results, domains, policy.gap_thresholds)

No I/O, no vendor modules, no Dagster: the caller reads and writes the warehouse.
"""

from hub.diagnostics.config import DEFAULT_ID_PRECEDENCE, DiagnosticsPolicy, GapThresholds
from hub.diagnostics.errors import DiagnosticsError, MatchGateError
from hub.diagnostics.gaps import primary_gap, skill_gaps
from hub.diagnostics.match_report import MatchReport, combined_reports, enforce_match_rate
from hub.diagnostics.matching import (
    MatchOutcome,
    RosterIds,
    active_identifiers,
    match_students,
    match_to,
    rematch,
    roster_ids,
)
from hub.diagnostics.record import duplicate_tests, mark_test_of_record, suspect

__all__ = [
    "DEFAULT_ID_PRECEDENCE",
    "DiagnosticsError",
    "DiagnosticsPolicy",
    "GapThresholds",
    "MatchGateError",
    "MatchOutcome",
    "MatchReport",
    "RosterIds",
    "active_identifiers",
    "combined_reports",
    "duplicate_tests",
    "enforce_match_rate",
    "mark_test_of_record",
    "match_students",
    "match_to",
    "primary_gap",
    "rematch",
    "roster_ids",
    "skill_gaps",
    "suspect",
]
