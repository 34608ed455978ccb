"""What impact reports and over which spans: the district's settings and the periods measured."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub.tutoring._arrow import require
from hub.tutoring._labels import school_year_text

NO_SESSIONS = "no sessions logged"
"""The dosage band of a tutored student with no session logged in the period; it comes after the others."""


class ImpactPolicy(BaseModel):
    """How impact is reported (hub.yaml ``impact:`` per district)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_n: int = Field(default=10, ge=1, description="cells with fewer students are suppressed")
    dosage_cuts: tuple[float, ...] = Field(
        default=(0.5, 0.8), min_length=1, description="attendance-rate cut points of the dosage bands"
    )

    @field_validator("dosage_cuts")
    @classmethod
    def _increasing(cls, cuts: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 < cut < 1 for cut in cuts) or list(cuts) != sorted(set(cuts)):
            raise ValueError("dosage_cuts must rise strictly, each between 0 and 1 (0.5 = 50 %)")
        return cuts

    def band_labels(self) -> list[str]:
        """``<50 %``, ``50-79 %``, ``>=80 %`` for the default cuts."""
        percents = [round(cut * 100) for cut in self.dosage_cuts]
        middle = [f"{low}-{high - 1} %" for low, high in pairwise(percents)]
        return [f"<{percents[0]} %", *middle, f">={percents[-1]} %"]


@dataclass(frozen=True, slots=True)
class ImpactPeriod:
    """A span impact is measured over: a school year, or one progress-monitoring cycle.

    ``cycle`` is the cycle's source_id (None for a school year): the key a cycle's stored rows are found by.
    """

    label: str
    school_year: int
    start: date
    end: date
    cycle: str | None = None

    @classmethod
    def for_school_year(cls, school_year: int) -> ImpactPeriod:
        """July 1 to June 30 of the school year ending in ``school_year``, labelled ``2025-26``."""
        label = school_year_text(pa.array([school_year]))[0].as_py()
        return cls(label, school_year, date(school_year - 1, 7, 1), date(school_year, 6, 30))

    @classmethod
    def for_cycles(cls, cycles: pa.Table) -> list[ImpactPeriod]:
        """One period per row of the ``cycle`` table, labelled ``cycle 3`` and keyed by its source_id."""
        require(cycles, ["source_id", "school_year", "sequence", "start_date", "end_date"], "cycle")
        return [
            cls(
                f"cycle {row['sequence']}",
                row["school_year"],
                row["start_date"],
                row["end_date"],
                row["source_id"],
            )
            for row in cycles.sort_by([("school_year", "ascending"), ("sequence", "ascending")]).to_pylist()
        ]
