"""A report's main table as CSV, for a spreadsheet: one CSV per report.

A figure takes two columns, its value and its n, so a spreadsheet can sort and sum them; a suppressed
figure says so in both (its exact n would itself disclose a small group), and an absent value says why.
UTF-8 with a byte-order mark, because the spreadsheet most schools open CSV files with reads names with
accents wrongly without one.
"""

from __future__ import annotations

import csv
import io

from hub.reports.figures import Figure
from hub.reports.model import AlignmentReport, Cell
from hub.reports.render_html import cell_text


def _figure_columns(rows: tuple[tuple[Cell, ...], ...], width: int) -> list[Figure | None]:
    """Per column, a figure that stands for its unit (None for a column of plain values)."""
    found: list[Figure | None] = [None] * width
    for row in rows:
        for index, value in enumerate(row):
            if isinstance(value, Figure) and (found[index] is None or not found[index].shown):
                found[index] = value
    return found


def _header(label: str, sample: Figure) -> list[str]:
    unit = f" ({sample.unit})" if sample.unit else ""
    return [f"{label}{unit}", f"{label} n"]


def _cells(value: Cell) -> list[str]:
    if not isinstance(value, Figure):
        return [cell_text(value)]
    if value.suppressed:
        return [value.value_text(), "suppressed"]
    return [value.absent if value.value is None else f"{value.value:g}", str(value.n or 0)]


def render_csv(report: AlignmentReport) -> bytes:
    table = report.main_table
    figures = _figure_columns(table.rows, len(table.columns))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header: list[str] = []
    for column, sample in zip(table.columns, figures, strict=True):
        header += _header(column.label, sample) if sample else [column.label]
    writer.writerow(header)
    for row in table.rows:
        cells: list[str] = []
        for value, sample in zip(row, figures, strict=True):
            if sample is None:
                cells.append(cell_text(value))
            elif isinstance(value, Figure):
                cells += _cells(value)
            else:
                cells += [cell_text(value), "not a figure"]
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8-sig")
