"""i-Ready (Curriculum Associates) source connector, registered like any third-party plugin."""

from __future__ import annotations

from connectors.iready.config import IReadyConfig
from connectors.iready.lessons import summarise_lessons
from connectors.iready.source import IReadySource
from hub.plugins import hookimpl

__all__ = ["IReadyConfig", "IReadySource", "summarise_lessons"]


@hookimpl
def tutorhub_connectors() -> list[type[IReadySource]]:
    return [IReadySource]
