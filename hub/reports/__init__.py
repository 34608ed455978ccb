"""Alignment reports: built as data from one district's tables, then rendered to HTML, CSV and JSON.

inputs = ReportInputs(district_id, week_start, person=..., section=..., enrollment=..., school=...,
                      pulse=weekly_pulse(...), dosage=measure_dosage(...), impact=measure_impact(...),
                      impact_by_school=impact_by_school(...), tier_distribution=tier_distribution(...))
reports = build_reports(inputs, generated_at)          # AlignmentReport data, small cells suppressed
rendered = render_all(reports)                         # hub.connector.RenderedReport, HTML/CSV/JSON
write_reports(rendered, out_dir)                       # optional: files per kind
"""

from hub.reports.build import build_reports, report_stream
from hub.reports.figures import Figure
from hub.reports.inputs import ReportError, ReportInputs
from hub.reports.model import AlignmentReport, DataTable, Section, StudentFocus
from hub.reports.rendered import render, render_all
from hub.reports.slices import impact_by_school
from hub.reports.write import write_reports

__all__ = [
    "AlignmentReport",
    "DataTable",
    "Figure",
    "ReportError",
    "ReportInputs",
    "Section",
    "StudentFocus",
    "build_reports",
    "impact_by_school",
    "render",
    "render_all",
    "report_stream",
    "write_reports",
]
