"""The assets' edge: a HubError fails the step once with its own message; a bug says it is unexpected."""

from __future__ import annotations

import dagster as dg
import pytest
import requests

from assets.failures import failing_once
from hub.errors import HubError
from hub.warehouse import WarehouseError


def test_a_hub_error_fails_once_with_its_message() -> None:
    with pytest.raises(dg.Failure) as failure, failing_once():
        raise WarehouseError("table 'persons' is not in the model")
    assert failure.value.description == "table 'persons' is not in the model"
    assert failure.value.allow_retries is False
    assert isinstance(failure.value.__cause__, HubError)


def test_a_bug_fails_once_and_says_it_is_unexpected() -> None:
    with pytest.raises(dg.Failure) as failure, failing_once():
        raise KeyError("person")
    assert failure.value.description == "unexpected error: KeyError: 'person'"


def test_a_transient_fault_is_left_to_the_retry_policy() -> None:
    with pytest.raises(requests.ConnectionError), failing_once():
        raise requests.ConnectionError("connection reset")
