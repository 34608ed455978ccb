"""OneRoster 1.2 gradebook destination: per-student tutoring statuses as line items and results."""

from connectors.oneroster_gradebook.config import GradebookConfig
from connectors.oneroster_gradebook.destination import GradebookDestination
from hub.plugins import hookimpl

__all__ = ["GradebookConfig", "GradebookDestination"]


@hookimpl
def tutorhub_connectors() -> list[type]:
    return [GradebookDestination]
