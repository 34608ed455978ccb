"""Reading a stage's sources, keeping the raw extract, and applying the normalized batch.

The steps are separate so that Dagster can show them as separate assets (raw extract, normalized tables)
and a rerun of the second replays the stored extract.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hub.connector import Extract, FileReport, NormalizedBatch, SourceConnector, Stage
from hub.pipeline.context import DistrictRun
from hub.pipeline.extracts import extract_dir, latest_extract, load_extract, prune_extracts, save_extract
from hub.warehouse import TableChange

log = logging.getLogger(__name__)

BatchTransform = Callable[[DistrictRun, str, NormalizedBatch], NormalizedBatch]


@dataclass(slots=True)
class ExtractSummary:
    connector: str
    raw_dir: Path
    info: dict
    files: dict[str, FileReport]

    @property
    def fatal(self) -> dict[str, str]:
        return {name: report.fatal for name, report in self.files.items() if report.fatal}

    @property
    def rows(self) -> int:
        return sum(report.rows for report in self.files.values())

    @property
    def rejected(self) -> int:
        return sum(report.rejected for report in self.files.values())


@dataclass(slots=True)
class ApplySummary:
    connector: str
    run_id: int
    changes: dict[str, TableChange]
    rejects: int
    warnings: int
    fatal: dict[str, str] = field(default_factory=dict)
    reference_rejects: int = 0


@dataclass(frozen=True, slots=True)
class Extracted:
    """What an extract step read: one summary per source of its stage."""

    summaries: list[ExtractSummary]


@dataclass(frozen=True, slots=True)
class Applied:
    """What a load step applied: one summary per source of its stage."""

    summaries: list[ApplySummary]


def extract(stage: Stage) -> Callable[[DistrictRun], Extracted]:
    """The extract step of ``stage``: every source of it read and kept (``read_stage``)."""

    def extract_stage(run: DistrictRun) -> Extracted:
        return Extracted(read_stage(run, stage))

    extract_stage.__qualname__ = extract_stage.__name__ = f"extract_{stage}"
    return extract_stage


def load_sessions(run: DistrictRun) -> Applied:
    """The sessions step: tutors' logs and the tutor list applied."""
    return Applied(apply_stage(run, "sessions"))


def read_stage(run: DistrictRun, stage: Stage) -> list[ExtractSummary]:
    """Read every source of ``stage`` and keep each raw extract under the district's data directory."""
    summaries = []
    for entry, source in run.sources(stage):
        extract = source.read(run.warehouse.connector_state(run.district_id, entry.name))
        raw_dir = save_extract(extract, extract_dir(run.data_dir, entry.name))
        prune_extracts(run.data_dir, entry.name)
        log.info("district %s: %s read %d file(s)", run.district_id, entry.name, len(extract.files))
        summaries.append(ExtractSummary(entry.name, raw_dir, extract.info, extract.files))
    return summaries


def apply_stage(
    run: DistrictRun, stage: Stage, transform: BatchTransform | None = None
) -> list[ApplySummary]:
    """Normalize the newest stored extract of each source of ``stage`` and apply it atomically."""
    summaries = []
    for entry, source in run.sources(stage):
        raw_dir = latest_extract(run.data_dir, entry.name)
        if raw_dir is None:
            raise FileNotFoundError(
                f"district {run.district_id}: no raw extract of {entry.name} yet; read it first"
            )
        summaries.append(apply_extract(run, entry.name, source, load_extract(raw_dir), transform))
    return summaries


def apply_extract(
    run: DistrictRun,
    connector_name: str,
    source: SourceConnector,
    extract: Extract,
    transform: BatchTransform | None = None,
) -> ApplySummary:
    batch = source.normalize(extract)
    if transform is not None:
        batch = transform(run, connector_name, batch)
    previous_state = run.warehouse.connector_state(run.district_id, connector_name)
    summary = run.warehouse.apply(
        run.district_id,
        connector_name,
        batch,
        state=source.next_state(extract, previous_state),
        max_delete_fraction=run.district.max_delete_fraction,
        allow_deletions=run.allow_deletions,
        extra_issues=extract.issues,
    )
    issues = [*extract.issues, *batch.issues]
    return ApplySummary(
        connector=connector_name,
        run_id=summary.run_id,
        changes=summary.result.changes,
        rejects=sum(1 for issue in issues if issue.severity == "reject"),
        warnings=sum(1 for issue in issues if issue.severity == "warning"),
        fatal={name: report.fatal for name, report in extract.files.items() if report.fatal},
        reference_rejects=sum(
            1 for issue in issues if issue.severity == "reject" and "reference" in issue.kind
        ),
    )
