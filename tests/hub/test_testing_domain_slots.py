"""The conformance kit tells a connector author about a test with more domains than the warehouse keeps,
before a night rejects them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pytest

from hub.connector import NormalizedBatch, SyncMode
from hub.model import SLOTS, arrow_schema
from hub.testing import _check_batch


def _batch(domains: int) -> NormalizedBatch:
    rows = [
        {"source_id": f"r1:G{n}", "result_source_id": "r1", "vendor_domain": f"G{n}"} for n in range(domains)
    ]
    table = pa.Table.from_pylist(rows, schema=arrow_schema("domain_result"))
    return NormalizedBatch({"domain_result": table}, {"domain_result": SyncMode.DELTA})


SOURCE: Any = SimpleNamespace(name="vendor", tables=("domain_result",))


def test_a_test_with_every_slot_filled_conforms() -> None:
    _check_batch(SOURCE, _batch(SLOTS))


def test_a_test_with_more_domains_than_slots_does_not() -> None:
    with pytest.raises(AssertionError, match=f"a test has {SLOTS + 1} domains; the warehouse keeps {SLOTS}"):
        _check_batch(SOURCE, _batch(SLOTS + 1))
