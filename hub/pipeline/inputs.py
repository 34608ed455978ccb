"""A night's cost follows what changed: a source whose files and settings are what its last committed apply
read is neither parsed, normalized nor applied again.

A source's *read key* is its files' content hashes and a digest of what reading them depends on (the
connector's class, its settings, the hub's version); the raw extract keeps the key it was read under, so
a night over the same files reuses the extract instead of parsing. The *apply key* adds the settings of
the stage's transform (the diagnostics policy of matching) and is recorded with the apply's own commit
(``connector_state.inputs``): a failed or refused apply records nothing, so the next night applies again.
A transform whose output depends on warehouse tables names them: when one of them changed since the
source's last apply, the unchanged files are applied again. Matching names none: it reads the roster,
but a roster change is met by matching the stored rows again (``hub.pipeline.record``), not by applying
unchanged files again.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from hub.connector import SourceConnector
from hub.inputs import FileDigests
from hub.pipeline.context import DistrictRun

KEY_PARTS = ("files", "reader", "transform")


def _hub_version() -> str:
    try:
        return version("tutorhub")
    except PackageNotFoundError:  # run from a source tree without installing
        return "source"


def read_key(source: SourceConnector, digests: FileDigests) -> dict[str, Any] | None:
    """The source's files by content hash and what reading them depends on; None if it names no files."""
    files = source.input_files()
    if files is None:
        return None
    kind = type(source)
    reader = f"{kind.__module__}.{kind.__qualname__}|{_hub_version()}|{source.config.model_dump_json()}"
    return {
        "files": {str(path): digests.digest(path) for path in files},
        "reader": hashlib.sha256(reader.encode()).hexdigest(),
    }


def apply_key(key: dict[str, Any], transform_settings: str) -> dict[str, Any]:
    return {**key, "transform": hashlib.sha256(transform_settings.encode()).hexdigest()}


def applied_unchanged(
    run: DistrictRun, connector: str, key: dict[str, Any], reads: tuple[str, ...]
) -> dict[str, Any] | None:
    """What ``connector``'s last committed apply recorded, if it was of exactly ``key`` (an apply key) and
    none of the tables the stage's transform ``reads`` changed since; else None (apply again)."""
    recorded = run.warehouse.applied_inputs(run.district_id, connector)
    if any(recorded.get(part) != key.get(part) for part in KEY_PARTS):
        return None
    if reads:
        applied_in = run.warehouse.last_committed_run(run.district_id, connector)
        if run.warehouse.changed_after(run.district_id, applied_in, reads):
            return None
    return recorded
