"""Configuration: process-wide ``HubSettings`` from the environment, and the districts file ``hub.yaml``.

hub.yaml holds everything but secrets. A secret is written as ``{env: NAME}`` and resolved through
pydantic-settings from the environment, a ``.env`` file or a secrets directory, so it arrives as a
``SecretStr`` and is never printed. A wrong file stops with the file, the key path and what was expected.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub.connector import DISTRICT_ID, ConnectorConfig
from hub.diagnostics.config import DiagnosticsPolicy
from hub.errors import HubError
from hub.progress.policy import ProgressPolicy
from hub.tutoring.dosage import DosagePlan
from hub.tutoring.impact import ImpactPolicy
from hub.tutoring.policy import TutoringPolicy


class ConfigError(HubError):
    """hub.yaml or the environment is wrong; the message says where and what was expected."""


class HubSettings(BaseSettings):
    """Process-wide settings (``TUTORHUB_`` prefix), e.g. ``TUTORHUB_CONFIG=/etc/tutorhub/hub.yaml``."""

    model_config = SettingsConfigDict(env_prefix="TUTORHUB_", env_file=".env", extra="ignore")

    config: Path = Path("hub.yaml")
    data_dir: Path = Path(".tutorhub")
    secrets_dir: Path | None = None
    log_level: str = "INFO"


class ConnectorEntry(BaseModel):
    """One connector of one district, as written in hub.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        pattern=r"^[a-z][a-z0-9_]{0,62}$",
        description="unique within the district; names the connector's raw extracts and state",
    )
    type: str = Field(description="a registered connector name, see `tutorhub plugins`")
    settings: dict[str, Any] = Field(default_factory=dict)


class DistrictConfig(BaseModel):
    """One district: where its data lives, when its night runs, its connectors and its policies.

    Nothing one district configures can read from or push to another.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=DISTRICT_ID.pattern, description="lower-case id; also the Dagster partition key")
    name: str = Field(description="shown in reports and in the Dagster UI")
    timezone: str = Field(
        default="America/New_York", description="IANA zone the schedule and the week boundaries run in"
    )
    warehouse_url: str | None = Field(
        default=None,
        description="postgresql://user@host/db for production; default: SQLite in the district's data dir",
    )
    data_dir: Path | None = Field(
        default=None, description="raw extracts, reports, embedded warehouse; default: <data_dir>/<id>"
    )
    schedule: str = Field(default="0 2 * * *", description="cron, in the district's timezone")
    schedule_status: Literal["running", "stopped"] = Field(
        default="running",
        description="the nightly schedule's state when Dagster first sees it; the UI's toggle wins after",
    )
    drop_folder: Path | None = Field(
        default=None, description="a sensor starts the night once new files here have settled"
    )
    max_delete_fraction: float = Field(
        default=0.10,
        ge=0.0,
        le=1.0,
        description="deletion guard: a bulk roster removing more of the active students, teachers or "
        "enrollments than this stops before anything changes",
    )
    diagnostics: DiagnosticsPolicy = Field(default_factory=DiagnosticsPolicy)
    tutoring: TutoringPolicy = Field(default_factory=TutoringPolicy)
    dosage: DosagePlan = Field(default_factory=DosagePlan)
    impact: ImpactPolicy = Field(default_factory=ImpactPolicy)
    progress: ProgressPolicy = Field(default_factory=ProgressPolicy)
    part_students: int = Field(
        default=20_000,
        ge=1,
        description="students a step holds in memory at a time where it works in parts of the district "
        "(skill gaps, progress monitoring, dosage, reports, review packets); larger is a little faster and "
        "needs more memory",
    )
    as_of: date | None = Field(
        default=None,
        description="decide as of this date instead of today: the cycle boundaries passed, the week "
        "reported and the school year chosen all follow it (replays of a past night, the demo)",
    )
    connectors: tuple[ConnectorEntry, ...] = Field(
        default=(), description="sources and destinations; each type's settings are listed below"
    )

    @model_validator(mode="after")
    def _one_group_size(self) -> DistrictConfig:
        """``tutoring.max_group_size`` is the one group size: grouping, the dosage flag and the demo."""
        size = self.tutoring.max_group_size
        if "max_group_size" in self.dosage.model_fields_set and self.dosage.max_group_size != size:
            raise ValueError(
                f"dosage.max_group_size ({self.dosage.max_group_size}) differs from tutoring.max_group_size "
                f"({size}); set the group size once, as tutoring.max_group_size"
            )
        if self.dosage.max_group_size != size:
            # frozen: the dosage plan is rebuilt with the one size (validation already ran on both)
            object.__setattr__(self, "dosage", self.dosage.model_copy(update={"max_group_size": size}))
        return self

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"an IANA time zone such as 'America/Chicago', not {value!r}") from None
        return value

    @field_validator("connectors")
    @classmethod
    def _unique_names(cls, entries: tuple[ConnectorEntry, ...]) -> tuple[ConnectorEntry, ...]:
        names = [entry.name for entry in entries]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"connector names must be unique in a district; repeated: {duplicates}")
        return entries

    def data_path(self, hub_data_dir: Path) -> Path:
        return self.data_dir or hub_data_dir / self.id

    def database_url(self, hub_data_dir: Path) -> str:
        return self.warehouse_url or f"sqlite:///{self.data_path(hub_data_dir) / 'warehouse.db'}"


class ExecutorConfig(BaseModel):
    """Which Dagster executor runs a night's steps, with that executor's own config, passed through as is.

    ``in_process`` is the embedded default; ``celery`` (the ``celery`` extra, dagster-celery) sends each
    step to Celery workers. Dagster validates ``config`` itself, and ``{env: NAME}`` in it is read by
    Dagster where the run executes, so a broker password stays out of the file.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["in_process", "multiprocess", "celery"] = "in_process"
    config: dict[str, Any] = Field(default_factory=dict)


