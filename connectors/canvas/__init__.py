"""Canvas LMS destination: teacher reports as course pages and an optional gradebook status column."""

from connectors.canvas.config import CanvasConfig
from connectors.canvas.destination import CanvasDestination
from hub.plugins import hookimpl

__all__ = ["CanvasConfig", "CanvasDestination"]


@hookimpl
def tutorhub_connectors() -> list[type]:
    return [CanvasDestination]
