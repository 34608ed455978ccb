"""Reading a stage's sources, keeping the raw extract, and applying the normalized batch.

The steps are separate so that Dagster can show them as separate assets (raw extract, normalized tables)
and a rerun of the second replays the stored extract. A source whose files are what its last committed
apply read is neither parsed nor applied again (``hub.pipeline.inputs``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from hub.connector import Extract, FileReport, Issue, NormalizedBatch, SourceConnector, Stage
from hub.inputs import FileDigests
from hub.pipeline.context import DistrictRun
from hub.pipeline.extracts import (
    extract_dir,
    extract_record,
    input_digests,
    kept_files,
    latest_extract,
    load_extract,
    prune_extracts,
    save_extract,
)
from hub.pipeline.inputs import applied_unchanged, apply_key, read_key
from hub.tracked import NARROWED
from hub.warehouse import TableChange

log = logging.getLogger(__name__)

BatchTransform = Callable[[DistrictRun, str, NormalizedBatch, Mapping[str, int] | None], NormalizedBatch]
"""(run, connector, batch, whole_files) -> batch; ``whole_files``: see ``StageTransform.__call__``."""


@runtime_checkable
class StageTransform(Protocol):
    """What a stage does to each source's batch between normalize and apply (diagnostics: matching)."""

    reads: tuple[str, ...]
    """Warehouse tables it reads: when one changed since a source's last apply, the source's unchanged
    files are applied again."""
    settings: str
    """The policy it works under, as text: when it changes, every source of the stage is applied again."""

    def __call__(
        self,
        run: DistrictRun,
        connector: str,
        batch: NormalizedBatch,
        whole_files: Mapping[str, int] | None = None,
    ) -> NormalizedBatch:
        """``whole_files``: on a night that applies only a tracked source's new and changed rows
        (``hub.tracked``), the rows each of its files holds in all, by file name; else None."""
        ...

    def held(self, connector: str) -> bool:
        """Whether it held back part of ``connector``'s batch (a refused file): such an apply is not
        recorded as done, so the next night applies it again and its check says so again."""
        ...


@runtime_checkable
class TrackedSource(Protocol):
    """A source that reads only the files changed since those its state records were applied."""

    def read_tracked(self, state: Mapping[str, Any] | None, kept: Path, hashes: Mapping[str, str]) -> Extract:
        """``kept``: a folder of its own for what it read, kept across nights (for the same reader);
        ``hashes``: the content hashes the read key already took, by path."""
        ...


@dataclass(slots=True)
class ExtractSummary:
    connector: str
    raw_dir: Path
    info: dict
    files: dict[str, FileReport]
    reused: bool = False
    """True: the files were what the kept extract was read from, so they were not read again."""

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
    run_id: int | None
    """The sync run that applied the batch; None when the source was unchanged and nothing was applied."""
    changes: dict[str, TableChange]
    rejects: int
    warnings: int
    fatal: dict[str, str] = field(default_factory=dict)
    reference_rejects: int = 0

    @property
    def unchanged(self) -> bool:
        return self.run_id is None


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
    """Read every source of ``stage`` and keep each raw extract under the district's data directory; a
    source whose files are those its newest kept extract was read from is not read again."""
    summaries = []
    for entry, source in run.sources(stage):
        digests = FileDigests(input_digests(run.data_dir, entry.name))
        key = read_key(source, digests)
        digests.save()
        kept = latest_extract(run.data_dir, entry.name)
        if key is not None and kept is not None:
            record = extract_record(kept)
            if record.get("inputs") == key:
                log.info("district %s: %s unchanged since its last read", run.district_id, entry.name)
                files = {name: FileReport(**report) for name, report in record["files"].items()}
                summaries.append(ExtractSummary(entry.name, kept, record["info"], files, reused=True))
                continue
        summaries.append(_read_and_keep(run, entry.name, source, key))
    return summaries


