"""Where a package's files are: a zip or a folder, files at its root or (tolerated) in one sub-folder.

Files are found by their spec names; a name in another letter case (``userprofiles.csv``) is taken with
a warning, because a person zipping files by hand on Windows cannot see the difference.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import IO

from connectors.oneroster.report import Logs
from connectors.oneroster.schema import KNOWN_STEMS
from hub.archives import check_entry, inside
from hub.connector import ConnectorError

MANIFEST = "manifest.csv"
KNOWN_FILES = (MANIFEST, *(f"{stem}.csv" for stem in KNOWN_STEMS))
_BY_LOWER = {file.lower(): file for file in KNOWN_FILES}

_Source = tuple[Callable[[str], IO[bytes]], Callable[[], None]]  # open an entry; close the package


class Package:
    """The spec-named files of one package, readable by their spec names."""

    def __init__(self, name: str, kind: str, entries: dict[str, str], source: _Source):
        self.name = name  # the zip's or folder's own name, for messages
        self.kind = kind  # "zip" | "folder"
        self.entries = entries  # spec file name -> path inside the package
        self._open, self._close = source

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *_: object) -> None:
        self._close()

    def has(self, file: str) -> bool:
        return file in self.entries

    def read(self, file: str, size: int = -1) -> bytes:
        """The file's bytes (its first ``size`` bytes if given); a damaged entry is a ConnectorError."""
        try:
            with self._open(self.entries[file]) as handle:
                return handle.read(size)
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as error:
            raise ConnectorError(f"{file} cannot be read from {self.name}: {error}", file=file) from None


def open_package(path: Path, logs: Logs) -> Package:
    kind, names, source = _listing(path)
    csvs = [name for name in names if name.lower().endswith(".csv") and not _is_junk(name)]
    folder = _choose_folder(path.name, csvs)
    if folder:
        logs[path.name].warn(
            "nested_folder",
            f"files sit in the sub-folder {folder}/ rather than at the package root; read from there",
        )
    entries: dict[str, str] = {}
    for name in sorted(csvs, key=lambda n: (posixpath.basename(n) not in KNOWN_FILES, n)):
        base = posixpath.basename(name)
        canonical = _BY_LOWER.get(base.lower())
        if posixpath.dirname(name) != folder or canonical is None or canonical in entries:
            reason = "holds CSV files that are not OneRoster files of this package; ignored"
            logs[path.name].warn("unknown_file", reason, value=name)
            continue
        if base != canonical:
            logs[canonical].warn(
                "file_name_case",
                f"named {base}; the spec's name is {canonical} (names are case-sensitive); read anyway",
            )
        entries[canonical] = name
    return Package(path.name, kind, entries, source)


def _listing(path: Path) -> tuple[str, list[str], _Source]:
    if path.is_dir():
        files = [inside(path, p) for p in path.iterdir() if p.is_file()]
        files += [
            inside(path, p) for sub in path.iterdir() if sub.is_dir() for p in sub.iterdir() if p.is_file()
        ]
        names = [p.relative_to(path).as_posix() for p in files]
        return "folder", names, (lambda name: (path / name).open("rb"), lambda: None)
    if not path.exists():
        raise ConnectorError(f"{path} does not exist", file=path.name)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ConnectorError(
            f"{path.name} is neither a folder nor a readable zip file ({error})", file=path.name
        ) from None
    names = [info.filename for info in archive.infolist() if not info.is_dir()]
    return "zip", names, (partial(_open_entry, archive, path.name), archive.close)


def _open_entry(archive: zipfile.ZipFile, package: str, name: str) -> IO[bytes]:
    check_entry(package, archive.getinfo(name))
    return archive.open(name)


def _is_junk(name: str) -> bool:
    # What macOS Finder adds to zips, and hidden files.
    return any(part == "__MACOSX" or part.startswith(".") for part in name.split("/"))


def _choose_folder(package: str, csvs: list[str]) -> str:
    """The one folder holding OneRoster files: the root, or a single sub-folder."""
    folders = sorted({posixpath.dirname(n) for n in csvs if posixpath.basename(n).lower() in _BY_LOWER})
    if not folders or "" in folders:
        return ""
    if len(folders) > 1:
        listed = ", ".join(f"{folder}/" for folder in folders)
        raise ConnectorError(
            f"{package}: OneRoster files sit in several folders ({listed}); a package holds one set "
            "of files, at its root",
            file=package,
        )
    return folders[0]
