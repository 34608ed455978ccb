"""All of one district's alignment reports for one week, as data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from hub.reports.dashboards import build_district_report, build_school_reports
from hub.reports.directory import directory
from hub.reports.inputs import ReportError, ReportInputs
from hub.reports.logged_not_placed import logged_not_placed_pairs, logged_since
from hub.reports.model import AlignmentReport
from hub.reports.progress_view import progress_book
from hub.reports.teacher import teacher_reports
from hub.reports.tutor import tutor_reports


def build_reports(inputs: ReportInputs, generated_at: datetime) -> list[AlignmentReport]:
    """Teacher (per section), tutor, school and district reports, in that order.

    ``generated_at`` is passed in, never read from the clock, so the same inputs give the same bytes.
    """
    return list(report_stream(inputs, generated_at))


def report_stream(inputs: ReportInputs, generated_at: datetime) -> Iterator[AlignmentReport]:
    """``build_reports`` one report at a time, each built when it is asked for: the night renders and
    writes them in parts, so that a district's reports are never all held at once."""
    if generated_at.tzinfo is None:
        raise ReportError("generated_at must carry a time zone (e.g. datetime.now(timezone.utc))")
    names = directory(inputs, logged_since(inputs, logged_not_placed_pairs(inputs)))
    book = progress_book(inputs.progress_goal, inputs.progress_point)  # the teachers' and the tutors'
    yield from teacher_reports(inputs, names, book, generated_at)
    yield from tutor_reports(inputs, names, book, generated_at)
    yield from build_school_reports(inputs, names, generated_at)
    yield build_district_report(inputs, names, generated_at)
