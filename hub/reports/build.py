"""All of one district's alignment reports for one week, as data."""

from __future__ import annotations

from datetime import datetime

from hub.reports.dashboards import build_district_report, build_school_reports
from hub.reports.directory import directory
from hub.reports.inputs import ReportError, ReportInputs
from hub.reports.logged_not_placed import logged_not_placed_pairs, logged_since
from hub.reports.model import AlignmentReport
from hub.reports.teacher import build_teacher_reports
from hub.reports.tutor import build_tutor_reports


def build_reports(inputs: ReportInputs, generated_at: datetime) -> list[AlignmentReport]:
    """Teacher (per section), tutor, school and district reports, in that order.

    ``generated_at`` is passed in, never read from the clock, so the same inputs give the same bytes.
    """
    if generated_at.tzinfo is None:
        raise ReportError("generated_at must carry a time zone (e.g. datetime.now(timezone.utc))")
    names = directory(inputs, logged_since(inputs, logged_not_placed_pairs(inputs)))
    return [
        *build_teacher_reports(inputs, names, generated_at),
        *build_tutor_reports(inputs, names, generated_at),
        *build_school_reports(inputs, names, generated_at),
        build_district_report(inputs, names, generated_at),
    ]
