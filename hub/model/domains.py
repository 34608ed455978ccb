"""Domain (i-Ready) and goal (MAP) results: stored one row per test, read one row per domain.

Connectors hand in ``domain_result`` rows, one per domain of a test, and analysts and the hub's steps read
them in that shape. The warehouse stores them as ``result_domains``: one row per assessment_result with
``SLOTS`` numbered slots of every domain field (``d1_vendor_domain`` .. ``d8_range_text``), because one
row per domain was the largest write of a night (19.3 M rows at 350,000 students) and a test's domains
always arrive, change and leave together. The SQL view ``domain_result`` unpivots the slots again, so
every vendor field stays queryable on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, MappedColumn, mapped_column

from hub.model.base import SOURCE_ID, Base, Stamped, TenantRow, ViewBase

SLOTS = 8
"""Domains one test can hold: MAP reports Goal1..Goal8, i-Ready ELA six domains and math four."""

DOMAIN_FIELDS = {
    "vendor_domain": String(255),
    "canonical_domain": String(64),  # hub.skills key, null if none fits
    "scale_score": Float(),
    "standard_error": Float(),  # MAP Goal<n>StdErr; i-Ready gives none
    "placement": String(64),
    "grade_levels_below": Integer(),
    "goal_adjective": String(16),  # MAP: Low LoAvg Avg HiAvg High
    "range_text": String(32),
}
"""What each domain of a test holds, in the order of the view's columns."""


def slot_column(slot: int, field: str) -> str:
    """The stored column of ``field`` in the ``slot``-th (1-based) domain of a test: ``d3_placement``."""
    return f"d{slot}_{field}"


def _slot_columns() -> dict[str, MappedColumn[Any]]:
    return {
        slot_column(slot, field): mapped_column(kind.copy())
        for slot in range(1, SLOTS + 1)
        for field, kind in DOMAIN_FIELDS.items()
    }


ResultDomains: type[Base] = type(
    "ResultDomains",
    (TenantRow, Stamped, Base),
    {
        "__module__": __name__,
        "__tablename__": "result_domains",
        "__doc__": """Every domain of one test, in the vendor's order; ``source_id`` is the test's own.

        A slot past the test's last domain is empty (``d<n>_vendor_domain`` null). A re-exported test
        replaces its whole set, so a domain the vendor no longer reports goes with it.
        """,
        **_slot_columns(),
    },
)


class DomainResult(TenantRow, ViewBase):
    """One domain (i-Ready) or goal (MAP) of one test, as the view ``domain_result`` shows it and as
    connectors produce it. ``source_id`` = result source_id + ``:`` + vendor domain."""

    __tablename__ = "domain_result"
    __table_args__ = ({"info": {"shows": ("result_domains",)}},)

    result_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    vendor_domain: Mapped[str] = mapped_column(String(255))
    canonical_domain: Mapped[str | None] = mapped_column(String(64))
    scale_score: Mapped[float | None] = mapped_column(Float)
    standard_error: Mapped[float | None] = mapped_column(Float)
    placement: Mapped[str | None] = mapped_column(String(64))
    grade_levels_below: Mapped[int | None] = mapped_column(Integer)
    goal_adjective: Mapped[str | None] = mapped_column(String(16))
    range_text: Mapped[str | None] = mapped_column(String(32))
