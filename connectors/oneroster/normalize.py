"""A checked extract onto the shared model: renames and casts, in bulk, one table at a time.

Everything here trusts the checks of ``read``: values are in the spec's form already, so casts cannot fail.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from connectors.oneroster.batch import add_table, renamed, split_deletions
from connectors.oneroster.columns import DIRECT, SUBGROUP_FLAGS
from connectors.oneroster.people import add_people
from connectors.oneroster.vocab import flag_canonical, map_distinct
from hub.connector import ConnectorError, Extract, NormalizedBatch, SyncMode

TABLES = (
    "school", "academic_session", "course", "section", "person", "person_role", "enrollment",
    "demographics", "person_identifier",
)  # fmt: skip
"""The shared-model tables a OneRoster extract normalizes to, whichever transport read it."""
_OWN_MODULE = ("person", "person_role")  # built from users and roles together, in people.py


def normalize(extract: Extract) -> NormalizedBatch:
    """The extract's accepted rows as shared-model tables; refuses an extract that is not importable."""
    fatal = next((report for report in extract.files.values() if report.fatal), None)
    if fatal is not None:
        raise ConnectorError(f"the package cannot be imported: {fatal.fatal}", file=fatal.file)
    modes = {file.removesuffix(".csv"): mode for file, mode in extract.info["manifest"].items()}
    batch = NormalizedBatch(tables={}, modes={})
    for table, (stem, columns) in DIRECT.items():
        stream = extract.streams.get(stem)
        if table in _OWN_MODULE or stream is None:
            continue
        mode = SyncMode(modes[stem])
        live, deleted = split_deletions(stream, mode)
        data = renamed(live, columns)
        if table == "section":  # "t1, t2" and "t1,t2" are one list
            data["term_source_ids"] = pc.replace_substring_regex(data["term_source_ids"], r"\s*,\s*", ",")
        if table == "demographics":
            data.update(_subgroup_flags(live))
        add_table(batch, table, data, mode, deleted)
    add_people(batch, extract.streams, modes, extract.info["version"])
    return batch


def _subgroup_flags(stream: pa.Table) -> dict[str, pa.Array]:
    flags: dict[str, pa.Array] = {}
    for column in stream.column_names:
        target = SUBGROUP_FLAGS.get(column.lower())
        if target is None:
            continue
        values = map_distinct(stream.column(column).combine_chunks(), flag_canonical).values.cast(pa.bool_())
        flags[target] = values if target not in flags else pc.coalesce(flags[target], values)
    return flags
