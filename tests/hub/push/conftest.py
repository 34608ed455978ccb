"""Fixtures for the push driver and the HTTP layer: fast retry settings and report builders."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hub.connector import RenderedReport
from hub.http import HttpSettings
from testkit.fakes.server import LOOPBACK_HTTP


@pytest.fixture
def fast_http() -> HttpSettings:
    """Real retries and timeouts, scaled down so a fault costs tenths of a second, not minutes."""
    return LOOPBACK_HTTP


MakeReport = Callable[..., RenderedReport]


@pytest.fixture
def make_report() -> MakeReport:
    def make(
        target: str,
        body: str = "<h1>week 1</h1>",
        *,
        kind: str = "teacher",
        content_type: str = "text/html",
        students: dict[str, str] | None = None,
    ) -> RenderedReport:
        summary = {"students": [{"student": s, "status": text} for s, text in (students or {}).items()]}
        return RenderedReport(kind, target, f"{kind} report", content_type, body.encode(), summary)

    return make
