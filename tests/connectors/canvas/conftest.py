"""A fake Canvas with a few courses, and builders for Canvas destinations and teacher reports."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pydantic import SecretStr

from connectors.canvas import CanvasConfig, CanvasDestination
from hub.connector import RenderedReport
from testkit.fakes.canvas import FakeCanvas
from testkit.fakes.server import LOOPBACK_HTTP

TOKEN = "canvas-test-token-0123456789"
ROSTER = {"ALG.101/2": ["S-1", "S-2", "S-3"], "BIO-7": ["S-2", "S-4"], "CHEM-3": ["S-5", "S-6"]}


@pytest.fixture
def canvas() -> Iterator[FakeCanvas]:
    with FakeCanvas(token=TOKEN) as server:
        for course, students in ROSTER.items():
            server.add_course(course, students)
        yield server


@pytest.fixture
def make_destination(canvas: FakeCanvas) -> Callable[..., CanvasDestination]:
    def make(**settings: object) -> CanvasDestination:
        base = {
            "district_id": "north",
            "base_url": canvas.url,
            "token": SecretStr(TOKEN),
            "http": LOOPBACK_HTTP,
        }
        return CanvasDestination(CanvasConfig.model_validate({**base, **settings}))

    return make


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
def teacher_report() -> Callable[..., RenderedReport]:
    def make(course: str, body: str = "<h1>Tutoring this week</h1>", **statuses: str) -> RenderedReport:
        """Keyword arguments are student -> status, with '_' written for '-' (S_1 is student S-1)."""
        students = [{"student": s.replace("_", "-"), "status": text} for s, text in statuses.items()]
        return RenderedReport(
            "teacher", course, "Tutoring", "text/html", body.encode(), {"students": students}
        )

    return make
