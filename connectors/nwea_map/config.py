"""Settings of the MAP Growth source, as written under a district's connector in hub.yaml."""

from __future__ import annotations

from types import MappingProxyType

from pydantic import Field, field_validator

from hub.connector import ConfigPath, ConnectorConfig

QUINTILES = ("Low", "LoAvg", "Avg", "HiAvg", "High")
"""MAP's achievement quintiles, lowest first: at most the 20th percentile, 21-40, 41-60, 61-80, above 80."""

DEFAULT_BANDS = MappingProxyType(dict(zip(QUINTILES, range(1, 6), strict=True)))
"""Quintile -> proficiency band (1 lowest .. 5): the quintiles are already five ordered bands."""


class MapConfig(ConnectorConfig):
    """Where the export is, and the two judgements a district may want to make differently."""

    path: ConfigPath
    """A folder holding a Comprehensive or Combined Data File export, or the zip NWEA delivers."""
    rapid_guessing_threshold: float = Field(30.0, ge=0, le=100)
    """A test with more rapid guesses than this percentage is flagged ``rushed``. NWEA itself invalidates
    tests far above it; 30 % marks results that are still reported but should not drive a tier decision."""
    band_mapping: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_BANDS))
    """AchievementQuintile -> proficiency band 1..5; quintiles left out keep their default band."""

    @field_validator("band_mapping")
    @classmethod
    def _known_quintiles(cls, mapping: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(mapping) - set(QUINTILES))
        if unknown:
            raise ValueError(f"unknown quintile(s) {unknown}; MAP uses {list(QUINTILES)}")
        out_of_range = sorted(name for name, band in mapping.items() if not 1 <= band <= 5)
        if out_of_range:
            raise ValueError(f"bands must be 1..5 (check {out_of_range})")
        return {**DEFAULT_BANDS, **mapping}
