"""A fake OneRoster 1.2 gradebook provider, and builders for the destination and class reports."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pydantic import SecretStr

from connectors.oneroster_gradebook import GradebookConfig, GradebookDestination
from hub.connector import RenderedReport
from testkit.fakes.oneroster_gradebook import FakeGradebook
from testkit.fakes.server import LOOPBACK_HTTP

SECRET = "gradebook-client-secret-0123"


@pytest.fixture
def secret() -> str:
    return SECRET


@pytest.fixture
def gradebook() -> Iterator[FakeGradebook]:
    with FakeGradebook(client_id="tutorhub-north", client_secret=SECRET) as server:
        yield server


@pytest.fixture
def make_destination(gradebook: FakeGradebook) -> Callable[..., GradebookDestination]:
    def make(**settings: object) -> GradebookDestination:
        base = {
            "district_id": "north",
            "base_url": gradebook.url,
            "token_url": gradebook.token_url,
            "client_id": "tutorhub-north",
            "client_secret": SecretStr(SECRET),
            "http": LOOPBACK_HTTP,
        }
        return GradebookDestination(GradebookConfig.model_validate({**base, **settings}))

    return make


@pytest.fixture
def class_report() -> Callable[..., RenderedReport]:
    def make(
        class_id: str, week: int = 1, *, school: str | None = "school-1", **skills: str
    ) -> RenderedReport:
        """Keyword arguments are student -> skill, '_' written for '-' (S_1 is student S-1)."""
        students = [
            {"student": s.replace("_", "-"), "status": f"week {week}: {skill}", "skills": [skill]}
            for s, skill in skills.items()
        ]
        summary = {"students": students, "period_start": "2026-01-12", "period_end": "2026-01-16"}
        if school:
            summary["school"] = school
        return RenderedReport(
            "teacher", class_id, f"Tutoring, week {week}", "application/json", b"{}", summary
        )

    return make
