"""Reading a vendor's zip or drop folder without trusting it.

A zip entry is checked before a byte of it is inflated: a password, a compression Python cannot inflate
(Deflate64, which Windows Explorer writes for large files) and a bomb (a small entry claiming gigabytes,
or a ratio no CSV reaches) are refused with a message, never an exception from deep inside zipfile.
zipfile itself stops an entry at its declared size, so the declared size is a real cap. A drop folder's
files are taken only where they really are inside it: a link to /etc/passwd or to another district's
folder is refused, as is an entry name that climbs out of its folder.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from hub.connector import ConnectorError

__all__ = ["MAX_ENTRY_BYTES", "MAX_RATIO", "check_entry", "inside", "unzipped"]

MAX_ENTRY_BYTES = 8 << 30  # far past any district's export, short of filling a disk
MAX_RATIO = 100  # CSV exports inflate 5-30x; past 100x a 10 MB zip would make a gigabyte: a bomb
_RATIO_FROM_BYTES = 64 << 20  # small entries may compress as well as they like
_READABLE = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_METHODS = {9: "Deflate64", 12: "BZIP2", 14: "LZMA", 93: "Zstandard", 95: "XZ", 98: "PPMd", 99: "AES"}


def check_entry(archive: str, info: zipfile.ZipInfo) -> None:
    """Refuse an entry that cannot or should not be inflated; say what to do instead."""
    where = f"{archive}: {info.filename}"
    if PurePosixPath(info.filename).is_absolute() or ".." in PurePosixPath(info.filename).parts:
        raise ConnectorError(f"{where}: the entry's name leaves the archive's folder; refused", file=archive)
    if info.flag_bits & 0x1:
        raise ConnectorError(
            f"{where} is password-protected; export or zip the files again without a password",
            file=archive,
        )
    if info.compress_type not in _READABLE:
        method = _METHODS.get(info.compress_type, f"method {info.compress_type}")
        raise ConnectorError(
            f"{where} is compressed with {method}, which the hub cannot inflate; zip the files again "
            "with standard (Deflate) compression",
            file=archive,
        )
    if info.file_size > MAX_ENTRY_BYTES:
        raise ConnectorError(
            f"{where} inflates to {info.file_size:,} bytes, past the hub's limit of {MAX_ENTRY_BYTES:,}",
            file=archive,
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_FROM_BYTES and ratio > MAX_RATIO:
        raise ConnectorError(
            f"{where} inflates {ratio:,.0f} times ({info.compress_size:,} to {info.file_size:,} bytes), "
            f"past the {MAX_RATIO}x no real export reaches: refused as a zip bomb",
            file=archive,
        )


def inside(folder: Path, path: Path) -> Path:
    """``path`` if it really lies under ``folder`` once links are followed; else a ConnectorError."""
    real = path.resolve()
    if not real.is_relative_to(folder.resolve()):
        shown = path.relative_to(folder) if path.is_relative_to(folder) else path
        raise ConnectorError(
            f"{folder}/{shown} is a link to a file outside the configured folder; refused (copy the file "
            "into the folder instead)",
            file=str(shown),
        )
    return path


@contextmanager
def unzipped(archive_path: Path, wanted: Callable[[str], bool]) -> Iterator[Path]:
    """A scratch folder holding the zip's ``wanted`` members (by entry name), each checked before a byte of
    it is written out: the readers map files, not streams. The folder is gone when the block ends."""
    scratch = tempfile.TemporaryDirectory(prefix="tutorhub-zip-")
    with scratch, zipfile.ZipFile(archive_path) as archive:
        for info in archive.infolist():
            if not info.is_dir() and wanted(info.filename):
                check_entry(archive_path.name, info)
                archive.extract(info, scratch.name)  # zipfile drops absolute and ".." parts of names
        yield Path(scratch.name)


@contextmanager
def drop_files(path: Path, wanted: Callable[[str], bool], setting: str, nothing: str) -> Iterator[list[Path]]:
    """The files a source configured with ``path`` reads, in name order: the file itself, a folder's own
    ``wanted`` files, or every ``wanted`` file of a zip (written out by ``unzipped`` for the block).

    ``setting`` names the setting in messages ("session_log path"); ``nothing`` says what a folder
    without such files lacks ("no session log files (*.csv, *.jsonl)").
    """
    if zipfile.is_zipfile(path):
        with unzipped(path, wanted) as folder:
            yield _listed(folder, folder.rglob("*"), wanted, nothing)
        return
    if path.is_file():
        yield [path]
        return
    if not path.is_dir():
        raise ConnectorError(f"{path}: no such file or folder ({setting})", file=str(path))
    yield _listed(path, path.iterdir(), wanted, nothing)


def _listed(folder: Path, found: Iterator[Path], wanted: Callable[[str], bool], nothing: str) -> list[Path]:
    files = sorted(inside(folder, p) for p in found if p.is_file() and wanted(p.name))
    if not files:
        raise ConnectorError(f"{folder}: {nothing} in this folder", file=str(folder))
    return files
