"""Deriving skill gaps from the stored tests of record, and what the district's gap table holds."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import ColumnElement, and_, func, or_, select, union

from hub.connector import NormalizedBatch, SyncMode
from hub.diagnostics import DiagnosticsPolicy, GapThresholds, skill_gaps
from hub.diagnostics.gaps import DOMAIN_COLUMNS as GAP_DOMAIN_COLUMNS
from hub.diagnostics.gaps import RESULT_COLUMNS as GAP_RESULT_COLUMNS
from hub.model import sql_table
from hub.pipeline.context import DistrictRun
from hub.pipeline.derived import unchanged
from hub.pipeline.parts import WHOLE, StudentPart, student_parts
from hub.pipeline.set_aside import SetAside
from hub.warehouse.steps import StepRecord

GAP_ROWS_VERSION = "domain_score|stamped"
STEP = "skill_gaps"  # the night's step, whose step_state keeps the thresholds it last derived under
INPUTS = ["assessment_result", "result_domains"]
PARTIAL_SHARE = 0.5
"""Redo only the students whose tests moved while they are at most this share of the students with gaps;
past it one whole derivation costs less than reading a long list of students back."""


@dataclass(frozen=True, slots=True)
class GapSummary:
    """What the district's skill_gap table holds after ``derive_skill_gaps``."""

    by_domain: pa.Table  # subject, canonical_domain, gaps
    students: int
    derived: bool  # False: nothing the gaps depend on changed since they were last derived
    redone: int | None = None
    """Students whose gaps were derived again tonight (None: the whole district's)."""

    @property
    def rows(self) -> int:
        return pc.sum(self.by_domain.column("gaps")).as_py() or 0


def district_skill_gaps(run: DistrictRun) -> GapSummary:
    """The skill-gaps step: ``derive_skill_gaps`` under the district's own thresholds."""
    return derive_skill_gaps(run, run.district.diagnostics)


def derive_skill_gaps(run: DistrictRun, policy: DiagnosticsPolicy) -> GapSummary:
    """Skill gaps from every test of record, derived again for the students whose tests or domains changed
    since the last time (their rows carry a later sync run), or for everyone when the thresholds changed,
    on the first night, or when most students moved.

    A student's gaps depend on that student's tests alone, so redoing some students gives what a whole
    derivation gives. SQL hands over only tests of record and the domain rows that are behind by the
    thresholds: most of a district's domain rows are not, and carrying them through Python is most of the
    cost. The domain rows come through the ``domain_result`` view, which filters each slot of
    ``result_domains`` in SQL.
    """
    thresholds = policy.gap_thresholds
    # The marker after the thresholds names what the gap rows hold, so that rows from before domain_score
    # was filled (or before tests were stamped) are derived again once rather than kept.
    policy_key = f"{thresholds.model_dump_json()}|{GAP_ROWS_VERSION}"
    last = run.warehouse.step_record(run.district_id, STEP)
    if unchanged(run, last, INPUTS, policy_key):
        if "by_domain" in last.summary:
            return _from_summary(last.summary, derived=False)
        return _gap_summary(run, derived=False)
    people = _moved_students(run, last, policy_key)
    if people is None:
        summary = _derive_all(run, thresholds, policy_key)
        return _from_summary(summary, derived=True)
    gaps = _derived(run, thresholds, people)
    stored = run.warehouse.read(
        "skill_gap",
        run.district_id,
        columns=COUNTED,
        where=sql_table("skill_gap").c.person_source_id.in_(people),
    )
    summary = _recounted(last.summary, stored, gaps)
    gone = pc.invert(pc.is_in(stored["source_id"], value_set=gaps["source_id"]))
    batch = NormalizedBatch(
        {"skill_gap": gaps},
        {"skill_gap": SyncMode.DELTA},
        deletes={"skill_gap": stored["source_id"].filter(gone).to_pylist()},
    )
    # gaps close as students grow: removals here are the point, not a risk
    run.warehouse.apply_step(run.district_id, STEP, batch, policy_key=policy_key, summary=summary)
    return replace(_from_summary(summary, derived=True), redone=len(people))


def _derive_all(run: DistrictRun, thresholds: GapThresholds, policy_key: str) -> dict[str, Any]:
    """Every student's gaps, derived a student part (``part_students``) at a time and set aside, then
    written as one bulk write, a part at a time (the stored gaps of students no longer behind go); the
    step's summary, counted part by part, is recorded in the same commit."""
    summary: dict[str, Any] = {"by_domain": [], "students": 0}
    with SetAside("skill_gap") as derived:
        for part in student_parts(run.warehouse, run.district_id, run.district.part_students):
            summary = _added(summary, _set_aside(derived, _derived(run, thresholds, None, part)), 1)
        batch = NormalizedBatch({}, {"skill_gap": SyncMode.BULK}, blocks=derived.blocks())
        run.warehouse.apply_step(run.district_id, STEP, batch, policy_key=policy_key, summary=summary)
    return summary


