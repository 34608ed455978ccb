"""``tutorhub validate``: read and check a vendor export without writing anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from hub.connector import SKIPPED_PREFIX, Issue, NormalizedBatch, SourceConnector
from hub.plugins import ConnectorRegistry

# The connector type names hub.yaml uses, and the short names people type for them.
KINDS = ("oneroster_csv", "iready", "nwea_map", "session_log", "progress_csv")
ALIASES = {
    "oneroster": "oneroster_csv",
    "map": "nwea_map",
    "sessions": "session_log",
    "progress": "progress_csv",
}


def _entities(batch: NormalizedBatch) -> dict[str, int]:
    counts: dict[str, int] = {}
    person = batch.tables.get("person")
    if person is not None:
        roles = {
            item["values"]: item["counts"] for item in pc.value_counts(person.column("role")).to_pylist()
        }
        counts["students"] = roles.get("student", 0)
        counts["teachers"] = roles.get("teacher", 0)
    for table, name in (
        ("section", "sections"),
        ("enrollment", "enrollments"),
        ("assessment_result", "results"),
        ("domain_result", "domain_results"),
        ("tutoring_session", "sessions"),
        ("session_attendance", "attendance"),
        ("progress_point", "progress_points"),
    ):
        if table in batch.tables:
            counts[name] = batch.tables[table].num_rows
    attendance = batch.tables.get("session_attendance")
    if attendance is not None and "mastery_percent" in attendance.column_names:
        # a session log's mastery checks are points kept on their attendance rows (hub.model.progress)
        counts["progress_points"] = len(attendance.column("mastery_percent").drop_null())
    school = batch.tables.get("school")
    if school is not None:
        counts["schools"] = pc.sum(pc.equal(school.column("org_type"), "school")).as_py() or 0
    return counts


def _layout_and_subject(info: dict[str, Any]) -> dict[str, Any]:
    """``layout`` and ``subject`` of the export: one value when every file agrees, else per file."""
    per_file = info.get("files", {})
    found: dict[str, Any] = {}
    for key in ("layout", "subject"):
        values = {
            name: meta[key] for name, meta in per_file.items() if isinstance(meta, dict) and key in meta
        }
        if not values and key in info:
            found[key] = info[key]
        elif values:
            distinct = sorted(set(map(str, values.values())))
            found[key] = distinct[0] if len(distinct) == 1 else values
    return found


def validate(
    registry: ConnectorRegistry, kind: str, path: Path
) -> tuple[dict[str, Any], NormalizedBatch | None]:
    """The validation summary as a JSON-able dict (see the README for the keys), and the normalized batch."""
    info = registry.get(ALIASES.get(kind, kind))
    cls: type[SourceConnector] = info.cls  # type: ignore[assignment]
    source = cls(cls.config_model.model_validate({"path": path}, context={"base_dir": Path.cwd()}))
    extract = source.read(None)
    summary: dict[str, Any] = {
        "connector": info.name,
        "importable": extract.importable,
        "version": str(extract.info.get("version", "")),
        "files": {
            name: {
                "rows": report.rows,
                "accepted": report.accepted,
                "rejected": report.rejected,
                "warnings": sum(report.warnings.values()),
                "warnings_by_kind": dict(report.warnings),
                **({"fatal": report.fatal} if report.fatal else {}),
            }
            for name, report in extract.files.items()
        },
        "entities": {},
    }
    summary.update(_layout_and_subject(extract.info))
    if not summary["version"] and isinstance(summary.get("layout"), str):
        summary["version"] = summary["layout"]  # one name for what the export is, in text and JSON alike
    batch = source.normalize(extract) if extract.importable else None
    issues = [*extract.issues, *(batch.issues if batch is not None else [])]
    if batch is not None:
        summary["entities"] = _entities(batch)
        for issue in batch.issues:  # rows a connector could only judge while normalizing
            report = summary["files"].get(issue.file)
            if report is not None:
                _count(report, issue)
    summary["rejects"] = [
        {"file": i.file, "line": i.line, "column": i.column, "kind": i.kind, "reason": i.reason}
        for i in issues
        if i.severity == "reject"
    ][:50]
    return summary, batch


def _count(report: dict[str, Any], issue: Issue) -> None:
    """A reject or a skip found while normalizing moves its rows out of ``accepted``."""
    if issue.severity == "reject":
        moved = "rejected"
    elif issue.kind.startswith(SKIPPED_PREFIX):
        moved = "skipped"
        report.setdefault("skipped_why", []).append(issue.reason)
    else:
        report["warnings"] += 1
        report["warnings_by_kind"][issue.kind] = report["warnings_by_kind"].get(issue.kind, 0) + 1
        return
    report[moved] = report.get(moved, 0) + issue.rows
    report["accepted"] = max(report["accepted"] - issue.rows, 0)


def file_error(kind: str, path: Path, error: Exception) -> dict[str, Any]:
    """The summary of an export that could not be read at all: the same keys, and ``error``."""
    return {
        "connector": ALIASES.get(kind, kind),
        "importable": False,
        "version": "",
        "files": {},
        "entities": {},
        "rejects": [],
        "error": str(error),
        "path": str(path),
    }


def apply_match_gate(summary: dict[str, Any], match_rate: dict[str, Any]) -> None:
    """With a district, the match gate decides, as it will in `sync`: a refused file is not importable."""
    summary["match_rate"] = match_rate
    refused = [name for name, report in match_rate["files"].items() if not report["loads"]]
    if refused:
        summary["importable"] = False
        summary["refused_by_match_rate"] = refused


def render_text(summary: dict[str, Any]) -> str:
    if "error" in summary:
        return f"{summary['connector']} export {summary['path']}\n  ERROR: {summary['error']}\nimportable: NO"
    described = ", ".join(
        f"{key} {_shown(summary[key])}" for key in ("version", "subject") if summary.get(key)
    )
    lines = [f"{summary['connector']} export, {described or 'version unknown'}"]
    for name, report in summary["files"].items():
        line = (
            f"  {name}: {report['rows']} rows, {report['accepted']} accepted, {report['rejected']} rejected"
        )
        if report.get("skipped"):
            line += f", {report['skipped']} skipped ({'; '.join(report['skipped_why'])})"
        if report["warnings_by_kind"]:
            kinds = ", ".join(
                f"{kind} x{count}" for kind, count in sorted(report["warnings_by_kind"].items())
            )
            line += f"; warnings: {kinds}"
        lines.append(line)
        if "fatal" in report:
            lines.append(f"    FATAL: {report['fatal']}")
    if summary["entities"]:
        lines.append("  entities: " + ", ".join(f"{k} {v}" for k, v in summary["entities"].items()))
    if summary["rejects"]:
        lines.append("  first rejects:")
        for reject in summary["rejects"][:10]:
            where = f"{reject['file']}:{reject['line']}" + (
                f" [{reject['column']}]" if reject["column"] else ""
            )
            lines.append(f"    {where}: {reject['reason']}")
    lines += _match_lines(summary.get("match_rate"))
    if summary["importable"]:
        lines.append("importable: yes")
    elif summary.get("refused_by_match_rate"):
        lines.append("importable: NO (below the district's minimum match rate; sync would refuse it)")
    else:
        lines.append("importable: NO (fix the fatal errors above)")
    return "\n".join(lines)


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{name}: {item}" for name, item in value.items())
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _match_lines(match_rate: dict[str, Any] | None) -> list[str]:
    if match_rate is None:
        return []
    lines = [f"  match rate: {match_rate['rate']:.1%} (minimum {match_rate['minimum']:.1%})"]
    for name, report in match_rate["files"].items():
        verdict = "loads" if report["loads"] else "REFUSED"
        line = f"    {name}: {report['rate']:.1%}, {report['unmatched']} unmatched: {verdict}"
        if report["first_unmatched_ids"]:
            line += f"; first unmatched vendor ids: {', '.join(report['first_unmatched_ids'])}"
        lines.append(line)
    return lines