class HubFile(BaseModel):
    """hub.yaml: everything but secrets. Relative paths are taken from the folder of the file; a secret is
    written ``{env: NAME}`` and read from the environment, a ``.env`` file or ``TUTORHUB_SECRETS_DIR``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path | None = Field(
        default=None, description="where every district's data lives; default: TUTORHUB_DATA_DIR or .tutorhub"
    )
    executor: ExecutorConfig | None = Field(
        default=None, description="how a night's steps run; absent: Dagster's default, on one machine"
    )
    include: tuple[str, ...] = Field(
        default=(),
        description="district files or globs (** for subfolders), relative to hub.yaml; each file holds one "
        "district, a list of districts, or a `districts:` list; its paths are taken from its own folder",
    )
    districts: tuple[DistrictConfig, ...] = Field(
        default=(), description="one entry per district (at least one here or in the included files)"
    )


@dataclass(frozen=True, slots=True)
class DistrictOrigin:
    """Where a district is written: its file and its key path there (``districts[3]``, or ``""`` for a file
    holding one district). Paths in the district resolve against that file's folder."""

    file: Path
    path: str

    def label(self, district_id: str) -> str:
        """``<file>: district 'x'``: how every problem with this district begins."""
        return f"{self.file}: district {district_id!r}"

    def key(self, *parts: str) -> str:
        """A key path in the district's file: ``districts[3].connectors[0]``, or ``connectors[0]``."""
        return ".".join(part for part in (self.path, *parts) if part)


