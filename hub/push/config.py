"""What every destination's settings carry: the one district whose reports it may receive."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, ValidationInfo, model_validator

from hub.connector import ConnectorConfig
from hub.settings import DISTRICT_ID


class DestinationConfig(ConnectorConfig):
    """Base of destination settings.

    ``district_id`` names the district this destination belongs to. When the hub builds the config it
    passes the district in the validation context and fills it in; written by hand in hub.yaml it must
    agree. The push driver refuses to hand a destination any other district's reports.
    """

    district_id: str = Field(
        pattern=DISTRICT_ID.pattern,
        description="filled in by the hub; leave it out",
        json_schema_extra={"reference_default": "the district's id"},
    )

    @model_validator(mode="before")
    @classmethod
    def _district_from_context(cls, data: Any, info: ValidationInfo) -> Any:
        district = (info.context or {}).get("district_id")
        if district is None or not isinstance(data, Mapping):
            return data
        written = data.get("district_id")
        if written is not None and written != district:
            raise ValueError(
                f"district_id {written!r} is not the district it is configured under ({district!r})"
            )
        return {**data, "district_id": district}
