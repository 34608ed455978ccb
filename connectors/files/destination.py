"""The files destination: rendered reports in a folder per district, the shape of an SFTP drop.

Each report becomes ``<directory>/<district_id>/<kind>-<target>.<ext>``; the target is percent-escaped, so
no id can climb out of the folder. A file is written to a temporary name beside it and renamed into place,
so a reader (or the SFTP job that picks the folder up) never sees half a report.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote

from hub.connector import (
    ConfigPath,
    DestinationConfig,
    DestinationConnector,
    PushOutcome,
    PushResult,
    RenderedReport,
)

EXTENSIONS = {"text/html": "html", "text/csv": "csv", "application/json": "json"}


class FilesConfig(DestinationConfig):
    directory: ConfigPath


class FilesDestination(DestinationConnector):
    name = "files"
    # the review meeting packet names students: a school's own folder is its place, never a course page
    accepts = ("teacher", "tutor", "school", "district", "review_packet")
    content_types: ClassVar[tuple[str, ...]] = tuple(EXTENSIONS)
    config_model = FilesConfig
    config: FilesConfig

    @property
    def folder(self) -> Path:
        return self.config.directory / self.config.district_id

    def path(self, report: RenderedReport) -> Path:
        return (
            self.folder / f"{report.kind}-{quote(report.target, safe='')}.{EXTENSIONS[report.content_type]}"
        )

    def push(self, reports: Sequence[RenderedReport]) -> list[PushResult]:
        return [self._write(report) for report in reports]

    def _write(self, report: RenderedReport) -> PushResult:
        if report.content_type not in EXTENSIONS:
            return PushResult(report.target, PushOutcome.FAILED, f"no file type for {report.content_type}")
        path = self.path(report)
        try:
            existed = path.exists()
            if existed and path.read_bytes() == report.body:
                return PushResult(report.target, PushOutcome.UNCHANGED)
            _atomic_write(path, report.body)
        except OSError as error:
            return PushResult(report.target, PushOutcome.FAILED, f"{type(error).__name__}: {error.strerror}")
        return PushResult(report.target, PushOutcome.UPDATED if existed else PushOutcome.CREATED)


def _atomic_write(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(body)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
