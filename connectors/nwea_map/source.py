"""The NWEA MAP Growth source: a Comprehensive or Combined Data File export in, results and goals out."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from connectors.nwea_map.config import MapConfig
from connectors.nwea_map.csvfile import FILE
from connectors.nwea_map.export import export_files, file_digest
from connectors.nwea_map.findings import Findings
from connectors.nwea_map.goals import domain_results
from connectors.nwea_map.reading import STREAMS, read_export, read_files
from connectors.nwea_map.results import assessment_results
from connectors.nwea_map.rows import filtered
from connectors.nwea_map.screening import screen
from hub.connector import Extract, Issue, NormalizedBatch, SourceConnector, Stage, SyncMode
from hub.inputs import files_at
from hub.model import conform
from hub.tracked import KeptFiles, rows_since, tracked_state

LINKS = ("StudentID", "TestID")
"""What links the rows the normalizer looks at together: a test repeated or its TestID shared by two
students, a student's grade in StudentsBySchool."""


class MapSource(SourceConnector):
    """Reads ``AssessmentResults.csv`` (every layout since 2013) or ``ComboStudentAssessment.csv``, plus
    ``StudentsBySchool.csv`` (grades; ids and demographics kept raw) and ``ClassAssignments.csv`` (kept raw
    for reports). Results stay ``unmatched``: linking StudentID to the roster is the matcher's job.

    Plausibility: a TestRITScore outside 50-400 (real ones lie within about 100-350; NaN and infinity are
    no number) or a TestStartDate before July 2010 or more than a month ahead rejects the row
    (``out_of_range``, ``implausible_date``); a TestStartDate more than a month outside TermName's school
    year is a warning (``outside_school_year``); a TestPercentile outside 0-100, a RapidGuessingPercentage
    outside 0-100 (after fractions are read as percentages), a TestStandardError outside 0-30 or a
    TestDurationMinutes outside 0-600 is left blank with a warning (``out_of_range``). Files are decoded
    by ``hub.decoding``; a cell past 64 KiB or a quote left open rejects its row.
    """

    name: ClassVar[str] = "nwea_map"
    stage: ClassVar[Stage] = Stage.DIAGNOSTICS
    streams: ClassVar[tuple[str, ...]] = STREAMS
    tables: ClassVar[tuple[str, ...]] = ("assessment_result", "domain_result")
    config_model: ClassVar[type[MapConfig]] = MapConfig
    config: MapConfig

    def read(self, state: Mapping[str, Any] | None = None) -> Extract:
        return read_export(self.config.path)

    def read_tracked(self, state: Mapping[str, Any] | None, kept: Path, hashes: Mapping[str, str]) -> Extract:
        """Every file parsed (NWEA rewrites or appends to its exports), then only the rows of the students
        and tests whose rows are new, changed or gone since the files ``state`` records (``rows_since``).
        ClassAssignments feeds no table: its rows go only where its student's do."""
        path = self.config.path
        files = export_files(path)
        extract = read_files(path, files)
        folder = path if path.is_dir() else path.parent
        digests = {
            export_file.name: hashes.get(str(folder / export_file.name)) or file_digest(export_file)
            for export_file in files
        }
        return rows_since(extract, digests, state, KeptFiles(kept), LINKS)

    def next_state(self, extract: Extract, previous: Mapping[str, Any] | None) -> dict[str, Any]:
        return tracked_state(extract, previous)

    def input_files(self) -> list[Path] | None:
        return files_at(self.config.path)

    def normalize(self, extract: Extract) -> NormalizedBatch:
        """Results and goals as upserts: an export holds the terms asked for, not all of history."""
        tests, issues = _tests(extract)
        findings = Findings(tests)
        screened = screen(findings)
        students = extract.streams.get("StudentsBySchool")
        results, rows = assessment_results(findings, screened, students, self.config)
        goals, goal_issues = domain_results(
            tests, results.column("source_id"), results.column("subject"), rows
        )
        tables = {
            "assessment_result": conform("assessment_result", filtered(results, rows)),
            "domain_result": conform("domain_result", goals),
        }
        return NormalizedBatch(
            tables,
            modes=dict.fromkeys(tables, SyncMode.DELTA),
            issues=[*issues, *findings.issues, *goal_issues],
        )


def _tests(extract: Extract) -> tuple[pa.Table, list[Issue]]:
    """The test rows: AssessmentResults if the export has it; the Combined file holds a subset of it."""
    results = extract.streams.get("AssessmentResults")
    combined = extract.streams.get("ComboStudentAssessment")
    if results is None:
        return combined, []
    if combined is None:
        return results, []
    ignored = sorted(pc.unique(pc.cast(combined.column(FILE), pa.string())).to_pylist())
    reason = "AssessmentResults.csv in the same export holds these tests; this file is not imported"
    return results, [
        Issue(name, None, None, None, "combined_file_ignored", reason, "warning") for name in ignored
    ]
