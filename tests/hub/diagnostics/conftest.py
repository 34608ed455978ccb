"""Builders for small diagnostics tables in the shared model's schema; every test states its own rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pyarrow as pa
import pytest

from hub.model import arrow_schema, conform

RESULT_DEFAULTS: dict[str, Any] = {
    "vendor": "iready",
    "subject": "ela",
    "school_year": 2026,
    "window": "winter",
    "test_date": date(2026, 1, 13),
    "match_status": "unmatched",
    "rushed": False,
    "is_test_of_record": False,
}


def build_results(rows: Sequence[dict[str, Any]], *, files: Sequence[str] | None = None) -> pa.Table:
    """assessment_result rows; ``files`` adds the per-row source file column matching reports on."""
    table = pa.Table.from_pylist(
        [{**RESULT_DEFAULTS, **row} for row in rows], schema=arrow_schema("assessment_result")
    )
    if files is not None:
        table = table.append_column("source_file", pa.array(files, pa.string()))
    return table


def build_domains(rows: Sequence[dict[str, Any]]) -> pa.Table:
    """domain_result rows; ``source_id`` defaults to result + vendor domain, as connectors key them."""
    filled = [{"source_id": f"{row['result_source_id']}:{row['vendor_domain']}", **row} for row in rows]
    return conform("domain_result", pa.Table.from_pylist(filled, schema=arrow_schema("domain_result")))


def build_identifiers(rows: Sequence[tuple[str, str, str]]) -> pa.Table:
    """person_identifier rows as (person_source_id, id_type, value)."""
    people, id_types, values = zip(*rows, strict=True) if rows else ((), (), ())
    return pa.table(
        {
            "person_source_id": pa.array(people, pa.string()),
            "id_type": pa.array(id_types, pa.string()),
            "value": pa.array(values, pa.string()),
        }
    )


@pytest.fixture
def make_results() -> Callable[..., pa.Table]:
    return build_results


@pytest.fixture
def make_domains() -> Callable[..., pa.Table]:
    return build_domains


@pytest.fixture
def make_identifiers() -> Callable[..., pa.Table]:
    return build_identifiers
