"""``ProgressCsvSource``: a district's curriculum-based measures, read and normalized onto progress_point."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.progress_csv.checks import COLUMNS, REQUIRED, check_scores
from hub import csvtext
from hub.archives import drop_files
from hub.connector import (
    ConfigPath,
    ConnectorConfig,
    ConnectorError,
    Extract,
    FileReport,
    Issue,
    NormalizedBatch,
    SourceConnector,
    Stage,
    SyncMode,
)
from hub.inputs import files_at
from hub.model import conform

SOURCE = "progress_csv"
ORDER = "_order"  # file number * stride + line: a later file's copy of a score wins
_STRIDE = 1_000_000_000


class ProgressCsvConfig(ConnectorConfig):
    path: ConfigPath
    """A progress CSV, or a folder or zip of them (``*.csv``)."""


class ProgressCsvSource(SourceConnector):
    name: ClassVar[str] = SOURCE
    stage: ClassVar[Stage] = Stage.SESSIONS  # read beside the session logs: both are tutoring's own evidence
    streams: ClassVar[tuple[str, ...]] = ("scores",)
    tables: ClassVar[tuple[str, ...]] = ("progress_point",)
    config_model: ClassVar[type[ConnectorConfig]] = ProgressCsvConfig
    config: ProgressCsvConfig

    def input_files(self) -> list[Path] | None:
        return files_at(self.config.path)

    def read(self, state: Mapping[str, Any] | None = None) -> Extract:
        nothing = "no progress CSV files (*.csv)"
        with drop_files(self.config.path, _is_csv, "progress_csv path", nothing) as files:
            return self._read(files)

    def _read(self, files: list[Path]) -> Extract:
        reports: dict[str, FileReport] = {}
        issues: list[Issue] = []
        kept: list[pa.Table] = []
        for number, path in enumerate(files):
            report = reports[path.name] = FileReport(path.name)
            try:
                kept.append(_read_file(path, number, report, issues))
            except ConnectorError as error:
                report.fatal = str(error)  # one unreadable file is reported; the others still load
        streams = {"scores": pa.concat_tables(kept)} if kept else {}
        return Extract(streams=streams, files=reports, issues=issues)

    def normalize(self, extract: Extract) -> NormalizedBatch:
        if "scores" not in extract.streams:
            return NormalizedBatch(tables={}, modes={})
        return NormalizedBatch(
            tables={"progress_point": points(extract.streams["scores"])},
            modes={"progress_point": SyncMode.DELTA},  # this month's file must not remove last month's
        )


def points(scores: pa.Table) -> pa.Table:
    """One ``progress_point`` per student, day and measure: the last-written copy (a correction) wins."""
    ids = pc.binary_join_element_wise(
        "csv", scores["student_id"], scores["observed_on"].cast(pa.string()), scores["measure"], ":"
    )
    scores = scores.append_column("source_id", ids).sort_by(
        [("source_id", "ascending"), (ORDER, "descending")]
    )
    ids = scores["source_id"].to_numpy(zero_copy_only=False)
    first = np.ones(len(ids), dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    latest = scores.filter(pa.array(first))
    return conform(
        "progress_point",
        pa.table(
            {
                "source_id": latest["source_id"],
                "person_source_id": latest["student_id"],
                "subject": latest["subject"],
                "canonical_domain": latest["canonical_domain"],
                "measure": latest["measure"],
                "observed_on": latest["observed_on"],
                "score": latest["score"],
                "goal_score": latest["goal_score"],
                "source": pa.array(np.full(latest.num_rows, SOURCE)),
            }
        ),
    )


def _is_csv(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() == ".csv"


def _read_file(path: Path, number: int, report: FileReport, issues: list[Issue]) -> pa.Table:
    table, unreadable = csvtext.read_csv(path, REQUIRED)
    unknown = set(table.column_names) - set(COLUMNS) - {csvtext.LINE}
    for column in COLUMNS:
        if column not in table.column_names:
            table = table.append_column(column, pa.nulls(table.num_rows, pa.string()))
    if unknown:
        issues.append(csvtext.unknown_columns(path.name, unknown, "progress CSV"))
        report.warn("unknown_column")
    checked, rejects, rejected = check_scores(table, path.name)
    issues.extend(unreadable)
    issues.extend(rejects)
    unread = csvtext.count_read_issues(unreadable, report)
    report.rows = table.num_rows + unread
    report.accepted = checked.num_rows
    report.rejected = rejected + unread
    order = number * _STRIDE + checked[csvtext.LINE].to_numpy()
    return checked.append_column(ORDER, pa.array(order, pa.int64())).append_column(
        "_file", pa.array(np.full(checked.num_rows, path.name))
    )