class HubConfig:
    """hub.yaml and its district files, validated, with paths resolved against each file's folder."""

    def __init__(
        self,
        path: Path,
        parsed: HubFile,
        districts: list[tuple[DistrictConfig, DistrictOrigin]],
        settings: HubSettings,
    ) -> None:
        self.path = path
        self.settings = settings
        self.executor = parsed.executor
        self.data_dir = _resolve(path.parent, parsed.data_dir or settings.data_dir)
        self.origins = {district.id: origin for district, origin in districts}
        self.districts = {
            district.id: district.model_copy(
                update={
                    "data_dir": _resolve(origin.file.parent, district.data_path(self.data_dir)),
                    "drop_folder": _resolve(origin.file.parent, district.drop_folder)
                    if district.drop_folder
                    else None,
                }
            )
            for district, origin in districts
        }

    def district(self, district_id: str) -> DistrictConfig:
        try:
            return self.districts[district_id]
        except KeyError:
            known = ", ".join(sorted(self.districts))
            raise ConfigError(
                f"{self.path}: no district {district_id!r}; configured: {known}", file=str(self.path)
            ) from None


def _resolve(base: Path, value: Path) -> Path:
    value = value.expanduser()
    return value if value.is_absolute() else (base / value).resolve()


def format_validation_error(file: Path | str, error: ValidationError, prefix: str = "") -> str:
    """One line per problem: ``hub.yaml: districts[0].timezone: <what was expected>``."""
    lines = []
    for problem in error.errors(include_url=False, include_input=False):
        path = prefix
        for part in problem["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        lines.append(f"{file}: {path or '(top level)'}: {problem['msg']}")
    return "\n".join(lines)


def _read_yaml(path: Path, hint: str) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found ({hint})", file=str(path)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ConfigError(
            f"{path}: not valid YAML: {error}",
            file=str(path),
            line=mark.line + 1 if mark else None,
            column=str(mark.column + 1) if mark else None,
        ) from None


def _included(base: Path, patterns: tuple[str, ...]) -> Iterator[tuple[Path, Any]]:
    """Each district file the ``include`` patterns name, in sorted order, with its parsed content."""
    for pattern in patterns:
        files = sorted(
            Path(match) for match in glob.glob(str(base / Path(pattern).expanduser()), recursive=True)
        )
        if not files:
            raise ConfigError(f"{base / pattern}: include matched no file")
        for file in files:
            yield file.resolve(), _read_yaml(file, "named by include")


def _raw_districts(
    hub_path: Path, written: list[Any], include: tuple[str, ...]
) -> Iterator[tuple[Any, DistrictOrigin]]:
    """Every district as written, with its file and key path: hub.yaml's own, then the included files'."""
    for index, raw in enumerate(written):
        yield raw, DistrictOrigin(hub_path, f"districts[{index}]")
    for file, content in _included(hub_path.parent, include):
        prefix = "[{}]"
        if isinstance(content, Mapping) and set(content) == {"districts"}:
            content, prefix = content["districts"], "districts[{}]"
        if isinstance(content, Mapping):
            yield content, DistrictOrigin(file, "")
        elif isinstance(content, list):
            for index, raw in enumerate(content):
                yield raw, DistrictOrigin(file, prefix.format(index))
        else:
            raise ConfigError(f"{file}: expected one district (a mapping with an id) or a list of districts")


def _validated_districts(
    hub_path: Path, written: list[Any], include: tuple[str, ...]
) -> list[tuple[DistrictConfig, DistrictOrigin]]:
    """All districts, each checked on its own so one pass reports every problem, naming district and file."""
    districts, problems = [], []
    for raw, origin in _raw_districts(hub_path, written, include):
        district_id = raw.get("id", "?") if isinstance(raw, Mapping) else "?"
        try:
            districts.append((DistrictConfig.model_validate(raw), origin))
        except ValidationError as error:
            problems.append(format_validation_error(origin.label(district_id), error, prefix=origin.path))
    if problems:
        raise ConfigError("\n".join(problems))
    if not districts:
        raise ConfigError(f"{hub_path}: districts: no district configured (write 'districts:' or 'include:')")
    seen: dict[str, DistrictOrigin] = {}
    for district, origin in districts:
        if district.id in seen:
            first = seen[district.id]
            raise ConfigError(
                f"{origin.label(district.id)}: {origin.key('id')}: district ids must be unique; "
                f"also at {first.file}" + (f" {first.path}" if first.path else "")
            )
        seen[district.id] = origin
    return districts