def _read_and_keep(
    run: DistrictRun, connector: str, source: SourceConnector, key: dict[str, Any] | None
) -> ExtractSummary:
    """Read ``source`` and keep its raw extract; the rows read go when this returns, so that the stage's
    next source is not read beside them."""
    state = run.warehouse.connector_state(run.district_id, connector)
    if isinstance(source, TrackedSource) and key is not None:
        extract = source.read_tracked(state, kept_files(run.data_dir, connector, key["reader"]), key["files"])
    else:
        extract = source.read(state)
    raw_dir = save_extract(extract, extract_dir(run.data_dir, connector), key)
    prune_extracts(run.data_dir, connector)
    log.info("district %s: %s read %d file(s)", run.district_id, connector, len(extract.files))
    return ExtractSummary(connector, raw_dir, extract.info, extract.files)


def apply_stage(
    run: DistrictRun, stage: Stage, transform: StageTransform | None = None
) -> list[ApplySummary]:
    """Normalize the newest stored extract of each source of ``stage`` and apply it atomically; skip a
    source whose extract was read from the files (and under the settings) its last committed apply was."""
    summaries = []
    for entry, source in run.sources(stage):
        raw_dir = latest_extract(run.data_dir, entry.name)
        if raw_dir is None:
            raise FileNotFoundError(
                f"district {run.district_id}: no raw extract of {entry.name} yet; read it first"
            )
        read = extract_record(raw_dir).get("inputs")
        key = apply_key(read, transform.settings if transform else "") if read else None
        recorded = key and applied_unchanged(run, entry.name, key, transform.reads if transform else ())
        if recorded:
            log.info("district %s: %s unchanged since its last apply", run.district_id, entry.name)
            summaries.append(ApplySummary(entry.name, None, {}, **recorded["summary"]))
            continue
        extract = load_extract(raw_dir, source.streamed)
        summaries.append(apply_extract(run, entry.name, source, extract, transform, inputs=key))
    return summaries


def apply_extract(
    run: DistrictRun,
    connector_name: str,
    source: SourceConnector,
    extract: Extract,
    transform: BatchTransform | StageTransform | None = None,
    inputs: dict[str, Any] | None = None,
) -> ApplySummary:
    """Normalize, transform and apply ``extract``; ``inputs`` (its apply key) is recorded with the commit
    when nothing in the apply is left for a check to hold: no file unreadable, refused or pointing at
    nothing, so that a night a check held is applied, and judged, again."""
    batch = source.normalize(extract)
    if transform is not None:
        batch = transform(run, connector_name, batch, _whole_files(extract))
    issues = [*extract.issues, *batch.issues]
    counts = _issue_counts(issues)
    fatal = {name: report.fatal for name, report in extract.files.items() if report.fatal}
    refused = isinstance(transform, StageTransform) and transform.held(connector_name)
    held = bool(fatal or counts["reference_rejects"] or refused)
    previous_state = run.warehouse.connector_state(run.district_id, connector_name)
    # a refused file's rows are not applied: the files read stay those last applied, so that a tracked
    # source (``TrackedSource``) reads its rows as changed again on the next night
    state = previous_state if refused else source.next_state(extract, previous_state)
    # the raw rows are let go before the apply: what was normalized from them is all it needs, and the
    # two held together were the step's peak (a year of diagnostic exports, twice over)
    extract.streams.clear()
    summary = run.warehouse.apply(
        run.district_id,
        connector_name,
        batch,
        state=state,
        max_delete_fraction=run.district.max_delete_fraction,
        allow_deletions=run.allow_deletions,
        extra_issues=extract.issues,
        inputs={**inputs, "summary": counts} if inputs and not held else None,
    )
    return ApplySummary(connector_name, summary.run_id, summary.result.changes, fatal=fatal, **counts)


def _issue_counts(issues: list[Issue]) -> dict[str, int]:
    rejects = [issue for issue in issues if issue.severity == "reject"]
    return {
        "rejects": len(rejects),
        "warnings": sum(1 for issue in issues if issue.severity == "warning"),
        "reference_rejects": sum(1 for issue in rejects if "reference" in issue.kind),
    }


def _whole_files(extract: Extract) -> dict[str, int] | None:
    """The rows each file holds in all, when the extract holds only some of them (``hub.tracked``)."""
    if not extract.info.get(NARROWED):
        return None
    return {name: report.accepted for name, report in extract.files.items()}
