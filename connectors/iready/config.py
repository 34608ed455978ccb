"""Settings of the i-Ready source, as written under ``settings:`` in hub.yaml."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from connectors.iready.vocabulary import DEFAULT_BANDS
from hub.connector import ConfigPath, ConnectorConfig

RelativePlacement = Literal[
    "3 or More Grade Levels Below",
    "2 Grade Levels Below",
    "1 Grade Level Below",
    "Early On Grade Level",
    "Mid or Above Grade Level",
]


class IReadyConfig(ConnectorConfig):
    """Where the exports are, and how relative placements become proficiency bands.

    Example::

        settings:
          path: exports/iready/Current_Year      # a file, or a folder of exports
          pattern: "*.csv"                        # in a folder: which files ("**/*.csv" for subfolders)
          band_mapping:                           # only the placements to change; the rest keep 1..5
            Early On Grade Level: 5
    """

    path: ConfigPath
    pattern: str = "*.csv"
    band_mapping: dict[RelativePlacement, int] = Field(default_factory=lambda: dict(DEFAULT_BANDS))
    """Proficiency band (1 lowest .. 5) by relative placement (older spellings are read as these five).
    Default: 3 or more below 1, 2 below 2, 1 below 3, Early On 4, Mid or Above 5."""

    @field_validator("band_mapping")
    @classmethod
    def _complete_bands(cls, bands: dict[str, int]) -> dict[str, int]:
        wrong = {placement: band for placement, band in bands.items() if not 1 <= band <= 5}
        if wrong:
            raise ValueError(f"proficiency bands run from 1 to 5, not {wrong}")
        return {**DEFAULT_BANDS, **bands}
