"""The files destination: rendered reports in a folder per district, the shape of an SFTP drop.

Each report becomes ``<directory>/<district_id>/<kind>-<target>.<ext>``; the target is percent-escaped, so
no id can climb out of the folder. A file is written to a temporary name beside it and renamed into place,
so a reader (or the SFTP job that picks the folder up) never sees half a report. A call's files are made
durable together: every temporary file written, then each flushed to disk (after the first flush the
rest are already on disk: one journal commit carries them), then renamed, then the folder flushed once;
``push`` returns only then, so the ledger never records a file that a crash could still take back.
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
    resend_is_harmless = True  # a re-sent report overwrites its own file with the same bytes
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
        results: list[PushResult | None] = []
        staged: list[tuple[int, Path, Path]] = []  # (result index, temporary file, final path)
        for report in reports:
            outcome = self._stage(report)
            if isinstance(outcome, PushResult):
                results.append(outcome)
            else:
                staged.append((len(results), *outcome))
                results.append(None)
        for index, temporary, path in staged:
            existed = path.exists()
            try:
                _flush(temporary)
                os.replace(temporary, path)
            except OSError as error:
                Path(temporary).unlink(missing_ok=True)
                results[index] = _failed(reports[index], error)
                continue
            results[index] = PushResult(
                reports[index].target, PushOutcome.UPDATED if existed else PushOutcome.CREATED
            )
        if staged:
            _flush(self.folder)  # the renames
        return [result for result in results if result is not None]

    def _stage(self, report: RenderedReport) -> PushResult | tuple[Path, Path]:
        """The report's result when there is nothing to write (same content) or it cannot be written; else
        its body written to a temporary file beside its path, not yet flushed: (temporary, path)."""
        if report.content_type not in EXTENSIONS:
            return PushResult(report.target, PushOutcome.FAILED, f"no file type for {report.content_type}")
        path = self.path(report)
        try:
            if path.exists() and path.read_bytes() == report.body:
                return PushResult(report.target, PushOutcome.UNCHANGED)
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(report.body)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            return _failed(report, error)
        return Path(temporary), path


def _failed(report: RenderedReport, error: OSError) -> PushResult:
    return PushResult(report.target, PushOutcome.FAILED, f"{type(error).__name__}: {error.strerror}")


def _flush(path: Path) -> None:
    """fsync a file, or a folder (its entries: the renames into it)."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
