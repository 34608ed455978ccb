"""The conformance kit tells a connector author what the warehouse would reject, before a night does: a test
with more domains than it keeps, a point under an id it keeps for the session logs' mastery checks."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pytest

from hub.connector import NormalizedBatch, SyncMode
from hub.model import SLOTS, arrow_schema
from hub.model.progress import CHECK_PREFIX
from hub.testing import _check_batch


def _batch(domains: int) -> NormalizedBatch:
    rows = [
        {"source_id": f"r1:G{n}", "result_source_id": "r1", "vendor_domain": f"G{n}"} for n in range(domains)
    ]
    table = pa.Table.from_pylist(rows, schema=arrow_schema("domain_result"))
    return NormalizedBatch({"domain_result": table}, {"domain_result": SyncMode.DELTA})


def _points(*ids: str) -> NormalizedBatch:
    rows = [{"source_id": source_id, "person_source_id": "s1", "measure": "probe"} for source_id in ids]
    table = pa.Table.from_pylist(rows, schema=arrow_schema("progress_point"))
    return NormalizedBatch({"progress_point": table}, {"progress_point": SyncMode.DELTA})


SOURCE: Any = SimpleNamespace(name="vendor", tables=("domain_result", "progress_point"))


def test_a_test_with_every_slot_filled_conforms() -> None:
    _check_batch(SOURCE, _batch(SLOTS))


def test_a_test_with_more_domains_than_slots_does_not() -> None:
    with pytest.raises(AssertionError, match=f"a test has {SLOTS + 1} domains; the warehouse keeps {SLOTS}"):
        _check_batch(SOURCE, _batch(SLOTS + 1))


def test_points_under_their_own_ids_conform() -> None:
    _check_batch(SOURCE, _points("probe-1", "probe-2:mastery_check"))


def test_a_point_under_a_mastery_check_s_id_does_not() -> None:
    with pytest.raises(
        AssertionError, match=f"1 point id\\(s\\) begin with '{CHECK_PREFIX}'.*'mastery_check:a1'"
    ):
        _check_batch(SOURCE, _points("probe-1", f"{CHECK_PREFIX}a1"))
