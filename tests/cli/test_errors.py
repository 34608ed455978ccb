"""The CLI's edge: every HubError is one message and exit 2; anything else is a bug, exit 3."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from cli.main import friendly_errors
from hub.push import PushRefused
from hub.tutoring.errors import TutoringError


def command_raising(error: Exception) -> click.Command:
    @click.command()
    @friendly_errors
    def failing() -> None:
        raise error

    return failing


@pytest.mark.parametrize(
    "error",
    [
        TutoringError("tutoring.group_size 9 is over the limit of 4"),
        PushRefused("destination 'lms' is north's"),
    ],
    ids=["tutoring", "push"],
)
def test_a_hub_error_of_any_stage_is_one_message_and_exit_2(
    error: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TUTORHUB_DEBUG", raising=False)
    result = CliRunner().invoke(command_raising(error))
    assert result.exit_code == 2
    assert result.output == f"error: {error}\n"


def test_anything_else_is_reported_as_unexpected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TUTORHUB_DEBUG", raising=False)
    result = CliRunner().invoke(command_raising(KeyError("person")))
    assert result.exit_code == 3
    assert result.output.startswith("unexpected error: KeyError: 'person'\n")
