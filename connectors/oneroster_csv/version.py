"""Which OneRoster version a package is: what the manifest claims, checked against the files' shape.

The shape wins when the two disagree, because the shape is what gets parsed: a "1.1" manifest over a
users.csv without ``role`` cannot be read as 1.1 whatever it claims.
"""

from __future__ import annotations

from connectors.oneroster.report import Logs
from connectors.oneroster_csv.csvread import read_header
from connectors.oneroster_csv.package import MANIFEST, Package

_HEAD_BYTES = 1 << 16
_MARKS_10 = {"userid", "agents"}
_MARKS_11 = {"orgsourcedids", "role"}
_MARKS_12 = {"primaryorgsourcedid", "usermasteridentifier", "preferredgivenname"}


def declared_version(value: str | None) -> str | None:
    """'1.2.1' -> '1.2', 'v1.1' -> '1.1'; None for anything else."""
    text = (value or "").strip().lower().removeprefix("v")
    for version in ("1.0", "1.1", "1.2"):
        if text == version or text.startswith(f"{version}."):
            return version
    return "1.0" if text == "1" else None


def shape_version(package: Package) -> str | None:
    users = (
        {cell.strip().lower() for cell in read_header(package.read("users.csv", _HEAD_BYTES), "users.csv")}
        if package.has("users.csv")
        else set()
    )
    if users & _MARKS_10:
        return "1.0"
    if package.has("roles.csv") or users & _MARKS_12:
        return "1.2"
    if users >= _MARKS_11:
        return "1.1"
    return None


def detect_version(claimed: str | None, package: Package, logs: Logs) -> str:
    log = logs[MANIFEST]
    declared = declared_version(claimed)
    if claimed and declared is None:
        log.warn("version_unknown", f"oneroster.version {claimed!r} is not a version this connector knows")
    shape = shape_version(package)
    if declared is None and shape is None:
        log.warn("version_missing", "no oneroster.version and no telling file shape; read as 1.1")
        version = "1.1"
    elif declared is None:
        log.warn("version_missing", f"no usable oneroster.version; the files' shape says {shape}")
        version = shape
    elif shape is not None and shape != declared:
        log.warn("version_mismatch", f"oneroster.version says {claimed} but the files are shaped as {shape}")
        version = shape
    else:
        version = declared
    if version == "1.0":
        log.warn("version_1_0", "OneRoster 1.0 package: read by column name, 1.0 names mapped to 1.1 ones")
    return version
