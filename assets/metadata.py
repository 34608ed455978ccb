"""Turning stage summaries into the metadata operators read in the Dagster UI."""

import dagster as dg

from hub.pipeline.sources import ApplySummary, ExtractSummary


def extract_metadata(summaries: list[ExtractSummary]) -> dict[str, dg.MetadataValue]:
    lines = ["| source | file | rows | accepted | rejected | warnings |", "|---|---|---:|---:|---:|---:|"]
    for summary in summaries:
        for name, report in summary.files.items():
            warnings = ", ".join(f"{kind} {count}" for kind, count in sorted(report.warnings.items()))
            fatal = f" **FATAL: {report.fatal}**" if report.fatal else ""
            lines.append(
                f"| {summary.connector} | {name}{fatal} | {report.rows} | {report.accepted} | "
                f"{report.rejected} | {warnings} |"
            )
    return {
        "dagster/row_count": dg.MetadataValue.int(sum(s.rows for s in summaries)),
        "rejected_rows": dg.MetadataValue.int(sum(s.rejected for s in summaries)),
        "validation": dg.MetadataValue.md("\n".join(lines)),
        "raw_extracts": dg.MetadataValue.json({s.connector: str(s.raw_dir) for s in summaries}),
    }


def apply_metadata(summaries: list[ApplySummary]) -> dict[str, dg.MetadataValue]:
    lines = [
        "| source | table | rows | inserted | updated | removed | unchanged |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    total = 0
    for summary in summaries:
        for table, change in summary.changes.items():
            total += change.rows
            lines.append(
                f"| {summary.connector} | {table} | {change.rows} | {change.inserted} | {change.updated} | "
                f"{change.deleted} | {'yes' if change.skipped_unchanged else ''} |"
            )
    return {
        "dagster/row_count": dg.MetadataValue.int(total),
        "rejects": dg.MetadataValue.int(sum(s.rejects for s in summaries)),
        "warnings": dg.MetadataValue.int(sum(s.warnings for s in summaries)),
        "changes": dg.MetadataValue.md("\n".join(lines)),
        "sync_runs": dg.MetadataValue.json({s.connector: s.run_id for s in summaries}),
    }
