"""Settings of the OneRoster 1.2 gradebook destination; the client secret comes from the environment."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from hub.connector import DestinationConfig
from hub.http import HttpSettings

SCOPE_PREFIX = "https://purl.imsglobal.org/spec/or/v1p2/scope/"


class GradebookConfig(DestinationConfig):
    base_url: str = Field(description="server root; the connector adds /ims/oneroster/gradebook/v1p2")
    token_url: str = Field(description="the OAuth 2 token endpoint (client credentials)")
    client_id: str = Field(min_length=1)
    client_secret: SecretStr = Field(description="written as {env: NAME} in hub.yaml")
    scope: str = f"{SCOPE_PREFIX}gradebook.createput"
    category_title: str = Field(
        "Tutoring", min_length=1, description="the category tutoring line items sit in"
    )
    learning_objective_source: str = Field(
        "unknown", description='"case" when skills are CASE UUIDs; canonical skill keys are "unknown"'
    )
    http: HttpSettings = HttpSettings()

    @field_validator("base_url", "token_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"a URL starting with https://, not {value!r}")
        return value.rstrip("/")
