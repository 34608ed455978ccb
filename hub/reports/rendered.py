"""Reports rendered for the destinations: each report as HTML, CSV and JSON ``RenderedReport``s.

The teacher report's ``summary`` carries one short status per student (the shape hub.push reads), which
Canvas shows in a "Tutoring focus" gradebook column and a OneRoster gradebook stores as a result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from hub.connector import RenderedReport, ReportSummary, StudentSummary
from hub.reports.model import AlignmentReport, generated_stamps
from hub.reports.render_csv import render_csv
from hub.reports.render_html import render_html
from hub.reports.render_json import render_json

JSON = "application/json"
RENDERERS: dict[str, Callable[[AlignmentReport], bytes]] = {
    "text/html": render_html,
    "text/csv": render_csv,
    JSON: render_json,
}
EXTENSIONS = {"text/html": "html", "text/csv": "csv", "application/json": "json"}


def summary(report: AlignmentReport) -> ReportSummary:
    found = ReportSummary(
        period_start=report.period_start.isoformat(), period_end=report.period_end.isoformat()
    )
    if report.school_source_id:
        found["school"] = report.school_source_id
    if report.kind == "teacher":
        found["students"] = [
            StudentSummary(student=focus.student, status=focus.status, skills=list(focus.skills))
            for focus in report.students
        ]
    return found


def render(
    report: AlignmentReport,
    content_types: Sequence[str] = tuple(RENDERERS),
    made: Mapping[str, bytes] | None = None,
) -> list[RenderedReport]:
    """``report`` in each of ``content_types``; ``made``: bodies already rendered, by content type."""
    made = made or {}
    unknown = [content_type for content_type in content_types if content_type not in RENDERERS]
    if unknown:
        raise ValueError(f"no renderer for {', '.join(unknown)}; known: {', '.join(RENDERERS)}")
    details = summary(report)
    return [
        RenderedReport(
            report.kind,
            report.target,
            report.title,
            content_type,
            made[content_type] if content_type in made else RENDERERS[content_type](report),
            details,
            generated_stamps(report),
        )
        for content_type in content_types
    ]


def render_all(
    reports: Iterable[AlignmentReport], content_types: Sequence[str] = tuple(RENDERERS)
) -> list[RenderedReport]:
    return [rendered for report in reports for rendered in render(report, content_types)]
