"""Each step's result as Dagster shows it: its kinds, its blocking checks, and the metadata people read.

One entry per result type of ``hub.pipeline.night``; what a check decides is the result's own (``checks``),
here it only becomes an ``AssetCheckResult`` with the figures behind it.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from assets.failures import RETRY
from assets.metadata import apply_metadata, extract_metadata, markdown_table, pyramid_markdown
from hub.pipeline.assessments import AssessmentLoad
from hub.pipeline.delivery import Pushed, Rendered
from hub.pipeline.evidence import Analysis
from hub.pipeline.gaps import GapSummary
from hub.pipeline.packets import Packets
from hub.pipeline.progress import ProgressSummary
from hub.pipeline.roster import REFERENCE_REJECT_LIMIT, RosterLoad
from hub.pipeline.sources import Applied, Extracted
from hub.pipeline.tutoring import GroupDecision, Tiers
from hub.tutoring.dosage import Dosage
from hub.tutoring.impact import Impact
from hub.tutoring.pulse import Pulse

Output = dg.MaterializeResult | dg.AssetCheckResult


@dataclass(frozen=True, slots=True)
class Shown:
    """How a result type becomes the asset's outputs."""

    kinds: set[str]
    show: Callable[[Any], Iterator[Output]]
    checks: tuple[tuple[str, str], ...] = ()
    """each blocking check's name and description, as the UI lists them"""
    retry: dg.RetryPolicy | None = None
    """a policy of its own; else the job's (transient faults only, see ``assets.failures``)"""


def _extracted(result: Extracted) -> Iterator[Output]:
    metadata = extract_metadata(result.summaries)
    metadata["what_was_read"] = dg.MetadataValue.json({s.connector: s.info for s in result.summaries})
    yield dg.MaterializeResult(metadata=metadata)


def _roster(result: RosterLoad) -> Iterator[Output]:
    if result.refused is not None:
        yield dg.AssetCheckResult(
            check_name="deletion_guard", passed=False, metadata={"refused": result.refused}
        )
        raise dg.Failure(description=result.refused, allow_retries=False)
    checks = result.checks
    yield dg.MaterializeResult(metadata=apply_metadata(result.summaries))
    yield dg.AssetCheckResult(check_name="deletion_guard", passed=True)
    yield dg.AssetCheckResult(
        check_name="referential_integrity",
        passed=checks["referential_integrity"],
        metadata={"reference_rejects": result.reference_rejects, "rows": result.rows},
    )
    yield dg.AssetCheckResult(
        check_name="files_readable", passed=checks["files_readable"], metadata={"fatal": result.fatal}
    )


def _applied(result: Applied) -> Iterator[Output]:
    yield dg.MaterializeResult(metadata=apply_metadata(result.summaries))


def _assessments(result: AssessmentLoad) -> Iterator[Output]:
    metadata = apply_metadata(result.summaries)
    record, gate = result.record, result.gate
    metadata["tests_of_record"] = dg.MetadataValue.int(record.tests_of_record)
    metadata["rematched_from_earlier_syncs"] = dg.MetadataValue.int(record.rematched)
    metadata["settled_tonight"] = dg.MetadataValue.bool(record.settled)
    metadata["match_rates"] = dg.MetadataValue.md(
        "| file | results | match rate | unmatched | ambiguous |\n|---|---:|---:|---:|---:|\n"
        + "\n".join(
            f"| {r.file or '-'} | {r.total} | {r.match_rate:.1%} | {r.unmatched} | {r.ambiguous} |"
            for r in gate.reports
        )
    )
    yield dg.MaterializeResult(metadata=metadata)
    yield dg.AssetCheckResult(
        check_name="match_rate",
        passed=result.checks["match_rate"],
        metadata={"refused_files": dg.MetadataValue.md("\n\n".join(gate.refused.values()) or "none")},
    )
    yield dg.AssetCheckResult(
        check_name="duplicate_tests",
        passed=result.checks["duplicate_tests"],
        metadata={"duplicates": record.duplicates},
    )


