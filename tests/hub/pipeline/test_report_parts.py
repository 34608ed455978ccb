"""The reports built a part of the district at a time are the reports of the whole district at once: the same
reports, in the same order, each rendering the same bytes, however small the parts.

A demo district is run through the night's steps before the reports (module scope, on SQLite and on
PostgreSQL: the parts read in SQL what the whole district's reads filter in Arrow), then its
reports are built in parts of 5 students (many school and tutor parts) and of the whole district, and
compared with ``report_stream`` over the district's whole inputs (``report_inputs``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from hub.pipeline.evidence import stored_dosage
from hub.pipeline.night import through
from hub.pipeline.parts import SchoolPart, school_parts
from hub.pipeline.report_parts import (
    in_section_order,
    report_stream_in_parts,
    shared_inputs,
    trend_dosage,
    tutor_parts,
)
from hub.pipeline.report_reads import report_inputs
from hub.reports import report_stream
from hub.reports.dosage_view import dosage_section
from hub.reports.rendered import RENDERERS, render
from tests.hub.pipeline.demo_district import demo_district, opened

STUDENTS, SEED = 300, 3
GENERATED = datetime(2026, 5, 4, 7, 30, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def config(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo district's hub.yaml, its night run up to (not including) the reports."""
    steps = through("alignment_reports")[:-1]
    yield from demo_district(request.param, tmp_path_factory.mktemp("district"), STUDENTS, SEED, steps)


@pytest.fixture
def whole(config: Path) -> list[tuple[str, str, list[bytes]]]:
    """Every report of the district, built from its whole inputs at once, as each rendering's bytes."""
    run = opened(config)
    try:
        return rendered(report_stream(report_inputs(run), GENERATED))
    finally:
        run.close()


def rendered(reports: Iterator) -> list[tuple[str, str, list[bytes]]]:
    return [
        (report.kind, report.target, [made.body for made in render(report, tuple(RENDERERS))])
        for report in reports
    ]


@pytest.mark.parametrize("part_students", [5, 1_000_000])
def test_parts_give_the_whole_districts_reports(config: Path, whole: list, part_students: int) -> None:
    run = opened(config, part_students)
    try:
        in_parts = rendered(report_stream_in_parts(run, GENERATED))
        schools = school_parts(run.warehouse, run.district_id, part_students)
        tutors = tutor_parts(shared_inputs(run), part_students)
    finally:
        run.close()

    assert [report[:2] for report in in_parts] == [report[:2] for report in whole]  # the order
    assert in_parts == whole  # and every rendering's bytes
    assert {kind for kind, _, _ in whole} == {"teacher", "tutor", "school", "district"}
    if part_students == 5:  # the parts' way really taken: several parts of each kind
        assert len(schools) > 1 and len(tutors) > 1
    else:
        assert len(schools) == 1 and len(tutors) == 1


def test_schools_whose_sections_interleave_are_one_part() -> None:
    parts = [SchoolPart(("a",), 1), SchoolPart(("b",), 2), SchoolPart(("c",), 3), SchoolPart(("d",), 4)]
    sections = {"s1": "c", "s2": "c", "s3": "a", "s5": "a", "s4": "b", "s7": "d", "s6": "a"}

    ordered = in_section_order(parts, sections)

    # c's sections come first; a's (s3-s6) and b's (s4) interleave; d follows; every section's part kept
    assert [(part.schools, part.students) for part in ordered] == [(("c",), 3), (("a", "b"), 3), (("d",), 4)]


def test_parts_without_a_section_have_no_teacher_reports() -> None:
    parts = [SchoolPart(("a",), 1), SchoolPart((None,), 2)]
    assert in_section_order(parts, {"s1": "a"}) == [parts[0]]


@pytest.mark.parametrize("weeks_later", [0, 3, 30])
def test_the_dashboards_dosage_shows_what_the_stored_dosage_does(config: Path, weeks_later: int) -> None:
    """The trend's student weeks (``trend_dosage``) give every school's dosage section and the district's
    as the whole stored year does, also when the reported week is past every week logged."""
    run = opened(config)
    try:
        shared = shared_inputs(run)
        week = shared.week_start + timedelta(weeks=weeks_later)
        shared = dataclasses.replace(shared, week_start=week, pulse=None)
        trend = trend_dosage(run, shared).student_weeks
        year = stored_dosage(run).student_weeks
    finally:
        run.close()

    assert trend.num_rows < year.num_rows
    schools = year["school_source_id"].unique().to_pylist()
    sections = []
    for weeks in [lambda table: table, *(partial(of_school, school=school) for school in schools)]:
        shown = [dosage_section(weeks(table), shared.plan, week, 6, 5) for table in (trend, year)]
        assert shown[0] == shown[1]
        sections.append(shown[0])
    if weeks_later == 30:  # nothing logged in the trend: each dashboard still says so, not "no data yet"
        assert {section.empty for section in sections} == {"No sessions logged in these weeks yet."}


def of_school(table: pa.Table, school: str | None) -> pa.Table:
    column = table["school_source_id"]
    same = pc.is_null(column) if school is None else pc.equal(column, school)
    return table.filter(pc.fill_null(same, False))
