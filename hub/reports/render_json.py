"""A report's data as one JSON document: every section, table, chart and figure, keys in a fixed order.

Dates and times are ISO 8601; a figure keeps its value, n, unit, whether it was suppressed and the text
the HTML shows, so a consumer never has to re-derive a rule the hub applied.

The document is the bytes ``json.dumps(..., ensure_ascii=False, indent=2, allow_nan=False)`` gives, written
in one pass over the report: with an indent, the standard library encodes in pure Python, through an
intermediate copy of the report as dicts and lists, which was most of the JSON's cost (a third of the
reports step's rendering).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from json.encoder import encode_basestring
from typing import Any

from hub.reports.charts import BarChart, HeatChart, ProgressChart, StackedChart
from hub.reports.figures import Figure
from hub.reports.model import AlignmentReport

CHARTS = (BarChart, StackedChart, HeatChart, ProgressChart)
INDENT = "  "
Out = list[str]


def render_json(report: AlignmentReport) -> bytes:
    out: Out = []
    _value(report, "\n", out)
    out.append("\n")
    return "".join(out).encode("utf-8")


def _value(value: Any, newline: str, out: Out) -> None:
    """``value`` as JSON at the depth whose line break (and indent) is ``newline``."""
    kind = type(value)
    if kind is str:
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is float:
        out.append(_float(value))
    elif kind is tuple or kind is list:
        _array(value, newline, out)
    elif kind is date:  # a progress chart's every point: ISO digits, nothing to escape
        out.append(f'"{value.isoformat()}"')
    elif kind is Figure:
        _object(_figure(value), newline, out)
    else:
        _other(value, newline, out)


def _other(value: Any, newline: str, out: Out) -> None:
    """The less frequent kinds, in the order ``json.dumps`` (and the document's shape) takes them."""
    if isinstance(value, Figure):
        _object(_figure(value), newline, out)
    elif isinstance(value, datetime | date):
        out.append(encode_basestring(value.isoformat()))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        _object(_fields(type(value))(value), newline, out)
    elif isinstance(value, dict):
        _object(list({str(key): item for key, item in value.items()}.items()), newline, out)
    elif isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, tuple | list):
        _array(value, newline, out)
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _float(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
    return float.__repr__(value)


def _array(items: tuple | list, newline: str, out: Out) -> None:
    if not items:
        out.append("[]")
        return
    inner = newline + INDENT
    deeper = inner + INDENT
    out.append("[")
    separator = inner
    for item in items:
        out.append(separator)
        if type(item) is tuple and len(item) == 2 and type(item[0]) is date and type(item[1]) is float:
            # a chart's point (day, score), in one piece: a district's charts hold a million and more
            out.append(f'[{deeper}"{item[0].isoformat()}",{deeper}{_float(item[1])}{inner}]')
        else:
            _value(item, inner, out)
        separator = "," + inner
    out.append(newline + "]")


def _object(items: list[tuple[str, Any]], newline: str, out: Out) -> None:
    if not items:
        out.append("{}")
        return
    inner = newline + INDENT
    out.append("{")
    separator = inner
    for key, item in items:
        out.append(separator + encode_basestring(key) + ": ")
        _value(item, inner, out)
        separator = "," + inner
    out.append(newline + "}")


def _figure(value: Figure) -> list[tuple[str, Any]]:
    return [
        ("value", value.value),
        ("n", value.n),
        ("unit", value.unit),
        ("suppressed", value.suppressed),
        ("text", value.text()),
    ]


@cache
def _fields(kind: type) -> Callable[[Any], list[tuple[str, Any]]]:
    """A dataclass's fields in order, as (name, value) pairs; a chart first says which kind it is."""
    names = [field.name for field in dataclasses.fields(kind)]
    head = [("type", kind.__name__)] if issubclass(kind, CHARTS) else []
    return lambda value: [*head, *((name, getattr(value, name)) for name in names)]