def load_hub_config(path: Path | str | None = None, settings: HubSettings | None = None) -> HubConfig:
    """hub.yaml and every district file it includes; a problem names the file, the district and the key."""
    settings = settings or HubSettings()
    path = Path(path or settings.config)
    raw = _read_yaml(path, "set --config or TUTORHUB_CONFIG")
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{path}: expected a mapping with a 'districts' list at the top level")
    written = raw.get("districts") or []
    if not isinstance(written, list):
        raise ConfigError(f"{path}: districts: expected a list of districts")
    try:  # the districts are checked one by one below, so that each problem names its district and file
        parsed = HubFile.model_validate({key: value for key, value in raw.items() if key != "districts"})
    except ValidationError as error:
        raise ConfigError(format_validation_error(path, error)) from None
    path = path.resolve()
    return HubConfig(path, parsed, _validated_districts(path, written, parsed.include), settings)


class SecretResolver:
    """Turns ``{env: NAME}`` placeholders into values read by pydantic-settings.

    Sources, in pydantic-settings' order: the environment, then ``.env``, then the secrets directory.
    """

    def __init__(self, settings: HubSettings) -> None:
        self._settings = settings

    def lookup(self, names: set[str]) -> dict[str, str | None]:
        if not names:
            return {}
        fields: dict[str, Any] = {name: (str | None, Field(default=None, alias=name)) for name in names}
        model = create_model(  # type: ignore[call-overload]
            "Secrets",
            __base__=BaseSettings,
            __config__=None,
            **fields,
        )
        model.model_config = SettingsConfigDict(
            env_file=".env", secrets_dir=self._settings.secrets_dir, extra="ignore", case_sensitive=True
        )
        values = model()
        return {name: getattr(values, name) for name in names}


def _secret_refs(node: Any) -> set[str]:
    if isinstance(node, Mapping):
        if set(node) == {"env"} and isinstance(node["env"], str):
            return {node["env"]}
        return set().union(*(_secret_refs(value) for value in node.values())) if node else set()
    if isinstance(node, list | tuple):
        return set().union(*(_secret_refs(value) for value in node)) if node else set()
    return set()


def _substitute(node: Any, values: Mapping[str, str | None]) -> Any:
    if isinstance(node, Mapping):
        if set(node) == {"env"} and isinstance(node["env"], str):
            return values[node["env"]]
        return {key: _substitute(value, values) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_substitute(value, values) for value in node]
    return node


def build_connector_config(
    hub: HubConfig,
    district: DistrictConfig,
    entry: ConnectorEntry,
    config_model: type[ConnectorConfig],
    base_dir: Path | None = None,
) -> ConnectorConfig:
    """Validate one connector's settings against its model, secrets resolved, paths made absolute."""
    origin = hub.origins[district.id]
    position = origin.key(f"connectors[{district.connectors.index(entry)}]", "settings")
    refs = _secret_refs(entry.settings)
    values = SecretResolver(hub.settings).lookup(refs)
    missing = sorted(name for name, value in values.items() if value is None)
    if missing:
        raise ConfigError(
            f"{origin.label(district.id)}: {position}: secret(s) {', '.join(missing)} not set; put them in "
            "the environment, a .env file or the secrets directory "
            f"({hub.settings.secrets_dir or 'TUTORHUB_SECRETS_DIR'})",
            file=str(origin.file),
            key=position,
        )
    settings = _substitute(entry.settings, values)
    context = {
        "base_dir": base_dir or origin.file.parent,
        "data_dir": district.data_dir,
        "district_id": district.id,
    }
    try:
        return config_model.model_validate(settings, context=context)
    except ValidationError as error:
        problem = format_validation_error(origin.label(district.id), error, prefix=position)
        raise ConfigError(problem, file=str(origin.file), key=position) from None
