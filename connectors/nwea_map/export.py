"""Finding the files of one MAP export: a folder, the zip NWEA delivers, or a single file."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

import pyarrow as pa

from connectors.nwea_map.csvfile import Opener
from hub.archives import check_entry, inside
from hub.connector import ConnectorError

_SUFFIXES = (".csv", ".txt")  # .txt: the tab-delimited "combined with teacher" file


@dataclass(frozen=True, slots=True)
class ExportFile:
    name: str
    """As the IT person sees it: the path inside the folder or the zip."""
    open: Opener


def export_files(path: Path) -> list[ExportFile]:
    """Every CSV/TXT file of the export, in a stable order."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = sorted(
                info.filename
                for info in archive.infolist()
                if not info.is_dir() and info.filename.lower().endswith(_SUFFIXES)
            )
        return [ExportFile(member, partial(_open_member, path, member)) for member in members]
    if path.is_dir():
        found = sorted(
            inside(path, p) for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES
        )
        # A native file, not a Python one: pyarrow then reads without taking the GIL per block.
        return [ExportFile(p.relative_to(path).as_posix(), partial(pa.OSFile, str(p))) for p in found]
    if path.is_file():  # one file of the export on its own, under whatever name it was saved
        return [ExportFile(path.name, partial(pa.OSFile, str(path)))]
    raise ConnectorError(
        f"{path} does not exist (expected a MAP data export: a folder, a zip or one file)", file=str(path)
    )


def file_digest(export_file: ExportFile) -> str:
    """The SHA-256 of the file's bytes (a zip member's once inflated), as ``hub.inputs.content_hash``."""
    digest = hashlib.sha256()
    with export_file.open() as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _open_member(path: Path, member: str) -> Iterator[IO[bytes]]:
    with zipfile.ZipFile(path) as archive:
        check_entry(path.name, archive.getinfo(member))
        with archive.open(member) as stream:
            yield stream
