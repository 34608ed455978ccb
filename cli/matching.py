"""`tutorhub validate iready|map --district ID`: how well an export matches the district's roster."""

from __future__ import annotations

from typing import Any

from hub.connector import NormalizedBatch
from hub.diagnostics import match_students
from hub.pipeline.context import DistrictRun
from hub.pipeline.diagnostics import roster_identifiers
from hub.plugins import installed
from hub.settings import HubConfig


def match_rate_for(hub: HubConfig, district_id: str, batch: NormalizedBatch) -> dict[str, Any]:
    """Overall and per-file match rate against the district's current roster; reads, never writes."""
    run = DistrictRun(hub, hub.district(district_id), installed())
    try:
        identifiers = roster_identifiers(run)
    finally:
        run.close()
    policy = run.district.diagnostics
    outcome = match_students(batch.tables["assessment_result"], identifiers, policy.id_precedence)
    matched = sum(report.matched for report in outcome.reports)
    total = sum(report.total for report in outcome.reports)
    return {
        "rate": matched / total if total else 1.0,
        "minimum": policy.min_match_rate,
        "files": {
            report.file or "results": {
                "rate": report.match_rate,
                "matched": report.matched,
                "unmatched": report.unmatched,
                "ambiguous": report.ambiguous,
                "first_unmatched_ids": list(report.unmatched_ids),
                "loads": report.passes(policy.min_match_rate),
            }
            for report in outcome.reports
        },
    }