def _gaps(gaps: GapSummary) -> Iterator[Output]:
    lines = ["| subject | domain | gaps |", "|---|---|---:|"] + [
        f"| {row['subject']} | {row['canonical_domain']} | {row['gaps']} |"
        for row in gaps.by_domain.to_pylist()
    ]
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(gaps.rows),
            "students_with_gaps": dg.MetadataValue.int(gaps.students),
            "gaps_by_domain": dg.MetadataValue.md("\n".join(lines)),
            "derived_tonight": dg.MetadataValue.bool(gaps.derived),
            "students_derived_again": dg.MetadataValue.text(
                "everyone" if gaps.redone is None else f"{gaps.redone:,} whose tests changed"
            )
            if gaps.derived
            else dg.MetadataValue.text("none"),
        }
    )


def _tiers(tiers: Tiers) -> Iterator[Output]:
    distribution = tiers.distribution
    counts = {tier: pc.sum(distribution.column(f"tier{tier}")).as_py() or 0 for tier in (1, 2, 3)}
    inverted = distribution.filter(pc.equal(distribution.column("inverted_pyramid"), True)).num_rows
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(sum(counts.values())),
            "tier_counts": dg.MetadataValue.json({f"tier_{tier}": counts[tier] for tier in (1, 2, 3)}),
            "inverted_pyramids": dg.MetadataValue.int(inverted),
            "tier_table": dg.MetadataValue.md(pyramid_markdown(distribution)),
        }
    )


def _tonight(decision: GroupDecision, kind: str, column: str) -> int:
    """Rows of the grouping's ``kind`` (reviews, unplaced) made at the boundaries decided tonight."""
    rows = getattr(decision.grouping, kind)
    days = pa.array(decision.boundaries, pa.date32())
    return rows.filter(pc.is_in(rows.column(column), value_set=days)).num_rows


def _groups(decision: GroupDecision) -> Iterator[Output]:
    groups, memberships = decision.grouping.groups, decision.grouping.memberships
    open_rows = memberships.filter(pc.is_null(memberships.column("exit_date")))
    exits = memberships.filter(pc.is_valid(memberships.column("exit_date")))
    reasons = pc.value_counts(exits.column("exit_reason")).to_pylist() if exits.num_rows else []
    boundaries = [day.isoformat() for day in decision.boundaries]
    yield dg.MaterializeResult(
        asset_key="tutoring_groups",
        metadata={
            "dagster/row_count": dg.MetadataValue.int(groups.num_rows),
            "groups_without_tutor": dg.MetadataValue.int(decision.grouping.untutored.num_rows),
            "entrants_not_placed_tonight": dg.MetadataValue.int(
                _tonight(decision, "unplaced", "boundary_date")
            ),
            "reviews_tonight": dg.MetadataValue.int(_tonight(decision, "reviews", "review_date")),
            "boundaries_decided_tonight": dg.MetadataValue.json(boundaries),
        },
    )
    yield dg.MaterializeResult(
        asset_key="group_memberships",
        metadata={
            "dagster/row_count": dg.MetadataValue.int(memberships.num_rows),
            "students_in_tutoring": dg.MetadataValue.int(open_rows.num_rows),
            "exits_by_reason": dg.MetadataValue.json({r["values"]: r["counts"] for r in reasons}),
        },
    )


def _dosage(dosage: Dosage) -> dict[str, dg.MetadataValue]:
    weeks = dosage.student_weeks
    flagged = {
        flag: pc.sum(pc.cast(weeks.column(flag), pa.int64())).as_py() or 0
        for flag in ("under_dosed", "oversized_group", "tutor_change")
        if flag in weeks.column_names
    }
    return {
        "dagster/row_count": dg.MetadataValue.int(weeks.num_rows),
        "flagged_student_weeks": dg.MetadataValue.json(flagged),
        "summary": dg.MetadataValue.md(markdown_table(dosage.summary)),
    }


