"""Settings of the Canvas destination (one per district in hub.yaml; the token comes from the environment)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from hub.connector import DestinationConfig
from hub.http import HttpSettings


class CanvasConfig(DestinationConfig):
    base_url: str = Field(description="the Canvas root, e.g. https://district.instructure.com")
    token: SecretStr = Field(description="an API access token, written as {env: NAME} in hub.yaml")
    page_url_prefix: str = Field("tutorhub", pattern=r"^[a-z0-9][a-z0-9-]{0,60}$")
    page_title: str = Field(
        "Tutoring focus",
        min_length=1,
        max_length=255,
        description="kept the same every week: Canvas re-derives a page's url when its title changes",
    )
    publish_pages: bool = Field(
        False,
        description="an unpublished page is seen by the course's teachers only; the teacher report names "
        "students, so publishing it shows classmates who is in tutoring",
    )
    gradebook_column: bool = Field(False, description="also keep a read-only 'Tutoring focus' column")
    column_title: str = Field("Tutoring focus", min_length=1, max_length=255)
    http: HttpSettings = HttpSettings()

    @field_validator("base_url")
    @classmethod
    def _root_url(cls, value: str) -> str:
        value = value.rstrip("/")
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"a URL starting with https://, not {value!r}")
        if value.endswith("/api/v1"):
            raise ValueError("the Canvas root without /api/v1 (the connector adds it)")
        return value
