"""Every error a person can act on derives from HubError, so that the CLI and the assets catch it once."""

from __future__ import annotations

import pytest

from hub.connector import ConnectorError
from hub.diagnostics.errors import DiagnosticsError, MatchGateError
from hub.errors import HubError
from hub.http import HttpError
from hub.plugins import UnknownConnectorError
from hub.preflight import PreflightError
from hub.push import PushError, PushRefused, SummaryError
from hub.reports.inputs import ReportError
from hub.settings import ConfigError
from hub.tutoring.errors import TutoringError
from hub.warehouse import DeletionGuardError, WarehouseError

STAGE_ERRORS = [
    ConfigError,
    PreflightError,
    UnknownConnectorError,
    ConnectorError,
    HttpError,
    WarehouseError,
    DeletionGuardError,
    DiagnosticsError,
    MatchGateError,
    TutoringError,
    ReportError,
    PushError,
    PushRefused,
    SummaryError,
]


@pytest.mark.parametrize("error", STAGE_ERRORS, ids=lambda error: error.__name__)
def test_each_stage_error_is_a_hub_error(error: type[Exception]) -> None:
    assert issubclass(error, HubError)


def test_the_errors_that_were_value_errors_still_are() -> None:
    """Callers that catch ValueError (a bad summary, report or tutoring input) keep working."""
    assert all(issubclass(error, ValueError) for error in (SummaryError, ReportError, TutoringError))


def test_a_hub_error_carries_its_place() -> None:
    error = ConnectorError(
        "users.csv: line 4: role 'wizard' is not a OneRoster role", file="users.csv", line=4
    )
    assert (error.file, error.line, error.column, error.key) == ("users.csv", 4, None, None)
    assert str(error) == "users.csv: line 4: role 'wizard' is not a OneRoster role"
