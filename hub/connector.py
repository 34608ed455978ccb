"""The contract every connector meets, built-in or a vendor's.

A *source* turns a vendor's export into Arrow tables in two steps, so that a rerun or an audit can replay
the raw extract without asking the vendor again:

    extract = source.read(state)               # vendor columns, typed as text, nothing dropped
    batch = source.normalize(extract, district_id)   # shared model tables, keyed (district_id, source_id)

A source declares the ``stage`` of the night it feeds (roster, diagnostics, sessions): the hub runs each
stage's sources together and checks the declaration when the plugin registers, so a source is never
silently left out of the night.

A *destination* takes rendered reports and says, per target, what happened. Its settings derive from
``DestinationConfig``, which names the one district whose reports it may receive; each report carries a
``ReportSummary`` beside its body for destinations that write one value per student.

Connectors never touch the warehouse, Dagster or the network of another district: the hub hands them
their config and state, and stores what they return.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, NotRequired, TypedDict

import pyarrow as pa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from hub.errors import HubError

__all__ = [
    "DISTRICT_ID",
    "SKIPPED_PREFIX",
    "ConfigPath",
    "ConnectorConfig",
    "ConnectorError",
    "DestinationConfig",
    "DestinationConnector",
    "Extract",
    "FileReport",
    "Issue",
    "NormalizedBatch",
    "PushOutcome",
    "PushResult",
    "RenderedReport",
    "ReportSummary",
    "SourceConnector",
    "Stage",
    "StudentSummary",
    "SyncMode",
]

DISTRICT_ID = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
"""A district's id: lower-case, also its Dagster partition key and the folder of its data."""


class ConnectorError(HubError):
    """A whole input cannot be trusted (missing manifest, missing required header, unreadable file).

    The message is written for the IT person who will fix the export: it names the file and what is wrong;
    ``file`` (and ``line``, ``column`` where one place is at fault) say the same for tools.
    """


class ConnectorConfig(BaseModel):
    """Base of every connector's settings; unknown keys in hub.yaml are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _resolve_against_config(value: Path, info: ValidationInfo) -> Path:
    base = (info.context or {}).get("base_dir")
    value = value.expanduser()
    return value if value.is_absolute() or base is None else (Path(base) / value).resolve()


ConfigPath = Annotated[Path, AfterValidator(_resolve_against_config)]
"""A path in a connector's settings; relative paths are taken from the folder of hub.yaml."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding about one cell or row: a reject (the row is not loaded) or a warning (it is, fixed).

    Rejects are one per row; a warning stands for every row of one kind in one file (the first line is
    given, the count is in the reason), so a million fixed grade codes make one warning, not a million.
    ``kind`` is a stable machine name (``missing_required``, ``grade_code``, ...) so that summaries can
    count by kind; ``reason`` is the sentence a person reads. ``value`` may hold student data: it is
    stored in the warehouse for the people who fix exports, and never written to logs.
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    kind: str
    reason: str
    severity: Literal["reject", "warning"] = "reject"
    rows: int = 1
    """How many rows the finding stands for (a warning counts every row of its kind in its file)."""


SKIPPED_PREFIX = "skipped_"
"""Warnings of a kind named ``skipped_<why>`` stand for valid rows the model does not hold (a subject
tutoring does not decide on); `validate` counts them as skipped."""


@dataclass(slots=True)
class FileReport:
    """What reading one file found; the unit the `validate` command prints."""

    file: str
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    warnings: dict[str, int] = field(default_factory=dict)
    fatal: str | None = None

    def warn(self, kind: str, count: int = 1) -> None:
        self.warnings[kind] = self.warnings.get(kind, 0) + count


class SyncMode(StrEnum):
    """How a normalized table relates to what the warehouse holds."""

    BULK = "bulk"  # this is everything: rows missing from it are removed (under the deletion guard)
    DELTA = "delta"  # upserts, plus explicit deletes in NormalizedBatch.deletes
    PATCH = "patch"  # new values for the columns given (source_id plus some), of rows already stored


@dataclass(slots=True)
class Extract:
    """A source's raw read: one Arrow table per stream, in the vendor's own columns; replayed from disk, a
    stream the source reads a block at a time (``SourceConnector.streamed``) is a reader of its blocks."""

    streams: dict[str, pa.Table | pa.RecordBatchReader]
    files: dict[str, FileReport]
    issues: list[Issue]
    info: dict[str, Any] = field(default_factory=dict)  # e.g. detected version, layout, manifest modes

    @property
    def importable(self) -> bool:
        return not any(report.fatal for report in self.files.values())


@dataclass(slots=True)
class NormalizedBatch:
    """Shared-model tables ready for ``warehouse.apply``.

    ``tables`` maps a model table name (``person``, ``enrollment``, ...) to rows in that table's Arrow
    schema, minus ``district_id`` (the hub adds it, so a connector cannot write into another district).
    """

    tables: dict[str, pa.Table]
    modes: dict[str, SyncMode]
    deletes: dict[str, list[str]] = field(default_factory=dict)  # table -> source_ids (delta deletes)
    issues: list[Issue] = field(default_factory=list)
    blocks: Iterable[Mapping[str, pa.Table]] = ()
    """Rows of tables too large to hold whole (a year of session logs), normalized a block of the extract
    at a time: each block holds some rows of each such table, named by the table as in ``tables`` (and in
    ``modes``, never in ``tables`` itself). The warehouse stages them block by block inside the apply's
    one transaction. A row a later block repeats whole is the same row again (a session whose rows lie in
    two blocks gives its head in both); the same key with other values is still a repeated key."""


