"""manifest.csv: which files a package carries and how (bulk, delta, absent), and what it says it is.

Real manifests say ``manifest.version,1``, misspell keys (``fiel.demographics``) and leave values empty;
where the meaning is clear that is read with a warning. A file the manifest promises but the package lacks
is fatal for that file: a bulk sync of a file cut out of the package would look like everyone leaving.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from connectors.oneroster.report import FileLog, Logs
from connectors.oneroster.schema import KNOWN_STEMS
from connectors.oneroster_csv.csvread import read_csv
from connectors.oneroster_csv.package import MANIFEST, Package

MODES = ("bulk", "delta", "absent")
PROPERTIES = (
    "manifest.version",
    "oneroster.version",
    "source.systemName",
    "source.systemCode",
    *(f"file.{stem}" for stem in KNOWN_STEMS),
)
_BY_LOWER = {name.lower(): name for name in PROPERTIES}
_TYPO_CUTOFF = 0.85


@dataclass(slots=True)
class Manifest:
    present: bool
    properties: dict[str, str] = field(default_factory=dict)  # spec property name -> value as given

    @property
    def version(self) -> str | None:
        return self.properties.get("oneroster.version") or None

    @property
    def source_system(self) -> str | None:
        return self.properties.get("source.systemName") or self.properties.get("source.systemCode") or None


def read_manifest(package: Package, logs: Logs) -> Manifest:
    if not package.has(MANIFEST):
        return Manifest(present=False)
    log = logs[MANIFEST]
    raw = read_csv(package.read(MANIFEST), log)
    if raw is None:
        return Manifest(present=True)
    keys = raw.table.column(0).to_pylist()
    values = raw.table.column(1).to_pylist() if raw.table.num_columns > 1 else [None] * len(keys)
    lines = raw.lines.to_pylist()
    header = [cell.strip().lower() for cell in raw.header[:2]]
    if header != ["propertyname", "value"]:
        if header and header[0] in _BY_LOWER:
            log.warn("manifest_header", "has no propertyName,value header row; first row read as a property")
            keys, values, lines = [raw.header[0], *keys], [_at(raw.header, 1), *values], [1, *lines]
            log.report.rows += 1
        else:
            log.warn("manifest_header", "header row should be propertyName,value; read by position")
    manifest = Manifest(present=True)
    for line, key, value in zip(lines, keys, values, strict=True):
        name = _property((key or "").strip(), manifest.properties, log, line)
        if name is not None:
            manifest.properties[name] = (value or "").strip()
    _check_values(manifest, log)
    log.report.accepted = len(manifest.properties)
    return manifest


def _at(cells: list[str], index: int) -> str | None:
    return cells[index] if index < len(cells) else None


def _property(key: str, seen: dict[str, str], log: FileLog, line: int) -> str | None:
    """The spec property ``key`` stands for, or None when it is unknown or a repeat."""
    name = key if key in PROPERTIES else _BY_LOWER.get(key.lower())
    if name is None and key:
        untaken = [p.lower() for p in PROPERTIES if p not in seen]
        close = difflib.get_close_matches(key.lower(), untaken, n=2, cutoff=_TYPO_CUTOFF)
        name = _BY_LOWER[close[0]] if len(close) == 1 else None
    if name is None:
        log.warn(
            "manifest_unknown_key", "property is not one the spec defines; ignored", line=line, value=key
        )
        return None
    if name != key:
        log.warn("manifest_key_typo", f"property {key!r} read as {name}", line=line, value=key)
    if name in seen:
        log.warn("manifest_duplicate_key", f"{name} is given twice; the first is used", line=line)
        return None
    return name


def _check_values(manifest: Manifest, log: FileLog) -> None:
    given = manifest.properties.get("manifest.version")
    if given is not None and given != "1.0":
        log.warn("manifest_version", f"manifest.version is {given!r} where the spec says 1.0; read as 1.0")
    for name, value in manifest.properties.items():
        if not name.startswith("file.") and name != "oneroster.version":
            continue
        if not value:
            log.warn("manifest_empty_value", f"{name} has no value", column=name)
        elif value.lower() in MODES and value != value.lower():
            log.warn("enum_case", f"{name} is {value!r}; read as {value.lower()}", column=name)


def file_modes(manifest: Manifest, package: Package, logs: Logs) -> dict[str, str]:
    """Spec file name -> how to read it: bulk, delta, or absent (not read). Sets fatal where it must."""
    carried = [stem for stem in KNOWN_STEMS if package.has(f"{stem}.csv")]
    if not manifest.present and carried:
        logs[MANIFEST].warn("manifest_missing", "the package has no manifest.csv; its files are read as bulk")
    modes = {}
    for stem in KNOWN_STEMS:
        file = f"{stem}.csv"
        declared = manifest.properties.get(f"file.{stem}")
        if declared is None and stem not in carried:
            continue
        modes[file] = _mode(file, declared, stem in carried, manifest.present, logs)
    return modes


def _mode(file: str, declared: str | None, carried: bool, has_manifest: bool, logs: Logs) -> str:
    mode = (declared or "").lower()
    if mode in ("bulk", "delta"):
        if not carried:
            logs[file].fatal(f"manifest.csv lists {file} as {mode}, but the package has no {file}")
        return mode if carried else "absent"
    if mode == "absent" or not carried:
        if carried:
            logs[file].warn("manifest_absent_file_present", "manifest.csv says absent; file ignored")
        return "absent"
    if declared is None and has_manifest:
        logs[file].warn("manifest_missing_key", f"manifest.csv does not mention {file}; read as bulk")
    elif declared == "":
        logs[file].warn("manifest_empty_value", f"manifest.csv gives {file} no mode; read as bulk")
    elif declared is not None:
        logs[file].fatal(f"manifest.csv gives {file} the mode {declared!r}; it must be bulk, delta or absent")
        return "absent"
    return "bulk"
