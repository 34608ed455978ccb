"""The demo district's reports against its warehouse: what each report says is what the hub decided.

One `tutorhub demo` run (600 students) feeds every test here: no None or NaN anywhere, every student
"in tutoring" has an open membership that week with the date shown, each tutor group's count is the
students it lists, no table is cut off in a browser, and no small count can be worked out from any figure
of a school or district report.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from hub.reports import impact_view
from hub.warehouse import Warehouse
from tests.e2e.demo_run import run_demo
from tests.e2e.disclosure import derivable_across_reports, derivable_small_counts
from tests.hub.reports.test_chromium import WIDTHS, cut_off

DISTRICT = "demo"
MIN_N = 10
ABSENT = re.compile(r"\b(None|nan|NaN)\b")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's data folder for the district (reports and warehouse), after one whole night."""
    directory = tmp_path_factory.mktemp("demo-reports") / "demo"
    finished = run_demo(directory)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    return directory / "data" / DISTRICT


def documents(demo: Path, kind: str) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted((demo / "reports" / kind).glob("*.json"))]


def rows(document: dict, section: str) -> list[dict]:
    """A section's table rows as {column key: cell text}."""
    [found] = [s for s in document["sections"] if s["key"] == section]
    if not found["table"]:
        return []
    keys = [column["key"] for column in found["table"]["columns"]]
    return [
        dict(zip(keys, [c["text"] if isinstance(c, dict) else c for c in row], strict=True))
        for row in found["table"]["rows"]
    ]


@pytest.mark.slow
def test_no_report_shows_none_nan_or_a_bare_blank(demo: Path) -> None:
    found = []
    for path in sorted((demo / "reports").rglob("*")):
        if path.suffix == ".html":
            texts = re.findall(r">([^<]*)<", path.read_text(encoding="utf-8"))
            found += [(path.name, text) for text in texts if ABSENT.search(text)]
            found += [(path.name, "empty cell") for _ in re.findall(r"<td[^>]*></td>", path.read_text())]
        elif path.suffix == ".csv":
            table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
            found += [
                (path.name, cell)
                for row in table[1:]
                for cell in row
                if not cell.strip() or ABSENT.search(cell)
            ]
        elif path.suffix == ".json":
            for document_row in _all_cells(json.loads(path.read_text())):
                if document_row is None or (
                    isinstance(document_row, str)
                    and (not document_row.strip() or ABSENT.search(document_row))
                ):
                    found.append((path.name, repr(document_row)))
    assert found == []


def _all_cells(document: dict) -> list[object]:
    cells = []
    for section in document["sections"]:
        for row in (section["table"] or {"rows": []})["rows"]:
            cells += [cell["text"] if isinstance(cell, dict) else cell for cell in row]
    return cells


def _week(demo: Path) -> tuple[date, date]:
    [district] = documents(demo, "district")
    start = date.fromisoformat(district["period_start"])
    return start, start + timedelta(days=6)


def _open_memberships(demo: Path) -> list[dict]:
    start, end = _week(demo)
    warehouse = Warehouse(f"sqlite:///{demo / 'warehouse.db'}")
    try:
        memberships = warehouse.read("group_membership", DISTRICT)
    finally:
        warehouse.dispose()
    open_then = pc.and_(
        pc.less_equal(memberships["entry_date"], end),
        pc.fill_null(pc.greater(memberships["exit_date"], start), True),
    )
    return memberships.filter(open_then).to_pylist()


@pytest.mark.slow
def test_every_student_in_tutoring_has_an_open_membership_that_week_with_its_entry_date(demo: Path) -> None:
    entries = defaultdict(set)
    for row in _open_memberships(demo):
        entries[row["person_source_id"]].add(row["tutored_since"] or row["entry_date"])
    rendered = pq.read_table(demo / "reports" / "rendered.parquet").to_pylist()
    statuses = [
        student
        for row in rendered
        if row["kind"] == "teacher" and row["content_type"] == "application/json"
        for student in json.loads(row["summary"])["students"]
    ]
    in_tutoring = [student for student in statuses if student["status"].startswith("Tutoring since")]
    assert in_tutoring, "the demo's reported week has students in tutoring"
    for student in in_tutoring:
        since = date.fromisoformat(student["status"].removeprefix("Tutoring since ")[:10])
        assert since in entries[student["student"]], student
    unplaced = [student for student in statuses if student["status"].startswith("Not in tutoring")]
    assert all("logged but not placed since 20" in student["status"] for student in unplaced)
    for document in documents(demo, "teacher"):
        for row in rows(document, "in_tutoring"):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["since"]), row


@pytest.mark.slow
def test_each_tutor_group_counts_the_students_it_lists(demo: Path) -> None:
    listed_total = 0
    for document in documents(demo, "tutor"):
        listed: dict[str, int] = {}
        for row in rows(document, "students"):
            listed[row["group"]] = listed.get(row["group"], 0) + 1
        counts = {row["group"]: int(row["students"]) for row in rows(document, "groups")}
        assert counts == listed, document["target"]
        listed_total += sum(listed.values())
    warehouse = Warehouse(f"sqlite:///{demo / 'warehouse.db'}")
    try:
        groups = warehouse.read("tutoring_group", DISTRICT)
    finally:
        warehouse.dispose()
    tutored = set(groups.filter(pc.is_valid(groups["tutor_person_source_id"]))["source_id"].to_pylist())
    members = [row for row in _open_memberships(demo) if row["group_source_id"] in tutored]
    assert listed_total == len(members) > 0  # every member of a tutor's group, each once


@pytest.mark.slow
def test_no_figure_of_a_school_or_district_report_gives_a_small_count_away(demo: Path) -> None:
    leaks = [
        (document["kind"], document["target"], leak)
        for kind in ("school", "district")
        for document in documents(demo, kind)
        for leak in derivable_small_counts(document, MIN_N)
    ]
    assert leaks == []
    [district] = documents(demo, "district")
    assert derivable_across_reports(district, documents(demo, "school"), MIN_N) == []


@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
def test_no_demo_table_is_cut_off(demo: Path, width: int, tmp_path: Path) -> None:
    for kind in ("teacher", "tutor", "school", "district"):
        pages = sorted((demo / "reports" / kind).glob("*.html"), key=lambda p: -p.stat().st_size)
        page = tmp_path / f"{kind}.html"
        page.write_bytes(pages[0].read_bytes())  # the longest page of its kind
        measured = cut_off(page, width, tmp_path / "profile")
        assert measured["width"] == width and measured["cut"] == [], (kind, measured)


@pytest.mark.slow
def test_the_district_growth_is_what_the_impact_step_stored(demo: Path) -> None:
    """Delivery reads the impact step's stored school-year figures (analytics/impact), not its own copy."""
    stored = pq.read_table(demo / "analytics" / "impact" / "comparison.parquet").to_pylist()
    year = [row for row in stored if not row["period"].startswith("cycle")]
    assert year and len(year) < len(stored)  # the step stored cycles too; the report shows the year
    figures = {impact_view.test_label(row): (round(row["mean_growth"], 1), row["n"]) for row in year}
    expected = {label: figure if figure[1] >= MIN_N else (None, None) for label, figure in figures.items()}
    [district] = documents(demo, "district")
    [growth] = [section for section in district["sections"] if section["key"] == "growth"]
    shown = {row[0]: (row[1]["value"], row[1]["n"]) for row in growth["table"]["rows"]}
    assert shown == expected
