"""Rendering: self-contained, well-formed HTML with accessible charts; CSV; JSON; same input, same bytes."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pyarrow.compute as pc
import pytest

from hub.reports import (
    AlignmentReport,
    DataTable,
    Figure,
    ReportError,
    ReportInputs,
    Section,
    build_reports,
    render,
    render_all,
    write_reports,
)
from hub.reports.charts import ProgressChart
from hub.reports.model import Column, Note

VOID = {"meta", "br", "img", "input", "hr", "link", "col", "wbr", "source", "area", "base"}
SVG_LEAVES = {"rect", "line", "path", "circle"}


class PageCheck(HTMLParser):
    """Records nesting errors, every URL-bearing attribute, and each chart's accessible parts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.urls: list[str] = []
        self.svgs: list[dict] = []
        self.figures: list[dict] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.urls += [value or "" for name, value in attrs if name in ("src", "href", "xlink:href", "action")]
        if tag == "figure":
            self.figures.append({"svg": 0, "details_table": 0})
        if tag == "svg":
            self.svgs.append({"role": values.get("role"), "title": "", "desc": False})
            if self.figures:
                self.figures[-1]["svg"] += 1
        if tag == "title" and "svg" in self.stack:
            self.in_title = True
        if tag == "desc" and self.svgs:
            self.svgs[-1]["desc"] = True
        if tag == "table" and "details" in self.stack and self.figures:
            self.figures[-1]["details_table"] += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value or "" for name, value in attrs if name in ("src", "href")]

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            return
        self.stack.pop()
        if tag == "title":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title and self.svgs:
            self.svgs[-1]["title"] += data


def checked(body: bytes) -> PageCheck:
    page = PageCheck()
    page.feed(body.decode("utf-8"))
    page.close()
    return page


def html_of(report: AlignmentReport) -> bytes:
    return render(report, ["text/html"])[0].body


def test_every_page_is_well_formed_and_self_contained(large_reports: list[AlignmentReport]) -> None:
    for report in large_reports:
        body = html_of(report)
        page = checked(body)
        assert page.errors == [], (report.kind, report.target, page.errors[:3])
        assert page.stack == [], (report.kind, page.stack)
        assert all(url.startswith("#") for url in page.urls), page.urls
        text = body.decode()
        assert "http://" not in text and "https://" not in text and "<script" not in text
        assert "@import" not in text and "@font-face" not in text
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text


def test_every_chart_is_an_image_with_a_title_and_a_table_beside_it(
    large_reports: list[AlignmentReport],
) -> None:
    school = next(r for r in large_reports if r.kind == "school")
    page = checked(html_of(school))
    charts = sum(len(section.charts) for section in school.sections)
    assert charts >= 6 and len(page.svgs) == charts
    assert all(svg["role"] == "img" and svg["title"].strip() and svg["desc"] for svg in page.svgs)
    assert page.figures and all(figure == {"svg": 1, "details_table": 1} for figure in page.figures)


def test_names_and_notes_are_escaped_as_text(small: ReportInputs) -> None:
    person = small.person
    given = pc.if_else(pc.equal(person["source_id"], "stu-01"), '<b>Ana</b> & "Co"', person["given_name"])
    hostile = replace(
        small, person=person.set_column(person.schema.get_field_index("given_name"), "given_name", given)
    )
    teacher = next(
        r for r in build_reports(hostile, datetime(2026, 1, 17, tzinfo=UTC)) if r.kind == "teacher"
    )
    body = html_of(teacher).decode()
    assert "<b>Ana</b>" not in body
    assert "&lt;b&gt;Ana&lt;/b&gt; &amp; &#34;Co&#34; Test" in body
    assert checked(html_of(teacher)).errors == []


def test_the_csv_is_the_main_table_with_a_value_and_an_n_per_figure(
    small_reports: list[AlignmentReport],
) -> None:
    school = next(r for r in small_reports if r.kind == "school")
    rows = list(csv.reader(io.StringIO(render(school, ["text/csv"])[0].body.decode("utf-8-sig"))))
    assert rows[0] == [
        "Subject", "Grade", "Tier 1 (75-85 %) (%)", "Tier 1 (75-85 %) n", "Tier 2 (10-15 %) (%)",
        "Tier 2 (10-15 %) n", "Tier 3 (3-5 %) (%)", "Tier 3 (3-5 %) n", "Inverted pyramid",
    ]  # fmt: skip
    hidden = ["suppressed (n < 10)", "suppressed"]  # 6, 4 and 2 of the 12 students
    assert rows[1] == ["ELA", "All grades", *hidden, *hidden, *hidden, "inverted"]
    teacher = next(r for r in small_reports if r.kind == "teacher")
    students = list(csv.DictReader(io.StringIO(render(teacher, ["text/csv"])[0].body.decode("utf-8-sig"))))
    assert [row["Student"] for row in students][:2] == ["Ana Test", "Ben Test"]
    assert students[0]["In tutoring since"] == "2026-01-05"


