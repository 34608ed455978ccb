"""Reading a whole export: each file recognised, renamed onto the 2020+ columns and stacked per stream."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from connectors.nwea_map.csvfile import PROVENANCE, read_header, read_text_table
from connectors.nwea_map.export import ExportFile, export_files
from connectors.nwea_map.layouts import (
    FILE_KINDS,
    KNOWN_COLUMNS,
    canonical_names,
    guess_layout,
    kind_by_header,
    kind_of,
)
from hub.connector import ConnectorError, Extract, FileReport, Issue
from hub.decoding import utf8_stream
from hub.sniff import header_cells

ASSESSMENT_STREAMS = ("AssessmentResults", "ComboStudentAssessment")
STREAMS = tuple(kind.stream for kind in FILE_KINDS)


def read_export(path: Path) -> Extract:
    """Every recognised file of the export; files of other kinds are listed in ``info["ignored_files"]``."""
    return read_files(path, export_files(path))


def read_files(path: Path, files: list[ExportFile]) -> Extract:
    """``read_export`` of the export at ``path`` whose files (``export_files``) are ``files``."""
    parts: dict[str, list[pa.Table]] = {}
    reports: dict[str, FileReport] = {}
    issues: list[Issue] = []
    files_info: dict[str, dict[str, Any]] = {}
    ignored: list[str] = []
    for export_file in files:
        with export_file.open() as stream:
            header = header_cells(stream, export_file.name)
        kind = kind_by_header(header) or kind_of(Path(export_file.name).name)
        if kind is None:
            ignored.append(export_file.name)
            continue
        open_text, encoding = utf8_stream(export_file.open, export_file.name)
        raw_header, delimiter = read_header(open_text, export_file.name)
        layout = guess_layout(kind, raw_header)
        header = canonical_names(raw_header)
        missing = [column for column in kind.required if column not in header]
        if missing:
            raise ConnectorError(
                f"{export_file.name}: read as {kind.stream} (closest known layout: {layout}), but the header "
                f"lacks the required column(s) {', '.join(missing)}",
                file=export_file.name,
            )
        text = read_text_table(open_text, export_file.name, header, delimiter)
        decoding = [
            Issue(export_file.name, line, None, None, kind_, reason, "warning")
            for kind_, line, reason in encoding.warnings()
        ]
        parts.setdefault(kind.stream, []).append(text.table)
        issues.extend(decoding + text.issues)
        reports[export_file.name] = _report(export_file.name, text.table.num_rows, decoding + text.issues)
        files_info[export_file.name] = _file_info(kind.stream, layout, text.table, header, encoding.codec)
    if not any(stream in parts for stream in ASSESSMENT_STREAMS):
        raise ConnectorError(
            f"{path}: no MAP assessment results in this export (no file has the header of "
            "AssessmentResults.csv or ComboStudentAssessment.csv)",
            file=str(path),
        )
    streams = {
        stream: pa.concat_tables(tables, promote_options="default") for stream, tables in parts.items()
    }
    return Extract(streams, reports, issues, _summary(files_info, ignored))


def _summary(files_info: dict[str, dict[str, Any]], ignored: list[str]) -> dict[str, Any]:
    """Per file details, plus the keys every source reports: the layout(s) as ``version``, per-file
    ``layout``, and ``subject`` as a set (one MAP file holds every subject tested)."""
    tests = {name: info for name, info in files_info.items() if info["stream"] in ASSESSMENT_STREAMS}
    return {
        "version": ", ".join(sorted({f"{info['stream']} {info['layout']}" for info in tests.values()})),
        "layout": {name: info["layout"] for name, info in files_info.items()},
        "subject": sorted({subject for info in tests.values() for subject in info.get("subjects", [])}),
        "files": files_info,
        "ignored_files": ignored,
    }


def _report(name: str, kept: int, issues: list[Issue]) -> FileReport:
    rejected = sum(issue.severity == "reject" for issue in issues)
    report = FileReport(name, rows=kept + rejected, accepted=kept, rejected=rejected)
    for issue in issues:
        if issue.severity == "warning":
            report.warn(issue.kind)
    return report


def _file_info(stream: str, layout: str, table: pa.Table, header: list[str], encoding: str) -> dict[str, Any]:
    info: dict[str, Any] = {"stream": stream, "layout": layout, "encoding": encoding}
    unknown = [column for column in header if column not in KNOWN_COLUMNS and column not in PROVENANCE]
    if unknown:
        info["unknown_columns"] = unknown
    if "Subject" in table.column_names:
        info["subjects"] = sorted(pc.unique(table.column("Subject").drop_null()).to_pylist())
    return info
