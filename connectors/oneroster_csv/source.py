"""The OneRoster CSV source: a package (zip or folder) in, checked roster tables and findings out.

The way through ``read``: find the files (package.py), read the manifest (manifest.py) and settle the
version (version.py); then per roster file, in dependency order, parse it (csvread.py, ragged.py), name
its columns (headers.py) and check its fields (lifecycle.py, fields.py); last, check references across
files (references.py). ``normalize`` (normalize.py, people.py) maps the accepted rows onto the model.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa

from connectors.oneroster.fields import check_fields
from connectors.oneroster.normalize import TABLES, normalize
from connectors.oneroster.references import check_references
from connectors.oneroster.report import FileLog, Logs
from connectors.oneroster.rows import Rows
from connectors.oneroster.schema import IGNORED, ORDER, FileSpec, file_specs
from connectors.oneroster_csv.csvread import read_csv
from connectors.oneroster_csv.headers import name_columns
from connectors.oneroster_csv.manifest import file_modes, read_manifest
from connectors.oneroster_csv.package import Package, open_package
from connectors.oneroster_csv.version import detect_version
from hub.connector import (
    ConfigPath,
    ConnectorConfig,
    ConnectorError,
    Extract,
    NormalizedBatch,
    SourceConnector,
    Stage,
)
from hub.inputs import files_at

log = logging.getLogger(__name__)


class OneRosterCsvConfig(ConnectorConfig):
    path: ConfigPath
    """The package: a .zip, or a folder holding its CSV files."""
    strict: bool = False
    """Raise ``ConnectorError`` from ``read`` when any file cannot be trusted, instead of returning an
    extract that says so (``Extract.importable``): a nightly sync wants the former, ``validate`` the
    latter, to list every file's findings."""


class OneRosterCsvSource(SourceConnector):
    name: ClassVar[str] = "oneroster_csv"
    stage: ClassVar[Stage] = Stage.ROSTER
    streams: ClassVar[tuple[str, ...]] = ORDER
    tables: ClassVar[tuple[str, ...]] = TABLES
    config_model: ClassVar[type[ConnectorConfig]] = OneRosterCsvConfig

    config: OneRosterCsvConfig

    def read(self, state: Mapping[str, Any] | None = None) -> Extract:
        extract = read_package(self.config.path)
        fatal = next((report for report in extract.files.values() if report.fatal), None)
        if self.config.strict and fatal is not None:
            raise ConnectorError(fatal.fatal or "", file=fatal.file)
        return extract

    def normalize(self, extract: Extract) -> NormalizedBatch:
        return normalize(extract)

    def input_files(self) -> list[Path] | None:
        return files_at(self.config.path)


def read_package(path: Path) -> Extract:
    """Read and check every roster file of the package at ``path``."""
    logs = Logs()
    with open_package(path, logs) as package:
        manifest = read_manifest(package, logs)
        if not manifest.present and not any(package.has(f"{stem}.csv") for stem in ORDER):
            raise ConnectorError(
                f"{package.name} has no manifest.csv and none of the OneRoster files "
                f"({', '.join(f'{stem}.csv' for stem in ORDER)}); is it a OneRoster package?",
                file=package.name,
            )
        modes = file_modes(manifest, package, logs)
        version = detect_version(manifest.version, package, logs)
        _note_ignored(modes, logs)
        checked: dict[str, Rows] = {}
        for spec in file_specs(version):
            mode = modes.get(spec.file, "absent")
            rows = None if mode == "absent" else _read_file(package, spec, mode, logs[spec.file])
            if rows is not None:
                check_fields(rows, version)
                checked[spec.stem] = rows
        check_references(checked, version)
    streams = {stem: rows.accepted() for stem, rows in checked.items()}
    log.info("read OneRoster %s package %s: %d files", version, package.name, len(streams))
    info = {
        "version": version,
        "declared_version": manifest.version,
        "manifest": modes,
        "source_system": manifest.source_system,
        "package": package.name,
        "layout": package.kind,
    }
    return Extract(streams, logs.reports(), logs.issues(), info)


def _read_file(package: Package, spec: FileSpec, mode: str, file_log: FileLog) -> Rows | None:
    try:
        raw = read_csv(package.read(spec.file), file_log)
    except ConnectorError as error:
        file_log.fatal(str(error))
        return None
    except pa.ArrowInvalid as error:
        file_log.fatal(f"{spec.file} cannot be read as CSV: {error}")
        return None
    if raw is None:
        return None
    required = spec.required + (("status", "dateLastModified") if mode == "delta" else ())
    table = name_columns(raw, spec, required, file_log)
    return None if table is None else Rows(spec, table, raw.lines, mode, file_log)


def _note_ignored(modes: dict[str, str], logs: Logs) -> None:
    for stem in IGNORED:
        file = f"{stem}.csv"
        if modes.get(file, "absent") == "absent":
            continue
        why = (
            "per-application accounts are not part of the tutoring roster"
            if stem == "userProfiles"
            else "gradebook and resources files are not rosters"
        )
        logs[file].warn("ignored_file", f"{file} is not read: {why}")
