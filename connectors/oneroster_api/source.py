"""The OneRoster REST source: a rostering service in, the same streams and columns as a CSV package out.

The way through ``read``: walk each collection (client.py), flatten its objects into the CSV binding's rows
(flatten.py, collect.py), then run the CSV connector's own checks over them, file by file and across files,
exactly as for a package. Because the extract looks like a package's, ``normalize`` *is* the CSV
connector's: one mapping onto the shared model for both bindings. A collection read with a cursor is a
delta (upserts, ``tobedeleted`` deletions); one read without is bulk, the whole truth (cursor.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from connectors.oneroster.fields import check_fields
from connectors.oneroster.normalize import TABLES, normalize
from connectors.oneroster.references import check_references
from connectors.oneroster.report import FileLog
from connectors.oneroster.rows import Rows
from connectors.oneroster.schema import ORDER, file_specs
from connectors.oneroster_api.binding import COLLECTIONS, ROLES
from connectors.oneroster_api.client import RosterClient
from connectors.oneroster_api.collect import collect
from connectors.oneroster_api.config import OneRosterApiConfig
from connectors.oneroster_api.cursor import advance, cursors_to_use
from hub.connector import ConnectorConfig, Extract, NormalizedBatch, SourceConnector, Stage

log = logging.getLogger(__name__)

ROLES_LOG = "users.roles"  # findings about the roles inside users[], at the position of their user


class OneRosterApiSource(SourceConnector):
    name: ClassVar[str] = "oneroster_api"
    stage: ClassVar[Stage] = Stage.ROSTER
    streams: ClassVar[tuple[str, ...]] = ORDER
    tables: ClassVar[tuple[str, ...]] = TABLES
    config_model: ClassVar[type[ConnectorConfig]] = OneRosterApiConfig

    config: OneRosterApiConfig

    def read(self, state: Mapping[str, Any] | None = None) -> Extract:
        return read_service(self.config, state)

    def normalize(self, extract: Extract) -> NormalizedBatch:
        return normalize(extract)

    def next_state(self, extract: Extract, previous: Mapping[str, Any] | None) -> dict[str, Any]:
        """Per collection, the newest dateLastModified read: where tomorrow's delta starts."""
        return advance(previous, extract.info)


class RestLog(FileLog):
    """A collection's findings. The CSV binding's rule that bulk rows leave status and dateLastModified
    blank has no REST counterpart (every object carries both), so that warning is not raised here."""

    def warn(self, kind: str, reason: str, **details: Any) -> None:
        if kind != "bulk_lifecycle_fields":
            super().warn(kind, reason, **details)


def read_service(config: OneRosterApiConfig, state: Mapping[str, Any] | None) -> Extract:
    specs = {spec.stem: spec for spec in file_specs(config.version)}
    since = cursors_to_use(state, config.api_root) if config.delta else {}
    wanted = [c for c in COLLECTIONS if config.demographics or c != "demographics"]
    logs: dict[str, FileLog] = {}
    checked: dict[str, Rows] = {}
    modes: dict[str, str] = {}
    cursors: dict[str, str | None] = {}
    with RosterClient(config) as client:
        for collection in wanted:
            mode = modes[collection] = "delta" if collection in since else "bulk"
            logs[collection] = RestLog(collection)
            roles = specs[ROLES].columns if collection == "users" and ROLES in specs else None
            got = collect(
                client.pages(collection, since.get(collection)),
                specs[collection].columns,
                logs[collection],
                users=collection == "users",
                role_columns=roles,
            )
            cursors[collection] = got.cursor
            checked[collection] = Rows(specs[collection], got.table, got.lines, mode, logs[collection])
            checked[collection].rejected_ids.update(got.rejected_ids)
            if got.roles is not None:
                modes[ROLES] = mode
                logs[ROLES_LOG] = RestLog(ROLES_LOG)
                logs[ROLES_LOG].report.rows = got.roles[0].num_rows
                checked[ROLES] = Rows(specs[ROLES], *got.roles, mode, logs[ROLES_LOG])
    for stem in ORDER:
        if stem in checked:
            check_fields(checked[stem], config.version)
    check_references(checked, config.version)
    streams = {stem: checked[stem].accepted() for stem in ORDER if stem in checked}
    delta = sorted(name for name, mode in modes.items() if mode == "delta")
    log.info(
        "read OneRoster API %s: %d collections, %d objects; delta: %s",
        config.version,
        len(wanted),
        sum(logs[c].report.rows for c in wanted),
        ", ".join(delta) or "none",
    )
    info = {"version": config.version, "manifest": modes, "api": config.api_root, "cursors": cursors}
    reports = {name: file_log.report for name, file_log in logs.items()}
    return Extract(
        streams, reports, [issue for file_log in logs.values() for issue in file_log.issues()], info
    )
