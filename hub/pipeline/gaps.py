"""Deriving skill gaps from the stored tests of record, and what the district's gap table holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import ColumnElement, and_, func, or_, select

from hub.connector import NormalizedBatch, SyncMode
from hub.diagnostics import DiagnosticsPolicy, GapThresholds, skill_gaps
from hub.diagnostics.gaps import DOMAIN_COLUMNS as GAP_DOMAIN_COLUMNS
from hub.diagnostics.gaps import RESULT_COLUMNS as GAP_RESULT_COLUMNS
from hub.model import sql_table
from hub.pipeline.context import DistrictRun
from hub.pipeline.derived import unchanged

GAP_ROWS_VERSION = "domain_score"
STEP = "skill_gaps"  # the night's step, whose step_state keeps the thresholds it last derived under


@dataclass(frozen=True, slots=True)
class GapSummary:
    """What the district's skill_gap table holds after ``derive_skill_gaps``."""

    by_domain: pa.Table  # subject, canonical_domain, gaps
    students: int
    derived: bool  # False: nothing the gaps depend on changed since they were last derived

    @property
    def rows(self) -> int:
        return pc.sum(self.by_domain.column("gaps")).as_py() or 0


def district_skill_gaps(run: DistrictRun) -> GapSummary:
    """The skill-gaps step: ``derive_skill_gaps`` under the district's own thresholds."""
    return derive_skill_gaps(run, run.district.diagnostics)


def derive_skill_gaps(run: DistrictRun, policy: DiagnosticsPolicy) -> GapSummary:
    """Skill gaps from every test of record; the gap table is rebuilt whole (bulk) when a result or domain
    changed since the last time, or the thresholds did.

    SQL hands over only tests of record and the domain rows that are behind by the thresholds: most of a
    district's domain rows are not, and carrying them through Python is most of the cost. The domain rows
    come through the ``domain_result`` view, which filters each slot of ``result_domains`` in SQL; reading
    the slots whole and unpivoting in Arrow measured no faster (every slot's values cross into Python).
    """
    thresholds = policy.gap_thresholds
    # The marker after the thresholds names what the gap rows hold, so that rows from before domain_score
    # was filled are derived again once rather than kept by the fingerprint.
    policy_key = f"{thresholds.model_dump_json()}|{GAP_ROWS_VERSION}"
    inputs = ["assessment_result", "result_domains"]
    last = run.warehouse.step_record(run.district_id, STEP)
    if not unchanged(run, last, inputs, policy_key):
        results = sql_table("assessment_result")
        of_record = and_(results.c.is_test_of_record.is_(True), results.c.person_source_id.is_not(None))
        gaps = skill_gaps(
            run.warehouse.read(
                "assessment_result", run.district_id, columns=GAP_RESULT_COLUMNS, where=of_record
            ),
            run.warehouse.read(
                "domain_result", run.district_id, columns=GAP_DOMAIN_COLUMNS, where=_may_be_gaps(thresholds)
            ),
            thresholds,
        )
        summary = _counted(gaps)
        run.warehouse.apply_step(  # gaps close as students grow: removals here are the point, not a risk
            run.district_id,
            STEP,
            NormalizedBatch({"skill_gap": gaps}, {"skill_gap": SyncMode.BULK}),
            policy_key=policy_key,
            summary=summary,
        )
        return _from_summary(summary, derived=True)
    if "by_domain" in last.summary:
        return _from_summary(last.summary, derived=False)
    return _gap_summary(run, derived=False)


def _counted(gaps: pa.Table) -> dict[str, Any]:
    """What the step keeps of the gaps it derived, for a kept night to report without reading them."""
    by_domain = gaps.group_by(["subject", "canonical_domain"]).aggregate([("person_source_id", "count")])
    by_domain = by_domain.sort_by([("subject", "ascending"), ("canonical_domain", "ascending")])
    return {
        "by_domain": [list(row.values()) for row in by_domain.to_pylist()],
        "students": pc.count_distinct(gaps.column("person_source_id")).as_py(),
    }


def _from_summary(summary: dict[str, Any], *, derived: bool) -> GapSummary:
    subjects, domains, counts = (
        zip(*summary["by_domain"], strict=True) if summary["by_domain"] else ((), (), ())
    )
    by_domain = pa.table(
        {
            "subject": pa.array(subjects, pa.string()),
            "canonical_domain": pa.array(domains, pa.string()),
            "gaps": pa.array(counts, pa.int64()),
        }
    )
    return GapSummary(by_domain, summary["students"], derived)


def _gap_summary(run: DistrictRun, *, derived: bool) -> GapSummary:
    """Counted in SQL from the stored gaps: a step record from before the step kept its counts."""
    gaps = sql_table("skill_gap")
    mine = and_(gaps.c.district_id == run.district_id, gaps.c.status == "active")
    by_domain = run.warehouse.query(
        select(gaps.c.subject, gaps.c.canonical_domain, func.count().label("gaps"))
        .where(mine)
        .group_by(gaps.c.subject, gaps.c.canonical_domain)
        .order_by(gaps.c.subject, gaps.c.canonical_domain)
    )
    students = run.warehouse.query(
        select(func.count(gaps.c.person_source_id.distinct()).label("students")).where(mine)
    )
    return GapSummary(by_domain, students.column("students")[0].as_py(), derived)


def _may_be_gaps(thresholds: GapThresholds) -> ColumnElement[bool]:
    """Domain rows that may be gaps: a superset of what ``skill_gaps`` keeps. Whether their test is the
    test of record is left to ``skill_gaps``: nearly every test is, and joining in SQL costs a lookup for
    each of the district's domain rows."""
    domains = sql_table("domain_result")
    adjectives = [name.strip().lower() for name in thresholds.adjectives]
    return and_(
        domains.c.canonical_domain.is_not(None),
        or_(
            domains.c.grade_levels_below >= thresholds.min_grade_levels_below,
            func.lower(func.trim(domains.c.goal_adjective)).in_(adjectives),
        ),
    )