class Stage(StrEnum):
    """The part of the night a source feeds; each stage's sources are read and applied together."""

    ROSTER = "roster"  # people, schools, sections, enrollments: applied first, under the deletion guard
    DIAGNOSTICS = "diagnostics"  # assessment results: matched to the roster, applied behind the match gate
    SESSIONS = "sessions"  # tutoring sessions and attendance: what the tutoring decisions read


class SourceConnector(ABC):
    """Reads one vendor's exports. Subclasses set the class attributes and implement two methods."""

    kind: ClassVar[Literal["source"]] = "source"
    name: ClassVar[str]
    """Registry name, used as ``type:`` in hub.yaml."""
    stage: ClassVar[Stage]
    """The stage of the night this source feeds; checked when the plugin registers."""
    streams: ClassVar[tuple[str, ...]]
    """The raw streams ``read`` may produce (file stems, API collections)."""
    streamed: ClassVar[tuple[str, ...]] = ()
    """Of those, the streams that may be larger than memory: a stored extract hands them to ``normalize``
    as a ``pa.RecordBatchReader`` of their blocks, not as a table."""
    tables: ClassVar[tuple[str, ...]]
    """The shared-model tables ``normalize`` may produce."""
    config_model: ClassVar[type[ConnectorConfig]]

    def __init__(self, config: ConnectorConfig) -> None:
        self.config = config

    @abstractmethod
    def read(self, state: Mapping[str, Any] | None = None) -> Extract:
        """Read the vendor's export; rows that cannot be read become ``Issue``s, never exceptions.

        Raise ``ConnectorError`` only when the whole input is untrustworthy.
        """

    @abstractmethod
    def normalize(self, extract: Extract) -> NormalizedBatch:
        """Map vendor columns onto the shared model; pure, so that a stored extract can be replayed."""

    def next_state(self, extract: Extract, previous: Mapping[str, Any] | None) -> dict[str, Any]:
        """Incremental cursor to keep after a successful apply (JSON-able). Default: none."""
        return dict(previous or {})

    def input_files(self) -> list[Path] | None:
        """Every file ``read`` may open (a superset will do), so that the hub knows an unchanged input by
        its content hash before parsing it and skips the night's read, normalize and apply of it.

        Default None: the input is not files (a REST service), or the source does not say; it is read and
        applied every night. ``hub.inputs.files_at`` lists a configured file, folder or zip.
        """
        return None


class PushOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"


class StudentSummary(TypedDict):
    """One student's short status in a report, for destinations that write one value per student."""

    student: str  # the student's SIS id / OneRoster sourcedId
    status: str  # short text a teacher reads in a gradebook column
    skills: NotRequired[list[str]]  # canonical skill domain keys (hub.skills)


class ReportSummary(TypedDict, total=False):
    """The structured part of a report beside its rendered body; every key is optional."""

    students: list[StudentSummary]  # teacher reports only
    school: str  # the school's sourcedId; OneRoster line items need one
    period_start: str  # ISO date
    period_end: str  # ISO date


@dataclass(frozen=True, slots=True)
class RenderedReport:
    """One report ready to leave the hub, addressed to one target in one destination."""

    kind: str  # "teacher", "tutor", "school", "district", "review_packet"
    target: str  # stable address in the destination (section SIS id, school id, ...)
    title: str
    content_type: str  # "text/html", "text/csv", "application/json"
    body: bytes
    summary: ReportSummary = field(default_factory=lambda: ReportSummary())
    volatile: tuple[str, ...] = ()
    """Text in ``body`` that changes every night without changing what the report says (when it was
    generated); the push ledger's content hash leaves it out, so an unchanged report is not sent again."""


@dataclass(frozen=True, slots=True)
class PushResult:
    target: str
    outcome: PushOutcome
    detail: str = ""


class DestinationConfig(ConnectorConfig):
    """Base of every destination's settings.

    ``district_id`` names the district this destination belongs to. When the hub builds the config it
    passes the district in the validation context and fills it in; written by hand in hub.yaml it must
    agree. The push driver refuses to hand a destination any other district's reports.
    """

    district_id: str = Field(
        pattern=DISTRICT_ID.pattern,
        description="filled in by the hub; leave it out",
        json_schema_extra={"reference_default": "the district's id"},
    )

    @model_validator(mode="before")
    @classmethod
    def _district_from_context(cls, data: Any, info: ValidationInfo) -> Any:
        district = (info.context or {}).get("district_id")
        if district is None or not isinstance(data, Mapping):
            return data
        written = data.get("district_id")
        if written is not None and written != district:
            raise ValueError(
                f"district_id {written!r} is not the district it is configured under ({district!r})"
            )
        return {**data, "district_id": district}


class DestinationConnector(ABC):
    """Delivers rendered reports. Must be idempotent: pushing the same report twice changes nothing."""

    kind: ClassVar[Literal["destination"]] = "destination"
    name: ClassVar[str]
    accepts: ClassVar[tuple[str, ...]]
    """Report kinds this destination takes."""
    content_types: ClassVar[tuple[str, ...] | None] = None
    """Renderings it takes (``text/html``, ``text/csv``, ``application/json``); None takes every one."""
    config_model: ClassVar[type[DestinationConfig]]
    resend_is_harmless: ClassVar[bool] = False
    """True when sending a report again only rewrites the same bytes in the same place (a folder of files):
    the push then hands it many reports per call and records them in one transaction, and ``push`` makes
    them durable once per call. An LMS, where a send is a request, is handed one report per call."""

    def __init__(self, config: DestinationConfig) -> None:
        self.config = config

    @abstractmethod
    def push(self, reports: Sequence[RenderedReport]) -> list[PushResult]:
        """Send each report; a failure is a ``FAILED`` result with a reason, not an exception."""
