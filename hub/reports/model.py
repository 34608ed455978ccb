"""An alignment report as data: sections of typed tables, notes and charts, before any rendering.

Builders decide every value (and suppress small cells); renderers only lay the data out. So HTML, CSV and
JSON of one report always agree, and a test can check a report's content without parsing HTML.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from hub.reports.figures import Figure

if TYPE_CHECKING:
    from hub.reports.charts import Chart

Kind = Literal["teacher", "tutor", "school", "district", "review_packet"]
Cell = str | int | float | bool | date | Figure | None
"""What a table cell may hold. Aggregates are always a ``Figure`` (value + n, or suppressed)."""


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class DataTable:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def __post_init__(self) -> None:
        width = len(self.columns)
        for number, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(f"row {number} has {len(row)} cells for {width} columns")
            if all(type(value) in _PRESENT or (type(value) is str and value.strip()) for value in row):
                continue  # most rows: every cell a kind that always holds a value, or text that is not blank
            for column, value in zip(self.columns, row, strict=True):
                if _absent(value):
                    raise ValueError(
                        f"row {number}, column {column.key!r} holds {value!r}: an absent value must say "
                        "why (e.g. 'no session logged'), never None, NaN or a blank"
                    )


_PRESENT = frozenset({int, bool, date, datetime, Figure})
"""Cell kinds that cannot be absent (a figure says why it has no value)."""


def _absent(value: Cell) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


@dataclass(frozen=True, slots=True)
class Note:
    text: str
    level: Literal["info", "warning"] = "info"


@dataclass(frozen=True, slots=True)
class Section:
    """One heading of a report. With no table rows and no charts it shows ``empty`` (if any) instead."""

    key: str
    title: str
    table: DataTable | None = None
    charts: tuple[Chart, ...] = ()
    notes: tuple[Note, ...] = ()
    empty: str = "No data yet."

    @property
    def has_data(self) -> bool:
        return bool(self.charts) or (self.table is not None and bool(self.table.rows))


@dataclass(frozen=True, slots=True)
class StudentFocus:
    """A one-line tutoring status for one student, for an LMS column beside the class's grades."""

    student: str
    """The student's source_id (the SIS id the LMS knows them by)."""
    status: str
    skills: tuple[str, ...] = ()
    """Canonical skill domain keys (hub.skills)."""


STATUS_LIMIT = 255
"""Canvas custom gradebook column data holds at most 255 characters."""


@dataclass(frozen=True, slots=True)
class AlignmentReport:
    """One report for one audience and target, for one week of one district."""

    kind: Kind
    target: str
    """Where it goes: a section's, tutor's, school's source_id, or the district id."""
    title: str
    audience: str
    district_id: str
    generated_at: datetime
    """When the report was made (the real time of the night that built it)."""
    data_as_of: date
    """The date the warehouse's data is as of: what the report says, as opposed to when it was made."""
    period_start: date
    period_end: date
    sections: tuple[Section, ...]
    main: str
    """Key of the section whose table is the report's CSV."""
    school_source_id: str | None = None
    students: tuple[StudentFocus, ...] = field(default=())

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(f"{self.kind} report {self.target} has no section {key!r}")

    @property
    def main_table(self) -> DataTable:
        return self.section(self.main).table or DataTable((), ())


def generated_stamps(report: AlignmentReport) -> tuple[str, str]:
    """The generated time as the renderings write it: ISO 8601 (JSON, HTML ``datetime``) and for people.

    Rendered reports carry both as ``volatile``, so the push ledger hashes a report without them.
    """
    when = report.generated_at
    return when.isoformat(), f"{when:%Y-%m-%d %H:%M} {when.tzname()}"
