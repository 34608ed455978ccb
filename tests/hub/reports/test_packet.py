"""The review meeting packet built from the hand-built report district (tests/hub/reports/conftest.py)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date

from hub.reports import ReportInputs, render
from hub.reports.directory import directory
from hub.reports.packet import build_review_packets
from tests.hub.reports.conftest import ENTRY, GENERATED_AT, GIVEN, SCHOOL
from tests.hub.reports.test_dashboards import texts

BOUNDARY = date(2026, 2, 16)  # every member entered on ENTRY and none has left


def packet(inputs: ReportInputs):  # type: ignore[no-untyped-def]
    [built] = build_review_packets(inputs, directory(inputs, {}), GENERATED_AT, BOUNDARY, ENTRY)
    return built


def test_the_pyramid_is_the_school_dashboards_own_small_cells_and_all(
    small: ReportInputs, small_reports: list
) -> None:
    built = packet(small)
    dashboard = next(r for r in small_reports if r.kind == "school" and r.target == SCHOOL)
    assert texts(built, "pyramid") == texts(dashboard, "pyramid")
    # the 12-student school: every share rests on fewer than 10 students and is suppressed
    assert all(row[2].startswith("suppressed") for row in texts(built, "pyramid"))


def test_every_member_continues_and_the_csv_names_them(small: ReportInputs) -> None:
    built = packet(small)
    assert (built.kind, built.target, built.school_source_id) == (
        "review_packet",
        f"{SCHOOL}:2026-02-16",
        SCHOOL,
    )
    assert (built.period_start, built.period_end) == (ENTRY, date(2026, 2, 15))
    [body] = (r.body for r in render(built, ["text/csv"]))
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    memberships = small.group_membership
    assert len(rows) == memberships.num_rows == 10  # six in ELA, four in math
    assert {row["Decision"] for row in rows} == {"continue"}
    assert {row["Student"].split()[0] for row in rows} <= set(GIVEN)
    assert {row["Progress points and signal"] for row in rows} == {"no progress points"}
    assert {row["Dosage received"].rsplit(", since ", 1)[1] for row in rows} == {ENTRY.isoformat()}


def test_no_packet_before_tutoring(small: ReportInputs) -> None:
    assert (
        build_review_packets(
            replace(small, tutoring_group=None), directory(small, {}), GENERATED_AT, BOUNDARY, ENTRY
        )
        == []
    )
    # a boundary before anyone entered: nobody decided and no group changed, so no packet
    early = build_review_packets(small, directory(small, {}), GENERATED_AT, date(2025, 11, 10), ENTRY)
    assert early == []


def test_the_packet_renders_as_html_for_staff(small: ReportInputs) -> None:
    [html] = (r.body.decode() for r in render(packet(small), ["text/html"]))
    assert '<p class="kicker">Review meeting packet</p>' in html
    assert "cycle of 2026-01-05 to 2026-02-15" in html
    assert "This packet names students" in html
