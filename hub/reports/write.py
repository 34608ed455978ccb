"""Rendered reports as files, one folder per report kind (what a file drop or an SFTP share receives)."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from hub.connector import RenderedReport
from hub.reports.rendered import EXTENSIONS

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def file_name(report: RenderedReport) -> str:
    """``<target>.<ext>``; a target with characters a file system may refuse gets them replaced and a
    short hash of the real target added, so two targets never share a file."""
    stem = _UNSAFE.sub("_", report.target).strip("_-") or "report"
    if stem != report.target:
        stem += "-" + hashlib.sha256(report.target.encode()).hexdigest()[:8]
    extension = EXTENSIONS.get(report.content_type, "bin")
    return f"{stem}.{extension}"


def write_reports(reports: Iterable[RenderedReport], out_dir: Path) -> list[Path]:
    """Write each report to ``out_dir/<kind>/<file_name>``, each file replaced whole or not at all."""
    written = []
    made: set[Path] = set()  # a folder per kind, made once rather than asked for per file
    for report in reports:
        path = Path(out_dir) / report.kind / file_name(report)
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(report.body)
        os.replace(partial, path)
        written.append(path)
    return written