def _moved_students(run: DistrictRun, last: StepRecord, policy_key: str) -> list[str] | None:
    """The students whose gaps may differ from the stored ones: those of every test or domain set stamped
    after the step's last write, and those whose stored gaps rest on such a test (a test matched to
    another student since). None: derive everyone (no earlier derivation under this policy to build on,
    or too many moved)."""
    if last.policy_key != policy_key or last.through_run is None or "by_domain" not in last.summary:
        return None
    district = run.district_id
    results, domains, gaps = (
        sql_table(name) for name in ("assessment_result", "result_domains", "skill_gap")
    )
    moved = union(
        select(results.c.source_id).where(
            results.c.district_id == district, results.c.sync_run_id > last.through_run
        ),
        select(domains.c.source_id).where(
            domains.c.district_id == district, domains.c.sync_run_id > last.through_run
        ),
    ).subquery()
    people = union(
        select(results.c.person_source_id.label("person")).where(
            results.c.district_id == district,
            results.c.person_source_id.is_not(None),
            results.c.source_id.in_(select(moved.c.source_id)),
        ),
        select(gaps.c.person_source_id.label("person")).where(
            gaps.c.district_id == district, gaps.c.evidence_result_source_id.in_(select(moved.c.source_id))
        ),
    )
    found = run.warehouse.query(select(people.subquery().c.person))["person"]
    if len(found) > PARTIAL_SHARE * max(last.summary["students"], 1):
        return None
    return found.to_pylist()


def _set_aside(derived: SetAside, gaps: pa.Table) -> dict[str, Any]:
    """Keep a part's ``gaps`` aside (not held past its part) and return their counts."""
    derived.add(gaps)
    return _counted(gaps)


def _derived(
    run: DistrictRun, thresholds: GapThresholds, people: list[str] | None, part: StudentPart = WHOLE
) -> pa.Table:
    """The gaps of ``people`` (everyone when None) in ``part`` from their tests of record."""
    results = sql_table("assessment_result")
    person = results.c.person_source_id
    of_record = and_(results.c.is_test_of_record.is_(True), person.is_not(None))
    behind = _may_be_gaps(thresholds)
    if people is not None or part != WHOLE:
        theirs = person.in_(people) if people is not None else part.holds(person)
        of_record = and_(of_record, theirs)
        tests = select(results.c.source_id).where(results.c.district_id == run.district_id, theirs)
        behind = and_(behind, sql_table("domain_result").c.result_source_id.in_(tests))
    return skill_gaps(
        run.warehouse.read("assessment_result", run.district_id, columns=GAP_RESULT_COLUMNS, where=of_record),
        run.warehouse.read("domain_result", run.district_id, columns=GAP_DOMAIN_COLUMNS, where=behind),
        thresholds,
    )


COUNTED = ["source_id", "person_source_id", "subject", "canonical_domain"]
"""What the counts of the step's summary are made from."""


def _counted(gaps: pa.Table) -> dict[str, Any]:
    """What the step keeps of the gaps it derived, for a kept night to report without reading them."""
    by_domain = gaps.group_by(["subject", "canonical_domain"]).aggregate([("person_source_id", "count")])
    by_domain = by_domain.sort_by([("subject", "ascending"), ("canonical_domain", "ascending")])
    return {
        "by_domain": [list(row.values()) for row in by_domain.to_pylist()],
        "students": pc.count_distinct(gaps.column("person_source_id")).as_py(),
    }


def _recounted(last: dict[str, Any], stored: pa.Table, gaps: pa.Table) -> dict[str, Any]:
    """The summary after some students' gaps were derived again: their ``stored`` gaps taken out of the
    ``last`` counts, their new ``gaps`` put in."""
    return _added(_added(last, _counted(stored), -1), _counted(gaps), 1)


def _added(total: dict[str, Any], counted: dict[str, Any], sign: int) -> dict[str, Any]:
    """The summary ``total`` with the counts of other students' gaps (``counted``) added (``sign`` 1)
    or taken out (-1): students are counted once each, so counts of different students add up."""
    counts = {(subject, domain): count for subject, domain, count in total["by_domain"]}
    for subject, domain, count in counted["by_domain"]:
        counts[subject, domain] = counts.get((subject, domain), 0) + sign * count
    by_domain = sorted([subject, domain, count] for (subject, domain), count in counts.items() if count)
    return {"by_domain": by_domain, "students": total["students"] + sign * counted["students"]}


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
