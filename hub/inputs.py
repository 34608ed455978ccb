"""Knowing a source's files unchanged before parsing them: the files at a configured path, and their
content hashes (SHA-256, streamed: a district's session logs are gigabytes).

A hash is remembered with the file's stat signature (size, modification and change times in nanoseconds,
inode, device), so that an unchanged night does not read gigabytes to learn that nothing changed: any
write to a file moves its change time, which no program can set back. A file changed in the last
``SETTLING_NS`` when it was hashed, or that changed while it was hashed (an upload still running), is
hashed again the next time rather than trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

__all__ = ["FileDigests", "content_hash", "files_at"]

SETTLING_NS = 2_000_000_000
"""Two seconds: a file written within one tick of the file system's clock after it was hashed would show
the same times, so only a file that had been still for this long is remembered."""


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


def _signature(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]


class FileDigests:
    """Content hashes by path, remembered in ``store`` (JSON) with each file's stat signature."""

    def __init__(self, store: Path, settling_ns: int = SETTLING_NS) -> None:
        self.store = store
        self.settling_ns = settling_ns
        try:
            self.known: dict[str, list] = json.loads(store.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet, or unreadable: a cache, so hash again
            self.known = {}
        self.changed = False

    def digest(self, path: Path) -> str:
        before = path.stat()
        signature = _signature(before)
        remembered = self.known.get(str(path))
        if remembered and remembered[:-1] == signature:
            return remembered[-1]
        digest = content_hash(path)
        settled = time.time_ns() - max(before.st_mtime_ns, before.st_ctime_ns) >= self.settling_ns
        if settled and _signature(path.stat()) == signature:
            self.known[str(path)] = [*signature, digest]
        else:
            self.known.pop(str(path), None)
        self.changed = True
        return digest

    def save(self) -> None:
        """Write what was learnt (atomically: a half-written store is never read as one)."""
        if not self.changed:
            return
        self.store.parent.mkdir(parents=True, exist_ok=True)
        partial = self.store.with_suffix(".part")
        partial.write_text(json.dumps(self.known), encoding="utf-8")
        partial.replace(self.store)
        self.changed = False
