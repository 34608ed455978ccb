"""A synthetic district served by the fake OneRoster rostering service, and sources pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from connectors.oneroster_api import OneRosterApiConfig, OneRosterApiSource
from connectors.oneroster_api.writer import rest_roster
from testkit.fakes.oneroster_api import FakeRostering
from testkit.fakes.server import LOOPBACK_HTTP
from testkit.synthetic import DistrictSpec, SyntheticDistrict, build_district

CLIENT_ID = "tutorhub-north"
SECRET = "roster-client-secret-0123"

Serve = Callable[..., FakeRostering]
MakeSource = Callable[..., OneRosterApiSource]


@pytest.fixture(scope="session")
def district() -> SyntheticDistrict:
    return build_district(DistrictSpec(students=30, seed=11, district_id="north"))


@pytest.fixture
def serve(district: SyntheticDistrict) -> Iterator[Serve]:
    """Start a fake serving ``data`` (default: the district in the fake's version); stopped after the test."""
    started: list[FakeRostering] = []

    def start(data: dict[str, list[Any]] | None = None, **options: Any) -> FakeRostering:
        objects = rest_roster(district, options.get("version", "1.2")) if data is None else data
        fake = FakeRostering(objects, client_id=CLIENT_ID, client_secret=SECRET, **options)
        started.append(fake.start())
        return fake

    yield start
    for fake in started:
        fake.stop()


@pytest.fixture
def make_source() -> MakeSource:
    def make(fake: FakeRostering, **settings: Any) -> OneRosterApiSource:
        base = {
            "base_url": fake.url,
            "version": fake.version,
            "token_url": fake.token_url,
            "client_id": CLIENT_ID,
            "client_secret": SecretStr(SECRET),
            "http": LOOPBACK_HTTP,
        }
        return OneRosterApiSource(OneRosterApiConfig.model_validate({**base, **settings}))

    return make


def ids(table: Any) -> list[str]:
    return sorted(table.column("sourcedId").to_pylist())
