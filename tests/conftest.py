"""Shared fixtures: a fresh warehouse on SQLite and on the real PostgreSQL server.

PostgreSQL tests create a throw-away database per test on ``TUTORHUB_TEST_PG_URL`` (default: the local
server, database ``postgres`` for administration). Where no server answers they skip and say why,
unless ``TUTORHUB_REQUIRE_POSTGRES=1`` (set by .ci/run), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hub.warehouse import Warehouse

PG_ADMIN_URL = os.environ.get("TUTORHUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REPO_ROOT = Path(__file__).resolve().parents[1]
# The real vendor samples: TUTORHUB_FIXTURES, or ../shared/fixtures from the repository root.
FIXTURES = (REPO_ROOT / os.environ.get("TUTORHUB_FIXTURES", "../shared/fixtures")).resolve()


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    return None


_PG_PROBLEM: str | bool | None = False  # False = not probed yet


def require_postgres() -> None:
    """Skip (or, under CI, fail) when the PostgreSQL server is not reachable."""
    global _PG_PROBLEM
    if _PG_PROBLEM is False:
        _PG_PROBLEM = _postgres_reachable()
    if _PG_PROBLEM:
        message = f"PostgreSQL not reachable at {make_url(PG_ADMIN_URL).render_as_string()}: {_PG_PROBLEM}"
        if os.environ.get("TUTORHUB_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def fresh_postgres_database(prefix: str = "tutorhub_test", driver: str | None = None) -> Iterator[str]:
    """URL of a new, empty PostgreSQL database (driver named if given), dropped afterwards."""
    require_postgres()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name)
    try:
        yield (url.set(drivername=driver) if driver else url).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """URL of a new, empty PostgreSQL database, dropped after the test."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on the embedded default and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    house = Warehouse(warehouse_url)
    house.register_district("test_district", "Test District", "America/Chicago")
    yield house
    house.dispose()


@pytest.fixture
def shared_fixtures() -> Path:
    """The real vendor samples (``TUTORHUB_FIXTURES``); tests that need them skip only when it is absent."""
    if not FIXTURES.is_dir():
        pytest.skip(f"vendor samples not found at {FIXTURES}; set TUTORHUB_FIXTURES to their folder")
    return FIXTURES
