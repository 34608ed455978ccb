"""Charts drawn as inline SVG: no script, no external asset, readable at phone width.

The drawing is 360 units wide, about a phone's CSS width, so 12-unit text is 12 px on a phone and grows
on a desk. Every label sits on its own line above its bar, so nothing overlaps whatever the numbers are.
Text is escaped here (markupsafe), because the result is inserted into the page as markup.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from markupsafe import Markup, escape

from hub.reports.charts import BarChart, Chart, HeatChart, ProgressChart, StackedChart
from hub.reports.figures import Figure

WIDTH = 360
PAD = 8
TRACK = WIDTH - 2 * PAD
SERIES = ("#2f6db5", "#e08a1e", "#b8392f", "#5b8c3a")
"""Blue, orange, red, green: tiers 1-3 and tutored/peers, distinguishable in common colour blindness."""
BAND = "#cfe6d4"
GRID = "#c8ccd2"
INK = "#1d232b"
MUTED = "#5a636e"


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: int = 12,
    weight: str = "normal",
    anchor: str = "start",
    fill: str = INK,
) -> str:
    return _text_template(size, weight, anchor, fill) % (x, y, escape(content))


@cache
def _text_template(
    size: int = 12,
    weight: str = "normal",
    anchor: str = "start",
    fill: str = INK,
    *,
    x: str = "%.1f",
    y: str = "%.1f",
    content: str = "%s",
) -> str:
    """A text element's markup with its position (``%.1f``) and escaped content (``%s``) left to fill,
    or any of them given (as ``_text`` would write it)."""
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" text-anchor="{anchor}" '
        f'fill="{fill}">{content}</text>'
    )


def _rect(x: float, y: float, width: float, height: float, fill: str, extra: str = "") -> str:
    size = f'width="{max(width, 0):.1f}" height="{height:.1f}"'
    return f'<rect x="{x:.1f}" y="{y:.1f}" {size} fill="{fill}"{extra}/>'


def _frame(chart_id: str, title: str, description: str, height: float, body: list[str]) -> Markup:
    hatch = (
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f1f2f4"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{GRID}" stroke-width="2"/></pattern></defs>'
    )
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="system-ui, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{hatch}{''.join(body)}</svg>"
    )


def _legend(items: list[tuple[str, str]], y: float) -> tuple[list[str], float]:
    """Swatches and names, wrapped onto as many lines as the width needs."""
    parts, x = [], PAD
    for name, fill in items:
        width = 18 + 7 * len(name)
        if x + width > WIDTH - PAD and x > PAD:
            x, y = PAD, y + 18
        parts.append(_rect(x, y - 9, 10, 10, fill, ' stroke="#8a929c" stroke-width="0.5"'))
        parts.append(_text(x + 14, y, name, size=11, fill=MUTED))
        x += width
    return parts, y + 20


def bar_chart(chart: BarChart, chart_id: str) -> Markup:
    values = [bar.figure.value for group in chart.groups for bar in group.bars if bar.figure.shown]
    ends = [end for group in chart.groups for bar in group.bars if bar.band for end in bar.band]
    low = min([0.0, *values])
    high = max([chart.scale_max or 0.0, *values, *ends, 1.0])
    scale = TRACK / (high - low)
    zero = PAD + (0 - low) * scale
    body: list[str] = []
    y = 4.0
    legend = [(name, SERIES[i % len(SERIES)]) for i, name in enumerate(chart.series)]
    if chart.band_label:
        targets = all(bar.band[0] == bar.band[1] for group in chart.groups for bar in group.bars if bar.band)
        legend.append((chart.band_label, INK if targets else BAND))
    if any(bar.figure.suppressed for group in chart.groups for bar in group.bars):
        legend.append(("suppressed", f"url(#{chart_id}-hatch)"))
    parts, y = _legend(legend, y + 12)
    body += parts
    for group in chart.groups:
        body.append(_text(PAD, y + 12, group.label, size=13, weight="bold"))
        y += 20
        for bar in group.bars:
            body.append(_text(PAD, y + 12, f"{bar.label}: {bar.figure.text()}"))
            top = y + 17
            body.append(_rect(PAD, top, TRACK, 12, "#eef0f3"))
            if bar.band:
                start, end = (PAD + (edge - low) * scale for edge in bar.band)
                if end - start < 1:
                    body.append(_rect(start - 1, top - 3, 2, 18, INK))
                else:
                    body.append(_rect(start, top, end - start, 12, BAND))
            if bar.figure.shown:
                end = PAD + (bar.figure.value - low) * scale  # type: ignore[operator]
                left, right = sorted((zero, end))
                body.append(_rect(left, top + 2, right - left, 8, SERIES[bar.series % len(SERIES)]))
            elif bar.figure.suppressed:
                body.append(_rect(PAD, top, TRACK, 12, f"url(#{chart_id}-hatch)"))
            if bar.band and bar.band[0] != bar.band[1]:
                # the range's outline again on top, so a long bar never hides where the range is
                start, end = (PAD + (edge - low) * scale for edge in bar.band)
                body.append(
                    _rect(start, top, end - start, 12, "none", ' stroke="#2e7d43" stroke-width="1.2"')
                )
            y += 36
        y += 4
    if low < 0:
        body.append(
            f'<line x1="{zero:.1f}" y1="28" x2="{zero:.1f}" y2="{y:.1f}" stroke="{MUTED}" stroke-width="1"/>'
        )
    return _frame(chart_id, chart.title, chart.description, y + 4, body)


def _segment_text(figure: Figure) -> str:
    return f"{figure.value:.0f}%" if figure.shown else ""


def stacked_chart(chart: StackedChart, chart_id: str) -> Markup:
    legend = [(name, SERIES[i % len(SERIES)]) for i, name in enumerate(chart.segment_names)]
    if any(figure.suppressed for row in chart.rows for figure in row.segments):
        legend.append(("suppressed", f"url(#{chart_id}-hatch)"))
    body, y = _legend(legend, 16.0)
    for row in chart.rows:
        n = next((figure.n for figure in row.segments if figure.n is not None), None)
        caption = f"{row.label}: " + (f"n = {n}" if n is not None else row.segments[0].value_text())
        if n is not None and any(figure.suppressed for figure in row.segments):
            caption += ", some parts suppressed"
        body.append(_text(PAD, y + 12, caption))
        top = y + 17
        # the hatched track shows through wherever a part is suppressed
        body.append(_rect(PAD, top, TRACK, 16, f"url(#{chart_id}-hatch)"))
        if any(figure.shown for figure in row.segments):
            x = PAD
            for index, figure in enumerate(row.segments):
                width = TRACK * (figure.value or 0) / 100
                body.append(_rect(x, top, width, 16, SERIES[index % len(SERIES)]))
                if width >= 28:
                    body.append(
                        _text(
                            x + width / 2,
                            top + 12,
                            _segment_text(figure),
                            size=11,
                            anchor="middle",
                            fill="#ffffff",
                            weight="bold",
                        )
                    )
                x += width
        y += 40
    return _frame(chart_id, chart.title, chart.description, y + 4, body)


def heat_chart(chart: HeatChart, chart_id: str) -> Markup:
    head = 64
    columns = len(chart.column_labels)
    cell_width = (WIDTH - PAD - head) / max(columns, 1)
    counts = [figure.value or 0 for row in chart.cells for figure in row if figure.shown]
    peak = max([*counts, 1])
    body = [
        _text(
            head + (WIDTH - PAD - head) / 2,
            14,
            f"{chart.column_title} \u2192",
            size=11,
            anchor="middle",
            fill=MUTED,
        )
    ]
    body.append(_text(PAD, 14, f"{chart.row_title} \u2193", size=11, fill=MUTED))
    for index, label in enumerate(chart.column_labels):
        body.append(_text(head + (index + 0.5) * cell_width, 32, label, size=11, anchor="middle"))
    y = 40.0
    for row_index, (label, row) in enumerate(zip(chart.row_labels, chart.cells, strict=True)):
        body.append(_text(PAD, y + 19, label, size=11))
        for index, figure in enumerate(row):
            x = head + index * cell_width
            if figure.suppressed:
                fill, content, ink = f"url(#{chart_id}-hatch)", "", MUTED
            else:
                share = (figure.value or 0) / peak
                fill = f"rgba(47,109,181,{0.08 + 0.85 * share:.2f})"
                content, ink = f"{figure.value or 0:g}", "#ffffff" if share > 0.5 else INK
            diagonal = (
                ' stroke="#1d232b" stroke-width="1.2"'
                if index == row_index
                else f' stroke="{GRID}" stroke-width="0.5"'
            )
            body.append(_rect(x + 1, y + 1, cell_width - 2, 28, fill, diagonal))
            body.append(_text(x + cell_width / 2, y + 19, content, size=12, anchor="middle", fill=ink))
        y += 30
    body.append(
        _text(PAD, y + 16, "Outlined: same band. Hatched: suppressed (small cell).", size=10, fill=MUTED)
    )
    return _frame(chart_id, chart.title, chart.description, y + 24, body)


def progress_chart(chart: ProgressChart, chart_id: str) -> Markup:
    """Points as dots, the aimline dashed from baseline to goal, the trend solid through the points and
    dotted on to the goal's date.

    A district draws a chart per tutored student on each of their pages (tens of thousands a night), each
    of a few points: its numbers are worked out once and formatted in C by one template per chart
    (``_PROGRESS_FRAME``) and one per point (``_POINT``), rather than an element at a time."""
    first, (end, goal), points = chart.baseline[0], chart.goal, chart.points
    last = max([end, *(day for day, _ in points)])
    span = max((last - first).days, 1)
    scores = [chart.baseline[1], goal, *(score for _, score in points)]
    low, high = min(scores), max(scores)
    low, high = (low - 1, high + 1) if high - low < 1 else (low, high)
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    height = high - low
    origin = first.toordinal()

    def x(day: date) -> float:
        return PLOT_LEFT + PLOT_WIDTH * (day.toordinal() - origin) / span

    def y(score: float) -> float:
        return PLOT_TOP + PLOT_HEIGHT * (high - score) / height

    body = [
        *_PROGRESS_LEGENDS[chart.trend is not None],
        _PROGRESS_FRAME
        % (
            y(high - pad) + 4,
            high - pad,
            y(low + pad) + 4,
            low + pad,
            _day_label(first),
            _day_label(last),
            x(first),
            y(chart.baseline[1]),
            x(end),
            y(goal),
            x(end) - 4,
            y(goal) - 4,
        ),
    ]
    if chart.trend is not None:
        # solid through the points, dotted on to the goal's date (as far as the scale): where it would end
        first_day, last_day = first, points[-1][0] if points else first
        x2, v2, x1, v1 = _clipped(
            x(last_day), chart.trend_at(last_day), x(first_day), chart.trend_at(first_day), low, high
        )
        solid = _clipped(x1, v1, x2, v2, low, high)
        dotted = _clipped(x(last_day), chart.trend_at(last_day), x(end), chart.trend_at(end), low, high)
        for (x1, v1, x2, v2), line in ((solid, _TREND), (dotted, _TREND_ON)):
            if x2 > x1:
                body.append(line % (x1, y(v1), x2, y(v2)))
    observed = (chart.baseline, *points)
    body.append(_POINT * len(observed) % tuple(v for day, score in observed for v in (x(day), y(score))))
    body.append(_scale_label(chart.unit))
    return _frame(chart_id, chart.title, chart.description, PLOT_BOTTOM + 22, body)


PLOT_LEFT, PLOT_TOP, PLOT_WIDTH, PLOT_HEIGHT = PAD + 40, 34.0, WIDTH - 2 * PAD - 48, 150.0
"""A progress chart's plot area: left of it the scale's labels, below it the dates."""
PLOT_BOTTOM = PLOT_TOP + PLOT_HEIGHT + 14
_LINE = '<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"'
_PROGRESS_FRAME = (
    _rect(PLOT_LEFT, PLOT_TOP, PLOT_WIDTH, PLOT_HEIGHT, "#f7f8fa", f' stroke="{GRID}" stroke-width="0.5"')
    + _text_template(10, anchor="end", fill=MUTED, x=f"{PLOT_LEFT - 4:.1f}", content="%.0f") * 2
    + _text_template(10, fill=MUTED, x=f"{PLOT_LEFT:.1f}", y=f"{PLOT_BOTTOM:.1f}")
    + _text_template(10, anchor="end", fill=MUTED, x=f"{PLOT_LEFT + PLOT_WIDTH:.1f}", y=f"{PLOT_BOTTOM:.1f}")
    + f'{_LINE} stroke="{INK}" stroke-width="1.5" stroke-dasharray="5 4"/>'
    + f'<rect x="%.1f" y="%.1f" width="8.0" height="8.0" fill="{INK}"/>'
)
"""Everything of a progress chart before its trend and points, as one template: the plot, the scale's top
and bottom (position, value), the first and last dates, the aimline, the goal's mark."""
_TREND = f'{_LINE} stroke="{SERIES[1]}" stroke-width="2"/>'
_TREND_ON = _TREND.replace("/>", ' stroke-dasharray="2 3"/>')
_POINT = f'<circle cx="%.1f" cy="%.1f" r="3.5" fill="{SERIES[0]}"/>'


