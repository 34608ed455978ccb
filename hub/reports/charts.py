"""Charts as data: what to draw, decided by a builder; how to draw it is the SVG renderer's business.

Every chart can give its own data back as a table, which is the text alternative the HTML puts beside it,
so a chart without a readable equivalent cannot be built.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from hub.reports.figures import Figure
from hub.reports.model import Column, DataTable


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    figure: Figure
    series: int = 0
    """Colour of the bar: the index of its series (tutored, peers, ...)."""
    band: tuple[float, float] | None = None
    """A reference range drawn behind the bar (a healthy range; low == high draws a target line)."""


@dataclass(frozen=True, slots=True)
class BarGroup:
    label: str
    bars: tuple[Bar, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class BarChart:
    """Horizontal bars in labelled groups; negative values grow left of a zero line."""

    title: str
    description: str
    unit: str
    groups: tuple[BarGroup, ...]
    series: tuple[str, ...] = ()
    """Legend: one name per series index; empty for a single series."""
    band_label: str = ""
    """What the bands mean ("healthy range", "plan"), for the legend and the table."""
    scale_max: float | None = None

    def table(self) -> DataTable:
        columns = [Column("group", "Group"), Column("bar", "Bar"), Column("value", "Value")]
        if self.band_label:
            columns.append(Column("band", self.band_label[:1].upper() + self.band_label[1:]))
        rows = []
        for group in self.groups:
            for bar in group.bars:
                row: list[object] = [group.label, bar.label, bar.figure]
                if self.band_label:
                    row.append(_band_text(bar.band, self.unit))
                rows.append(tuple(row))
        return DataTable(tuple(columns), tuple(rows))


@dataclass(frozen=True, slots=True)
class StackedRow:
    label: str
    segments: tuple[Figure, ...]


@dataclass(frozen=True, slots=True)
class StackedChart:
    """One 100 % bar per row, split into segments (the tiers of one grade)."""

    title: str
    description: str
    segment_names: tuple[str, ...]
    rows: tuple[StackedRow, ...]

    def table(self) -> DataTable:
        columns = (
            Column("row", "Row"),
            *(Column(f"s{i}", name) for i, name in enumerate(self.segment_names)),
        )
        return DataTable(columns, tuple((row.label, *row.segments) for row in self.rows))


@dataclass(frozen=True, slots=True)
class HeatChart:
    """A grid of counts shaded by size: rows and columns are ordered categories (proficiency bands)."""

    title: str
    description: str
    row_title: str
    column_title: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[Figure, ...], ...]

    def table(self) -> DataTable:
        columns = (
            Column("row", f"{self.row_title} \u2193 / {self.column_title} \u2192"),
            *(Column(f"c{i}", label) for i, label in enumerate(self.column_labels)),
        )
        rows = tuple((label, *cells) for label, cells in zip(self.row_labels, self.cells, strict=True))
        return DataTable(columns, rows)


@dataclass(frozen=True, slots=True)
class ProgressChart:
    """One student's points on one measure against the aimline from baseline to goal, and their trend."""

    title: str
    description: str
    unit: str
    baseline: tuple[date, float]
    goal: tuple[date, float]
    points: tuple[tuple[date, float], ...]
    """Observed after the baseline, in date order."""
    trend: tuple[float, float] | None
    """The least-squares line of the baseline and the points, as its slope per week and its value on the
    goal's date (None where too few points to read one: ``readable_trend``)."""

    def aimline_at(self, day: date) -> float:
        return self.aimline_on([day])[0]

    def aimline_on(self, days: Iterable[date]) -> list[float]:
        """The aimline's value on each of ``days``, its slope worked out once (a chart's table reads it on
        every point's day, for tens of thousands of charts a night)."""
        (start, low), (end, high) = self.baseline, self.goal
        span, rise = max((end - start).days, 1), high - low
        return [low + rise * (day - start).days / span for day in days]

    def trend_at(self, day: date) -> float:
        """The trend line's value on ``day`` (a chart with a trend only)."""
        assert self.trend is not None
        per_week, at_goal = self.trend
        return at_goal - per_week * (self.goal[0] - day).days / 7

    def table(self) -> DataTable:
        columns = (Column("date", "Date"), Column("what", "Point"), Column("score", "Score"))
        columns += (Column("aimline", "Aimline"),)
        unit = f" {self.unit}" if self.unit else ""
        (start, low), (end, high) = self.baseline, self.goal
        rows = [(start, "baseline", _number(low, unit), "start")]
        aimline = self.aimline_on(day for day, _ in self.points)
        rows += [
            (day, "observed", _number(score, unit), _number(aim, unit))
            for (day, score), aim in zip(self.points, aimline, strict=True)
        ]
        if self.trend is not None:
            rows.append((end, "trend by the goal's date", _number(self.trend[1], unit), "end"))
        rows.append((end, "goal", _number(high, unit), "end"))
        return DataTable(columns, tuple(rows))


Chart = BarChart | StackedChart | HeatChart | ProgressChart


def _number(value: float, suffix: str) -> str:
    """``value`` to a tenth (a whole number without its ".0"), then ``suffix`` (" " and the unit, or "")."""
    return f"{value:.1f}".removesuffix(".0") + suffix


def _band_text(band: tuple[float, float] | None, unit: str) -> str:
    if band is None:
        return ""
    low, high = band
    suffix = f" {unit}" if unit else ""
    return f"{low:g}{suffix}" if low == high else f"{low:g}-{high:g}{suffix}"
