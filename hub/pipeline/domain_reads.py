"""What a boundary's exits read of the domain results: the stored rows of their tests, read by key.

Through the view ``domain_result`` a read of a district's domains unions every slot of every test (at
20,000 students 1.1 M rows, about 110 MB as Arrow), which the replay held from the first boundary to the
last. A boundary asks instead for the domains of the tests its exits weigh (``hub.tutoring.exits``: one
latest test per open membership); the warehouse finds their ``result_domains`` rows by primary key, one
row a test, and ``from_slots`` turns them into the view's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from hub.model import arrow_schema, sql_table
from hub.model.domains import SLOTS, slot_column
from hub.pipeline.id_batches import id_batches
from hub.tutoring.domain_evidence import DOMAIN_COLUMNS
from hub.warehouse import Warehouse
from hub.warehouse.slots import STORED, from_slots

TESTS_PER_READ = 5_000
"""Tests named in one read: a statement's IN list stays far below PostgreSQL's 65,535 parameters, and
few enough statements are sent that each one's cost (compiled, sent, answered) stays small beside its
rows."""
FIELDS = DOMAIN_COLUMNS[1:]
"""What is read of each slot: every column exits read but the test's id, which is the stored row's."""


@dataclass(frozen=True, slots=True)
class StoredDomains:
    """The district's domain results in the warehouse, read for the tests a boundary's exits weigh
    (``hub.tutoring.domain_evidence.DomainResults``), ``TESTS_PER_READ`` tests a read."""

    warehouse: Warehouse
    district: str

    def of(self, tests: pa.Array) -> pa.Table:
        if not len(tests):
            return arrow_schema("domain_result").empty_table().select(DOMAIN_COLUMNS)
        stored = sql_table(STORED)
        columns = ["source_id", *(slot_column(slot, name) for slot in range(1, SLOTS + 1) for name in FIELDS)]
        reads = [
            self.warehouse.read(
                STORED,
                self.district,
                columns=columns,
                where=stored.c.source_id.in_(batch),
            )
            for batch in id_batches(tests, TESTS_PER_READ)
        ]
        return from_slots(pa.concat_tables(reads), FIELDS)