@cache
def _day_label(day: date) -> str:
    """A day as the chart's axis shows it (the same few dozen days on every chart of a night)."""
    return str(escape(f"{day:%b %d}"))


@cache
def _scale_label(unit: str) -> str:
    return _text(PAD, PLOT_BOTTOM + 16, f"Scale: {unit or 'score'}", size=10, fill=MUTED)


def _clipped(
    x1: float, v1: float, x2: float, v2: float, low: float, high: float
) -> tuple[float, float, float, float]:
    """The segment from (x1, v1) to (x2, v2) cut where it leaves the scale's ``low``-``high`` band: a
    trend is drawn as far as the chart's scale (the points' and the goal's), never stretching it (a
    projection to -40 % correct is no score a chart should show)."""
    bound = high if v2 > high else low if v2 < low else None
    if bound is None or v2 == v1:
        return x1, v1, x2, v2
    share = max(0.0, min(1.0, (bound - v1) / (v2 - v1)))
    return x1, v1, x1 + (x2 - x1) * share, bound


_PROGRESS_LEGENDS = tuple(
    tuple(_legend([("points", SERIES[0]), ("aimline", INK), *trend], 16.0)[0])
    for trend in ([], [("trend", SERIES[1])])
)
"""A progress chart's legend without a trend and with one, the same markup each time."""


def draw(chart: Chart, chart_id: str) -> Markup:
    if isinstance(chart, BarChart):
        return bar_chart(chart, chart_id)
    if isinstance(chart, StackedChart):
        return stacked_chart(chart, chart_id)
    if isinstance(chart, ProgressChart):
        return progress_chart(chart, chart_id)
    return heat_chart(chart, chart_id)
