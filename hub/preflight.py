"""``tutorhub check``: prove hub.yaml can run before anything runs.

Each connector of each district is looked at in the order a night would trip over it: its type is
installed, its settings pass its model (secrets resolved, never shown), the files it reads exist and are
readable, the folders it writes can be written, and, when asked, its servers answer. `sync` and every
Dagster step run the same offline check first, so a typo stops in seconds with one message instead of
deep inside a run.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from hub.connector import ConnectorConfig
from hub.plugins import ConnectorRegistry, UnknownConnectorError
from hub.settings import ConfigError, ConnectorEntry, DistrictConfig, HubConfig, build_connector_config

SERVER_FAILING = frozenset({500, 502, 503, 504})  # a 501 or 405 still proves someone is there
ONLINE_TIMEOUT = 5.0  # seconds; a server that answers nothing in this long will not answer a night either


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing that stops a district's night: where it is, what was expected, what to do."""

    district: str
    file: Path
    key: str
    expected: str
    action: str

    def __str__(self) -> str:
        return f"{self.file}: district {self.district!r}: {self.key}: {self.expected}; {self.action}"


class PreflightError(ConfigError):
    """hub.yaml cannot run as written; every problem found, one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def district_place(hub: HubConfig, district: DistrictConfig) -> tuple[Path, str]:
    """The file that holds ``district`` (hub.yaml or an included district file) and its key path there."""
    origin = hub.origins[district.id]
    return origin.file, origin.key()


def check_hub(
    hub: HubConfig, registry: ConnectorRegistry, district_ids: Iterable[str] | None = None, *, online: bool
) -> list[Problem]:
    """Every problem of the named districts (default: all), in file order."""
    ids = list(district_ids) if district_ids is not None else list(hub.districts)
    return [
        problem
        for district_id in ids
        for problem in check_district(hub, hub.district(district_id), registry, online=online)
    ]


def require_ready(hub: HubConfig, district: DistrictConfig, registry: ConnectorRegistry) -> None:
    """The offline check every run makes first; raises with every problem found."""
    problems = check_district(hub, district, registry, online=False)
    if problems:
        raise PreflightError(problems)


def check_district(
    hub: HubConfig, district: DistrictConfig, registry: ConnectorRegistry, *, online: bool
) -> list[Problem]:
    origin = hub.origins[district.id]
    problems = []
    for number, entry in enumerate(district.connectors):
        key = origin.key(f"connectors[{number}]")
        problems.extend(_check_entry(hub, district, entry, key, registry, online))
    if online and district.warehouse_url and (silence := _database_silence(district.warehouse_url)):
        problems.append(
            _problem(hub, district, origin.key("warehouse_url"), silence,
                     "check the server, the database name and this machine's access to it")
        )  # fmt: skip
    if district.drop_folder is not None and not district.drop_folder.is_dir():
        problems.append(
            _problem(hub, district, origin.key("drop_folder"),
                     f"a folder, but {district.drop_folder} is none",
                     "create it or correct the path (relative paths start at the folder of hub.yaml)")
        )  # fmt: skip
    return problems


def _problem(hub: HubConfig, district: DistrictConfig, key: str, expected: str, action: str) -> Problem:
    return Problem(district.id, district_place(hub, district)[0], key, expected, action)


def _check_entry(
    hub: HubConfig,
    district: DistrictConfig,
    entry: ConnectorEntry,
    key: str,
    registry: ConnectorRegistry,
    online: bool,
) -> list[Problem]:
    try:
        info = registry.get(entry.type)
    except UnknownConnectorError:
        close = difflib.get_close_matches(entry.type, registry.connectors, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        broken = f" and the {len(registry.failures)} that failed to load" if registry.failures else ""
        return [
            _problem(hub, district, f"{key}.type",
                     f"an installed connector type, not {entry.type!r}",
                     f"{hint}`tutorhub plugins` lists the installed ones{broken}")
        ]  # fmt: skip
    try:
        config = build_connector_config(hub, district, entry, info.cls.config_model)
    except ConfigError as error:
        return [_settings_problem(hub, district, key, line) for line in str(error).splitlines()]
    problems = [
        _problem(hub, district, f"{key}.settings.{name}", expected, action)
        for name, expected, action in _path_problems(config, writes=info.kind == "destination")
    ]
    if online and not problems:
        problems += [
            _problem(hub, district, f"{key}.settings.{name}", expected, action)
            for name, expected, action in _url_problems(config)
        ]
    return problems


def _settings_problem(hub: HubConfig, district: DistrictConfig, key: str, line: str) -> Problem:
    """A settings error from the connector's model (``<file>: [district 'x': ]<key>: <message>``)."""
    rest = line.removeprefix(f"{district_place(hub, district)[0]}: ").removeprefix(
        f"district {district.id!r}: "
    )
    path, _, expected = rest.partition(": ")
    action = (
        "set it where the message says; the value is never printed"
        if "secret" in expected
        else "correct the setting; the README's settings reference lists each connector's keys"
    )
    return _problem(hub, district, path or key, expected or line, action)


def _fields(config: BaseModel, prefix: str = "") -> Iterator[tuple[str, object]]:
    for name in type(config).model_fields:
        value = getattr(config, name)
        if isinstance(value, BaseModel):
            yield from _fields(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", value


def _path_problems(config: ConnectorConfig, *, writes: bool) -> Iterator[tuple[str, str, str]]:
    """Sources read their paths; destinations write under theirs (created when missing)."""
    for name, value in _fields(config):
        if not isinstance(value, Path):
            continue
        if writes:
            existing = next(p for p in (value, *value.parents) if p.exists())
            if not os.access(existing, os.W_OK):
                yield name, f"a folder this user can write, but {existing} is not writable", "fix its owner"
        elif not value.exists():
            yield (
                name,
                f"an existing file or folder, but {value} does not exist",
                ("correct the path (relative paths start at the folder of hub.yaml) or wait for the export"),
            )
        elif not os.access(value, os.R_OK | (os.X_OK if value.is_dir() else 0)):
            yield (
                name,
                f"a readable file or folder, but {value} cannot be read by this user",
                ("give this user read permission"),
            )


def _url_problems(config: ConnectorConfig) -> Iterator[tuple[str, str, str]]:
    """Any answer (even 401 or 404) proves the server is there; silence or a failing server does not."""
    import requests

    for name, value in _fields(config):
        if not (isinstance(value, str) and value.startswith(("http://", "https://"))):
            continue
        try:
            with requests.get(value, timeout=ONLINE_TIMEOUT, stream=True) as response:  # headers only
                status = response.status_code
        except requests.RequestException as error:
            yield (
                name,
                f"a server that answers at {value}, but {type(error).__name__}",
                ("check the address, DNS and firewall from this machine"),
            )
            continue
        if status in SERVER_FAILING:
            yield (
                name,
                f"a server that answers at {value}, but it says HTTP {status}",
                ("the service is failing; try later or ask its operator"),
            )


def _database_silence(url: str) -> str | None:
    """Why the warehouse does not answer (its URL shown without a password), or None when it does."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    shown = make_url(url).render_as_string(hide_password=True)
    arguments = {"connect_timeout": int(ONLINE_TIMEOUT)} if url.startswith("postgresql") else {}
    engine = create_engine(url, connect_args=arguments)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(error.orig or error).strip().splitlines()[0]
        return f"a database that answers at {shown}, but: {reason}"
    finally:
        engine.dispose()
    return None