def _pulse(pulse: Pulse) -> dict[str, dg.MetadataValue]:
    return {
        "dagster/row_count": dg.MetadataValue.int(pulse.groups.num_rows),
        "teacher_rows": dg.MetadataValue.int(pulse.teachers.num_rows),
    }


def _impact(impact: Impact) -> dict[str, dg.MetadataValue]:
    return {
        "dagster/row_count": dg.MetadataValue.int(impact.students.num_rows),
        "comparison": dg.MetadataValue.md(markdown_table(impact.suppressed()["comparison"])),
    }


ANALYSES: dict[type, Callable[[Any], dict[str, dg.MetadataValue]]] = {
    Dosage: _dosage,
    Pulse: _pulse,
    Impact: _impact,
}


def _analysis(analysis: Analysis) -> Iterator[Output]:
    metadata = ANALYSES[type(analysis.measured)](analysis.measured)
    yield dg.MaterializeResult(metadata={**metadata, "path": dg.MetadataValue.path(str(analysis.folder))})


def _progress(summary: ProgressSummary) -> Iterator[Output]:
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(summary.placements),
            "signals": dg.MetadataValue.json(summary.signals),
            "signals_changed_tonight": dg.MetadataValue.int(summary.changed),
        }
    )


def _rendered(rendered: Rendered) -> Iterator[Output]:
    kinds = rendered.count("text/html")
    schools = sorted((rendered.folder / "school").glob("*.html"))
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(rendered.table.num_rows),
            "reports_by_kind": dg.MetadataValue.json(kinds),
            "folder": dg.MetadataValue.path(str(rendered.folder)),
            **({"school_dashboard": dg.MetadataValue.url(schools[0].as_uri())} if schools else {}),
        }
    )


def _packets(packets: Packets) -> Iterator[Output]:
    """Counts and dates only: a packet names students, its metadata never does."""
    boundary = packets.boundary.isoformat() if packets.boundary else "none decided yet"
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(packets.schools),
            "boundary": dg.MetadataValue.text(boundary),
            "folder": dg.MetadataValue.path(str(packets.folder)),
        }
    )


def _pushed(pushed: Pushed) -> Iterator[Output]:
    failures = pushed.failures()
    if failures:
        raise dg.Failure(
            description=f"{len(failures)} report(s) failed to push; they will be retried on the next run.",
            metadata={"failures": dg.MetadataValue.md("\n".join(f"- {f}" for f in failures[:50]))},
        )
    yield dg.MaterializeResult(metadata={"outcomes": dg.MetadataValue.json(pushed.outcomes())})


SHOWN: dict[type, Shown] = {
    Extracted: Shown({"parquet"}, _extracted, retry=RETRY),
    RosterLoad: Shown(
        {"sql"},
        _roster,
        checks=(
            ("deletion_guard", "The sync did not remove more than max_delete_fraction of the district."),
            (
                "referential_integrity",
                f"Rows pointing at missing classes or users stay under {100 * REFERENCE_REJECT_LIMIT:g} %.",
            ),
            ("files_readable", "No roster file was unreadable as a whole."),
        ),
    ),
    AssessmentLoad: Shown(
        {"sql"},
        _assessments,
        checks=(
            ("match_rate", "Every file's results matched the roster at the district's minimum rate."),
            ("duplicate_tests", "No test appears twice (same student, subject, window, date and score)."),
        ),
    ),
    GapSummary: Shown({"sql"}, _gaps),
    Applied: Shown({"sql"}, _applied),
    Tiers: Shown({"sql"}, _tiers),
    GroupDecision: Shown({"sql"}, _groups),
    ProgressSummary: Shown({"sql"}, _progress),
    Analysis: Shown({"parquet"}, _analysis),
    Rendered: Shown({"html"}, _rendered),
    Packets: Shown({"html", "csv"}, _packets),
    Pushed: Shown(
        {"api"}, _pushed, retry=dg.RetryPolicy(max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL)
    ),
}
"""Per result type of the night's steps, how its asset shows it."""
