"""Turning stage summaries into the metadata operators read in the Dagster UI."""

import dagster as dg
import pyarrow as pa

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


def markdown_table(table: pa.Table, limit: int = 40) -> str:
    """The first ``limit`` rows of ``table`` as a Markdown table for the UI."""
    if table.num_rows == 0:
        return "(no rows)"
    names = table.column_names
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    for row in table.slice(0, limit).to_pylist():
        cells = [
            f"{value:.2f}" if isinstance(value, float) else ("" if value is None else str(value))
            for value in row.values()
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def pyramid_markdown(distribution: pa.Table) -> str:
    """The tier pyramid per school, grade, subject and window, as the tiers asset shows it."""
    lines = [
        "| school | grade | subject | window | n | Tier 1 | Tier 2 | Tier 3 | inverted |",
        "|---|---|---|---|---:|---:|---:|---:|---|",
    ]
    for row in distribution.to_pylist():
        shares = " | ".join(f"{row[f'tier{level}_percent']:.0f} %" for level in (1, 2, 3))
        where = f"{row['school_source_id']} | {row['grade']} | {row['subject']} | {row['window']}"
        flag = "yes" if row["inverted_pyramid"] else ""
        lines.append(f"| {where} | {row['students']} | {shares} | {flag} |")
    return "\n".join(lines)
