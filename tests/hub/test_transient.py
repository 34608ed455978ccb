"""Only faults that can heal are retried: throttling, server errors, timeouts, a locked database."""

from __future__ import annotations

import sqlite3

import pytest
import requests
from sqlalchemy.exc import OperationalError

from hub.connector import ConnectorError
from hub.diagnostics import MatchGateError
from hub.settings import ConfigError
from hub.transient import is_transient
from hub.warehouse import DeletionGuardError


def _http_error(status: int) -> requests.HTTPError:
    response = requests.Response()
    response.status_code = status
    return requests.HTTPError(f"HTTP {status}", response=response)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_throttling_and_server_errors_heal(status: int) -> None:
    assert is_transient(_http_error(status))


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_do_not(status: int) -> None:
    assert not is_transient(_http_error(status))


def test_timeouts_dropped_connections_and_locks_heal() -> None:
    assert is_transient(requests.ReadTimeout("read timed out"))
    assert is_transient(requests.ConnectionError("connection reset"))
    locked = sqlite3.OperationalError("database is locked")
    assert is_transient(OperationalError("INSERT ...", {}, locked))
    assert not is_transient(OperationalError("SELECT ...", {}, sqlite3.OperationalError("no such table: x")))


def test_a_transient_cause_behind_another_error_counts() -> None:
    try:
        try:
            raise requests.ReadTimeout("slow")
        except requests.ReadTimeout as cause:
            raise RuntimeError("reading the roster failed") from cause
    except RuntimeError as error:
        assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        ConfigError("hub.yaml: districts[0].timezone: ..."),
        ConnectorError("users.csv: the header lacks givenName"),
        FileNotFoundError("no such file"),
        MatchGateError("12.0% of 100 results matched"),
        DeletionGuardError.__new__(DeletionGuardError),
    ],
    ids=["config", "connector", "missing file", "match gate", "deletion guard"],
)
def test_what_cannot_heal_is_not_retried(error: BaseException) -> None:
    assert not is_transient(error)
