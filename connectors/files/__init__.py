"""Files destination: rendered reports written to a folder per district."""

from connectors.files.destination import FilesConfig, FilesDestination
from hub.plugins import hookimpl

__all__ = ["FilesConfig", "FilesDestination"]


@hookimpl
def tutorhub_connectors() -> list[type]:
    return [FilesDestination]
