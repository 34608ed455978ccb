"""A report as one self-contained HTML page: inline CSS, inline SVG charts, no script, no external asset.

Templates live in ``templates/`` and are rendered with autoescaping on: student names, tutors' next steps
and notes are data, never markup. Each chart is followed by a <details> table of the same numbers, its
text alternative for screen readers and for anyone who wants the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from hub.reports.charts import Chart
from hub.reports.figures import Figure
from hub.reports.model import AlignmentReport, Cell, DataTable, generated_stamps
from hub.reports.svg import draw

KIND_LABELS = {
    "teacher": "Weekly pulse for the class",
    "tutor": "Weekly plan for the tutor",
    "school": "School dashboard",
    "district": "District roll-up",
    "review_packet": "Review meeting packet",
}
PERIOD_WORDS = {"review_packet": "cycle"}
"""What a report's period is called in its header, where it is not a week."""


@dataclass(frozen=True, slots=True)
class ChartView:
    svg: Markup
    title: str
    table: DataTable


def cell_text(value: Cell) -> str:
    """One cell as text; shared with the CSV renderer so both show the same words."""
    if isinstance(value, Figure):
        return value.text()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def cell_class(value: Cell) -> str:
    if isinstance(value, Figure):
        return "fig suppressed" if value.suppressed else "fig"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "num"
    if isinstance(value, date):
        return "date"
    return ""


def table_rows(table: DataTable) -> Markup:
    """A table's body rows, each cell escaped once: a table is most of a page, and a template loop over
    its cells cost a macro call and several filter calls per cell (the bulk of the district's HTML)."""
    labels = [f'<td data-label="{_escaped(column.label)}"' for column in table.columns]
    special = _SPECIAL.search
    out: list[str] = []
    for row in table.rows:
        out.append("<tr>")
        for label, value in zip(labels, row, strict=True):
            # text and dates, most cells, in line: a call per cell was a fifth of a page
            kind = type(value)
            if kind is str and not special(value):
                out.append(f"{label}>{value}</td>")
            elif kind is date:  # a chart's table has a date per point
                out.append(f'{label} class="date">{value.isoformat()}</td>')
            else:
                out.append(_cell(label, value))
        out.append("</tr>\n")
    return Markup("".join(out))


def _cell(opening: str, value: Cell) -> str:
    """One cell; the kinds most cells hold (text, counts, figures) take a short way to the same bytes."""
    kind = type(value)
    if kind is str:
        return f"{opening}>{_escaped(value)}</td>"  # type: ignore[arg-type]
    if kind is int or kind is float:
        return f'{opening} class="num">{cell_text(value)}</td>'  # digits, a sign, a point: nothing to escape
    if kind is date:
        return f'{opening} class="date">{value.isoformat()}</td>'  # type: ignore[union-attr]
    if kind is Figure:
        css = "fig suppressed" if value.suppressed else "fig"  # type: ignore[union-attr]
        return f'{opening} class="{css}">{_escaped(value.text())}</td>'  # type: ignore[union-attr]
    css = cell_class(value)
    return (
        f'{opening} class="{css}">{escape(cell_text(value))}</td>'
        if css
        else f"{opening}>{escape(cell_text(value))}</td>"
    )


_SPECIAL = re.compile("[&<>\"']")


def _escaped(text: str) -> str:
    """``escape``'s text, without making a ``Markup`` of text that has nothing to escape (most cells)."""
    return str(escape(text)) if _SPECIAL.search(text) else text


def table_head(table: DataTable) -> Markup:
    """A table's header cells (as ``table_rows``, for the same reason)."""
    return Markup("".join(f'<th scope="col">{_escaped(column.label)}</th>' for column in table.columns))


def data_table(table: DataTable, caption: str) -> Markup:
    """A table in its scrolling region, captioned: what a template macro gave, in one string (a page has a
    table per chart, and a macro call per table cost as much as the table's rows)."""
    label = _escaped(caption)
    return Markup(
        f'<div class="table-wrap" role="region" aria-label="{label}" tabindex="0">\n<table>\n'
        f"<caption>{label}</caption>\n<thead>\n<tr>{table_head(table)}</tr>\n</thead>\n<tbody>\n"
        f"{table_rows(table)}</tbody>\n</table>\n</div>\n"
    )


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("hub.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["data_table"] = data_table
    return env


def _charts(report: AlignmentReport) -> dict[str, list[ChartView]]:
    """SVG per chart, with ids unique in the page (they name the title, description and pattern)."""
    views: dict[str, list[ChartView]] = {}
    number = 0
    for section in report.sections:
        for chart in section.charts:
            number += 1
            views.setdefault(section.key, []).append(_view(chart, f"chart{number}"))
    return views


def _view(chart: Chart, chart_id: str) -> ChartView:
    return ChartView(draw(chart, chart_id), chart.title, chart.table())


def render_html(report: AlignmentReport) -> bytes:
    page = (
        environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            kind_label=KIND_LABELS[report.kind],
            period_word=PERIOD_WORDS.get(report.kind, "week"),
            charts=_charts(report),
            stamps=generated_stamps(report),
        )
    )
    return page.encode("utf-8")
