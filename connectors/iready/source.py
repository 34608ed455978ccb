"""The i-Ready source: Diagnostic Results (ELA and Math, every layout since 2020-21) and lesson evidence."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa

from connectors.iready.config import IReadyConfig
from connectors.iready.layouts import RESULTS
from connectors.iready.lessons import summarise_lessons
from connectors.iready.reading import STREAMS, exports_at, exports_by_name, read_exports, read_files
from connectors.iready.results import NormalizedResults, normalize_blocks, normalize_results
from hub.connector import Extract, NormalizedBatch, SourceConnector, Stage, SyncMode
from hub.inputs import content_hash, files_at
from hub.tracked import KeptFiles, rows_since, tracked_state

STUDENT = ("Student ID",)
"""What links the rows the normalizer looks at together (a test in two files, a student's lessons)."""


class IReadySource(SourceConnector):
    """Reads i-Ready exports from a file or a folder (the vendor's SFTP drop, or downloads).

    Results are synced as upserts (``SyncMode.DELTA``): an export covers one school year and one vendor,
    while the tables hold every year and vendor of the district, so a test missing from tonight's file
    is no reason to remove it.

    Plausibility: an Overall Scale Score outside i-Ready's 100-800 scale (NaN and infinity included) or a
    Completion Date before July 2010 or more than a month ahead rejects the row (``not_a_number``,
    ``implausible_date``); a Completion Date more than a month outside the row's Academic Year is a warning
    (``outside_school_year``); a Percentile outside 1-99, a Duration outside 0-600 minutes or a progress
    percentage outside 0-1000 is left blank with a warning (``out_of_range``). Files are decoded by
    ``hub.decoding`` (Windows-1252 and UTF-16 read with a warning, NULs removed); a cell past 64 KiB or
    a quote left open rejects its row (``cell_too_long``, ``open_quote``).
    """

    name: ClassVar[str] = "iready"
    stage: ClassVar[Stage] = Stage.DIAGNOSTICS
    streams: ClassVar[tuple[str, ...]] = STREAMS
    streamed: ClassVar[tuple[str, ...]] = (RESULTS,)  # a district's year of tests
    tables: ClassVar[tuple[str, ...]] = ("assessment_result", "domain_result", "lesson_evidence")
    config_model: ClassVar[type[IReadyConfig]] = IReadyConfig
    config: IReadyConfig

    def read(self, state: Mapping[str, Any] | None = None) -> Extract:
        return read_exports(self.config.path, self.config.pattern)

    def read_tracked(self, state: Mapping[str, Any] | None, kept: Path, hashes: Mapping[str, str]) -> Extract:
        """Every file parsed (i-Ready rewrites its cumulative exports whole), then only the rows of the
        students whose rows are new, changed or gone since the files ``state`` records (``rows_since``)."""
        config = self.config
        with exports_at(config.path, config.pattern) as where:
            extract = read_files(where, config.pattern)
            files = exports_by_name(where, config.pattern)
            digests = {name: hashes.get(str(file)) or content_hash(file) for name, file in files.items()}
        return rows_since(extract, digests, state, KeptFiles(kept), STUDENT)

    def next_state(self, extract: Extract, previous: Mapping[str, Any] | None) -> dict[str, Any]:
        return tracked_state(extract, previous)

    def input_files(self) -> list[Path] | None:
        return files_at(self.config.path)

    def normalize(self, extract: Extract) -> NormalizedBatch:
        """Results and domains as upserts; replayed from disk, a block of students at a time (``blocks``)."""
        results = extract.streams.get(RESULTS)
        lessons = summarise_lessons(extract)
        modes = dict.fromkeys(self.tables, SyncMode.DELTA)
        if isinstance(results, pa.RecordBatchReader):
            blocks, issues = normalize_blocks(results, self.config.band_mapping)
            tables = {"lesson_evidence": lessons.table}
            return NormalizedBatch(tables, modes, issues=issues + lessons.issues, blocks=blocks)
        normalized = (
            NormalizedResults.none()
            if results is None
            else normalize_results(results, self.config.band_mapping)
        )
        tables = {
            "assessment_result": normalized.results,
            "domain_result": normalized.domains,
            "lesson_evidence": lessons.table,
        }
        return NormalizedBatch(tables=tables, modes=modes, issues=normalized.issues + lessons.issues)
