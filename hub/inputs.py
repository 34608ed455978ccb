"""Knowing a source's files unchanged before parsing them: the files at a configured path, and their
content hashes (SHA-256, streamed: a district's session logs are gigabytes)."""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["content_hash", "files_at"]


def files_at(path: Path) -> list[Path] | None:
    """The file at ``path``, or every file under the folder (a superset of what a source reads: a change
    to a file it ignores only costs a read). None when nothing is there, so the read itself says why."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(found for found in path.rglob("*") if found.is_file())
    return None


def content_hash(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()
