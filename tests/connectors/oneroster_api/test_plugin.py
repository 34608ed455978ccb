"""The connector registers through the entry point as a vendor's would, and its settings refuse mistakes."""

from __future__ import annotations

import importlib.metadata

import pytest
from pydantic import SecretStr, ValidationError

from connectors.oneroster_api import OneRosterApiConfig, OneRosterApiSource
from connectors.oneroster_csv import OneRosterCsvSource
from hub.plugins import ENTRY_POINT_GROUP, discover

SETTINGS = {
    "base_url": "https://sis.example.org/",
    "token_url": "https://sis.example.org/oauth/token",
    "client_id": "tutorhub",
    "client_secret": "top-secret-value",
}


def test_registered_under_its_name_with_a_csv_packages_streams_and_tables():
    registry = discover(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP, name="oneroster_api"))
    assert (registry.failures, list(registry.connectors)) == ([], ["oneroster_api"])
    assert registry.get("oneroster_api").cls is OneRosterApiSource
    assert OneRosterApiSource.config_model is OneRosterApiConfig
    assert (OneRosterApiSource.streams, OneRosterApiSource.tables) == (
        OneRosterCsvSource.streams,
        OneRosterCsvSource.tables,
    )


def test_defaults_and_derived_settings():
    config = OneRosterApiConfig.model_validate(SETTINGS)
    assert config.api_root == "https://sis.example.org/ims/oneroster/rostering/v1p2"
    assert config.scopes == "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly"
    assert (config.version, config.auth, config.page_size, config.delta) == ("1.2", "oauth2", 1000, False)
    v11 = OneRosterApiConfig.model_validate({**SETTINGS, "version": "1.1", "demographics": False})
    assert v11.api_root == "https://sis.example.org/ims/oneroster/v1p1"
    assert v11.scopes == "https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly"


def test_http_settings_from_hub_yaml_keep_the_longer_read_timeout():
    config = OneRosterApiConfig.model_validate({**SETTINGS, "http": {"retries": 2}})
    assert (config.http.retries, config.http.read_timeout) == (2, 120.0)


def test_the_secret_does_not_show():
    config = OneRosterApiConfig.model_validate(SETTINGS)
    assert isinstance(config.client_secret, SecretStr)
    assert "top-secret-value" not in repr(config) and "top-secret-value" not in config.model_dump_json()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"base_urll": "typo"}, "base_urll"),
        ({"base_url": "sis.example.org"}, "a URL starting with https://"),
        ({"base_url": "https://sis.example.org/ims/oneroster/v1p1"}, "without /ims/oneroster"),
        ({"base_url": "https://u:p@sis.example.org"}, "credentials do not belong in the URL"),
        ({"auth": "oauth1"}, "oauth1 is for OneRoster 1.1"),
        ({"token_url": None}, "token_url is needed for oauth2"),
        ({"version": "1.0"}, "version"),
        ({"page_size": 0}, "page_size"),
    ],
)
def test_settings_refuse_mistakes(change, message):
    with pytest.raises(ValidationError, match=message):
        OneRosterApiConfig.model_validate({**SETTINGS, **change})


def test_oauth1_for_11_needs_no_token_url():
    settings = {key: value for key, value in SETTINGS.items() if key != "token_url"}
    config = OneRosterApiConfig.model_validate({**settings, "version": "1.1", "auth": "oauth1"})
    assert config.token_url is None
