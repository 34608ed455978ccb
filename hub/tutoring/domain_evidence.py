"""What an exit reads of the domain results, asked for at each boundary rather than held whole.

Domain results are a district's largest diagnostic table (one row per domain: at 20,000 students 1.1 M
rows, at 350,000 about 19 M), yet a boundary's exits read the domains of one test per open membership
only: its student's latest test in the group's subject (``hub.tutoring.exits``). A ``DomainResults``
hands over exactly those rows: a night reads them from the warehouse (``hub.pipeline.domain_reads``); a
caller that holds the rows already (tests, benchmarks) wraps them in ``HeldDomains``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

from hub.model import arrow_schema

DOMAIN_COLUMNS = [
    "result_source_id",
    "canonical_domain",
    "vendor_domain",
    "grade_levels_below",
    "goal_adjective",
    "placement",
]
"""What an exit reads of a domain result: the weakest vendor domain and how its placement reads."""


class DomainResults(Protocol):
    def of(self, tests: pa.Array) -> pa.Table:
        """The ``DOMAIN_COLUMNS`` of every domain result of ``tests`` (assessment_result source ids), in no
        particular order."""
        ...


@dataclass(frozen=True, slots=True)
class HeldDomains:
    """Domain results already held: ``rows`` are domain_result rows (at least ``DOMAIN_COLUMNS``)."""

    rows: pa.Table = field(default_factory=arrow_schema("domain_result").empty_table)

    def of(self, tests: pa.Array) -> pa.Table:
        theirs = pc.is_in(self.rows.column("result_source_id"), value_set=tests)
        return self.rows.select(DOMAIN_COLUMNS).filter(theirs)
