"""A report's data as one JSON document: every section, table, chart and figure, keys in a fixed order.

Dates and times are ISO 8601; a figure keeps its value, n, unit, whether it was suppressed and the text
the HTML shows, so a consumer never has to re-derive a rule the hub applied.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from typing import Any

from hub.reports.charts import BarChart, HeatChart, ProgressChart, StackedChart
from hub.reports.figures import Figure
from hub.reports.model import AlignmentReport

CHARTS = (BarChart, StackedChart, HeatChart, ProgressChart)


def plain(value: Any) -> Any:
    """JSON-ready value; dataclasses keep their field order, charts say which kind they are."""
    if isinstance(value, Figure):
        return {
            "value": value.value,
            "n": value.n,
            "unit": value.unit,
            "suppressed": value.suppressed,
            "text": value.text(),
        }
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
        return {"type": type(value).__name__, **fields} if isinstance(value, CHARTS) else fields
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def render_json(report: AlignmentReport) -> bytes:
    return (json.dumps(plain(report), ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")
