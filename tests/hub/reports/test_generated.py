"""A report says when it was generated and, apart, what date its data is as of; the stamp alone never
makes the push ledger send a report again."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from connectors.files import FilesConfig, FilesDestination
from hub.connector import PushOutcome
from hub.push import content_hash, push_reports
from hub.reports import ReportInputs, build_reports, render_all
from hub.warehouse import Warehouse

MORNING = datetime(2026, 1, 17, 6, 0, 5, tzinfo=UTC)
EVENING = datetime(2026, 1, 18, 21, 42, 31, tzinfo=UTC)


def test_every_rendering_states_the_generated_time_and_the_data_date_apart(small: ReportInputs) -> None:
    inputs = replace(small, data_as_of=date(2026, 1, 16))
    rendered = render_all(build_reports(inputs, EVENING))
    for report in rendered:
        assert report.volatile == ("2026-01-18T21:42:31+00:00", "2026-01-18 21:42 UTC")
        if report.content_type == "text/html":
            page = report.body.decode()
            assert "Data as of 2026-01-16" in page
            assert '<time datetime="2026-01-18T21:42:31+00:00">2026-01-18 21:42 UTC</time>' in page
        if report.content_type == "application/json":
            document = json.loads(report.body)
            assert document["data_as_of"] == "2026-01-16"
            assert document["generated_at"] == "2026-01-18T21:42:31+00:00"
    without = render_all(build_reports(small, EVENING))
    assert b"Data as of 2026-01-18" in without[0].body  # no as-of date given: the reported week's end


def test_a_report_generated_again_with_the_same_data_hashes_the_same(small: ReportInputs) -> None:
    first = render_all(build_reports(small, MORNING))
    again = render_all(build_reports(small, EVENING))
    assert all(a.body != b.body for a, b in zip(first, again, strict=True) if a.content_type != "text/csv")
    assert [content_hash(r) for r in first] == [content_hash(r) for r in again]
    changed = render_all(build_reports(replace(small, data_as_of=date(2026, 1, 16)), EVENING))
    assert content_hash(changed[0]) != content_hash(first[0])  # the data's date is content


def test_an_unchanged_report_is_not_pushed_again_the_next_night(
    small: ReportInputs, warehouse: Warehouse, tmp_path: Path
) -> None:
    files = FilesDestination(FilesConfig(district_id="d1", directory=tmp_path / "drop"))
    first = push_reports(warehouse, "d1", "files", files, render_all(build_reports(small, MORNING)))
    assert {record.outcome for record in first} == {PushOutcome.CREATED}
    page = tmp_path / "drop"
    before = {path: path.read_bytes() for path in page.rglob("*") if path.is_file()}
    again = push_reports(warehouse, "d1", "files", files, render_all(build_reports(small, EVENING)))
    assert {record.outcome for record in again} == {PushOutcome.UNCHANGED}
    assert {path: path.read_bytes() for path in page.rglob("*") if path.is_file()} == before
    moved = replace(small, data_as_of=date(2026, 1, 16))
    third = push_reports(warehouse, "d1", "files", files, render_all(build_reports(moved, EVENING)))
    outcomes = {(record.content_type, record.outcome) for record in third}
    assert outcomes == {  # the CSV is the main table alone, which the data's date does not change
        ("text/html", PushOutcome.UPDATED),
        ("application/json", PushOutcome.UPDATED),
        ("text/csv", PushOutcome.UNCHANGED),
    }
