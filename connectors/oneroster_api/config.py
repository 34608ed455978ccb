"""Settings of the OneRoster REST source; the client secret comes from the environment, never the file."""

from __future__ import annotations

from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from connectors.oneroster_api.binding import API_PATHS, SCOPE_PREFIXES, Version
from hub.connector import ConnectorConfig
from hub.http import HttpSettings


class RosterHttpSettings(HttpSettings):
    """hub.http's settings with a longer read timeout: a page of 1,000 users can take a slow SIS a while."""

    read_timeout: float = Field(120.0, gt=0)


class OneRosterApiConfig(ConnectorConfig):
    base_url: str = Field(description="the service root; the connector adds /ims/oneroster/...")
    version: Version = "1.2"
    auth: Literal["oauth2", "oauth1"] = Field(
        "oauth2",
        description="oauth2: client credentials (1.2 requires it, many 1.1 services take it); "
        "oauth1: OAuth 1.0a HMAC-SHA1 request signing, 1.1 only",
    )
    token_url: str | None = Field(None, description="the OAuth 2 token endpoint; needed for oauth2")
    client_id: str = Field(min_length=1)
    client_secret: SecretStr = Field(description="written as {env: NAME} in hub.yaml")
    scope: str | None = Field(
        None, description="default: roster.readonly, or roster-core.readonly when demographics is off"
    )
    demographics: bool = Field(
        True, description="read /demographics (needs roster.readonly or roster-demographics.readonly)"
    )
    page_size: int = Field(
        1000,
        ge=1,
        le=10_000,
        description="objects asked for per request (limit); a service that sends fewer is followed anyway",
    )
    delta: bool = Field(
        False,
        description="after the first (bulk) read, ask only for objects changed since the last applied read",
    )
    http: HttpSettings = Field(RosterHttpSettings(), description="timeouts and retries")

    @field_validator("http", mode="before")
    @classmethod
    def _http(cls, value: object) -> object:
        """Settings from hub.yaml (a mapping) keep this connector's defaults for what they leave out."""
        return RosterHttpSettings.model_validate(value) if isinstance(value, dict) else value

    @field_validator("base_url", "token_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError(f"a URL starting with https://, not {value!r}")
        return None if value is None else value.rstrip("/")

    @field_validator("base_url")
    @classmethod
    def _root(cls, value: str) -> str:
        if "/ims/oneroster" in value:
            raise ValueError("the service root without /ims/oneroster/... (the connector adds it)")
        if "@" in urlsplit(value).netloc:
            raise ValueError("credentials do not belong in the URL; use client_id and client_secret")
        return value

    @model_validator(mode="after")
    def _auth_fits_version(self) -> Self:
        if self.auth == "oauth1" and self.version != "1.1":
            raise ValueError("oauth1 is for OneRoster 1.1; 1.2 services take OAuth 2 client credentials")
        if self.auth == "oauth2" and self.token_url is None:
            raise ValueError("token_url is needed for oauth2 (client credentials)")
        return self

    @property
    def api_root(self) -> str:
        return f"{self.base_url}{API_PATHS[self.version]}"

    @property
    def scopes(self) -> str:
        """What the token request asks for: the configured scope, or the read-only roster scope."""
        if self.scope is not None:
            return self.scope
        name = "roster.readonly" if self.demographics else "roster-core.readonly"
        return f"{SCOPE_PREFIXES[self.version]}{name}"