def test_suppressed_figures_say_so_in_both_csv_columns(small_reports: list[AlignmentReport]) -> None:
    district = next(r for r in small_reports if r.kind == "district")
    rows = list(csv.DictReader(io.StringIO(render(district, ["text/csv"])[0].body.decode("utf-8-sig"))))
    assert rows[0]["Tutored this week"] == "suppressed (n < 10)"
    assert rows[0]["Tutored this week n"] == "suppressed"


def test_json_round_trips_with_iso_dates_and_stable_keys(small_reports: list[AlignmentReport]) -> None:
    for report in small_reports:
        body = render(report, ["application/json"])[0].body
        document = json.loads(body)
        assert (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode() == body
        assert list(document)[:4] == ["kind", "target", "title", "audience"]
        assert document["generated_at"] == "2026-01-17T06:00:00+00:00"
        assert document["period_start"] == "2026-01-12" and document["period_end"] == "2026-01-18"
        assert [section["key"] for section in document["sections"]] == [s.key for s in report.sections]
    school = json.loads(
        render(next(r for r in small_reports if r.kind == "school"), ["application/json"])[0].body
    )
    chart = school["sections"][0]["charts"][0]
    assert (
        chart["type"] == "BarChart"
        and chart["groups"][0]["bars"][0]["figure"]["text"] == "suppressed (n < 10)"
    )


def test_the_same_inputs_give_the_same_bytes(build_district, generated_at: datetime) -> None:  # type: ignore[no-untyped-def]
    first = render_all(build_reports(build_district(), generated_at))
    second = render_all(build_reports(build_district(), generated_at))
    assert [(r.kind, r.target, r.content_type, r.body, r.summary) for r in first] == [
        (r.kind, r.target, r.content_type, r.body, r.summary) for r in second
    ]


def test_generated_at_needs_a_time_zone(small: ReportInputs) -> None:
    with pytest.raises(ReportError, match="must carry a time zone"):
        build_reports(small, datetime(2026, 1, 17))


def test_reports_are_written_per_kind_with_safe_file_names(
    small_reports: list[AlignmentReport], tmp_path: Path
) -> None:
    odd = replace(small_reports[0], target="sec/../ela:1")
    paths = write_reports(render_all([*small_reports, odd]), tmp_path)
    names = sorted(str(path.relative_to(tmp_path)) for path in paths)
    assert "school/sch-1.html" in names and "district/d-1.json" in names and "teacher/sec-ela.csv" in names
    strange = [name for name in names if name.startswith("teacher/sec_ela_1-")]
    assert len(strange) == 3 and all(Path(tmp_path, name).parent == tmp_path / "teacher" for name in strange)
    assert not list(tmp_path.rglob("*.partial"))
    assert (tmp_path / "teacher" / "sec-ela.html").read_bytes() == html_of(small_reports[0])


def test_json_is_what_the_standard_encoder_writes_for_any_text_and_number(
    small_reports: list[AlignmentReport],
) -> None:
    odd = 'quote " back\\slash\nnew line\ttab \x01 control, é ü 漢 \u2028 </script>'
    report = replace(
        small_reports[0],
        title=odd,
        sections=(
            Section(
                "odd", odd, DataTable((Column("a", odd),), ((-0.5,), (10**20,), (True,), (odd,))), (), ()
            ),
            Section("empty", "Empty", DataTable((), ()), notes=(Note(odd, "warning"),)),
        ),
    )
    body = render(report, ["application/json"])[0].body
    document = json.loads(body)
    assert (json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode() == body
    assert document["title"] == odd and document["sections"][0]["table"]["rows"] == [
        [-0.5],
        [10**20],
        [True],
        [odd],
    ]
    assert (
        document["sections"][1]["table"] == {"columns": [], "rows": []}
        and document["sections"][1]["charts"] == []
    )
    broken = replace(
        report,
        sections=(Section("nan", "NaN", DataTable((Column("f", "F"),), ((Figure(float("nan"), 12),),))),),
    )
    with pytest.raises(ValueError, match="not JSON compliant"):
        render(broken, ["application/json"])


def test_a_charts_points_are_what_the_standard_encoder_writes(small_reports: list[AlignmentReport]) -> None:
    points = ((date(2026, 1, 12), 50.0), (date(2026, 1, 14), None), (date(2026, 1, 16), -0.5))
    chart = ProgressChart(
        "Ana: mastery checks", "3 points", "% correct", (date(2026, 1, 5), 40.0), (date(2026, 2, 15), 80.0),
        points, (1.5, 70.0),  # type: ignore[arg-type]
    )  # fmt: skip
    report = replace(small_reports[0], sections=(Section("progress", "Progress", charts=(chart,)),))
    body = render(report, ["application/json"])[0].body
    document = json.loads(body)
    assert (json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode() == body
    assert document["sections"][0]["charts"][0]["points"] == [
        ["2026-01-12", 50.0],
        ["2026-01-14", None],
        ["2026-01-16", -0.5],
    ]
    broken = replace(chart, points=((date(2026, 1, 12), float("inf")),))
    with pytest.raises(ValueError, match="not JSON compliant"):
        render(
            replace(report, sections=(Section("progress", "Progress", charts=(broken,)),)),
            ["application/json"],
        )
