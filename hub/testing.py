"""Conformance checks for connectors: the suite a vendor runs against theirs, and the hub against its own.

    from hub.testing import check_source, check_destination

    def test_my_connector_conforms(tmp_path):
        source = MySource(MyConfig(path=write_sample(tmp_path)))
        check_source(source)

Each check raises ``AssertionError`` with a sentence saying which promise of the contract was broken.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from hub.connector import (
    DestinationConnector,
    Extract,
    NormalizedBatch,
    PushOutcome,
    RenderedReport,
    SourceConnector,
    SyncMode,
)
from hub.model import SLOTS, conform, model_tables
from hub.model.progress import CHECK_PREFIX
from hub.plugins import contract_problem

__all__ = ["check_destination", "check_source"]


def _check_declaration(cls: type) -> None:
    """The same check the hub makes when the plugin registers (name, stage, tables, config model)."""
    problem = contract_problem(cls)
    assert problem is None, problem
    assert cls.name, f"{cls.__name__} must declare a `name`"


def _check_extract(source: SourceConnector, extract: Extract) -> None:
    undeclared = set(extract.streams) - set(source.streams)
    assert not undeclared, f"{source.name}: read() produced undeclared streams {sorted(undeclared)}"
    for name, report in extract.files.items():
        assert report.rows == report.accepted + report.rejected or report.fatal, (
            f"{source.name}: {name}: rows ({report.rows}) != accepted ({report.accepted}) + rejected "
            f"({report.rejected}); every row must be accounted for"
        )
    for issue in extract.issues:
        assert issue.file and issue.reason and issue.kind, (
            f"{source.name}: an issue lacks file, kind or reason"
        )
        assert issue.severity in ("reject", "warning"), f"{source.name}: unknown severity {issue.severity!r}"
        assert issue.line is None or issue.line >= 1, f"{source.name}: line numbers start at 1 ({issue})"


def _check_batch(source: SourceConnector, batch: NormalizedBatch) -> None:
    known = model_tables()
    for name, table in batch.tables.items():
        assert name in known, f"{source.name}: normalize() produced {name!r}, not a shared-model table"
        assert name in source.tables, f"{source.name}: produced {name!r} but does not declare it in `tables`"
        assert "district_id" not in table.column_names, (
            f"{source.name}: {name} carries district_id; the hub adds it so no connector can cross districts"
        )
        conformed = conform(name, table)  # raises if a column cannot be cast to the model's type
        assert name in batch.modes and isinstance(batch.modes[name], SyncMode), (
            f"{source.name}: no mode for {name}"
        )
        if "source_id" in conformed.column_names:
            ids = conformed.column("source_id")
            assert ids.null_count == 0, f"{source.name}: {name} has rows without a source_id"
            assert pc.count_distinct(ids).as_py() == len(ids), f"{source.name}: {name} repeats a source_id"
        if name == "domain_result":
            _check_domain_slots(source, conformed)
        if name == "progress_point":
            _check_point_ids(source, conformed)


def _check_domain_slots(source: SourceConnector, domains: pa.Table) -> None:
    """The warehouse stores at most ``SLOTS`` domains per test and rejects the rest: a connector should
    find out here, not from a night's rejects."""
    per_test = domains.group_by("result_source_id").aggregate([("vendor_domain", "count")])
    most = pc.max(per_test.column("vendor_domain_count")).as_py() or 0
    assert most <= SLOTS, f"{source.name}: a test has {most} domains; the warehouse keeps {SLOTS} per test"


def _check_point_ids(source: SourceConnector, points: pa.Table) -> None:
    """The session logs' mastery checks are shown as points under ids with ``CHECK_PREFIX``, and the
    warehouse rejects any other point under such an id: a connector should find out here."""
    reserved = points["source_id"].filter(
        pc.fill_null(pc.starts_with(points["source_id"], CHECK_PREFIX), False)
    )
    assert not len(reserved), (
        f"{source.name}: {len(reserved)} point id(s) begin with {CHECK_PREFIX!r}, which the hub keeps for "
        f"the session logs' mastery checks (first: {reserved[0].as_py()!r})"
    )


def check_source(source: SourceConnector) -> NormalizedBatch:
    """Read, normalize twice, and check every promise of the source contract; returns the batch."""
    _check_declaration(type(source))
    assert source.streams, f"{source.name}: declare the streams read() may produce"
    extract = source.read(None)
    _check_extract(source, extract)
    batch = source.normalize(extract)
    _check_batch(source, batch)
    again = source.normalize(extract)
    for name, table in batch.tables.items():
        assert again.tables[name].equals(table), f"{source.name}: normalize() is not deterministic for {name}"
    state = source.next_state(extract, None)
    assert json.loads(json.dumps(state)) == state, f"{source.name}: next_state() must be JSON-able"
    return batch


def check_destination(destination: DestinationConnector, reports: Sequence[RenderedReport]) -> None:
    """Push the reports twice: every target answered once per push, and a repeat changes nothing."""
    _check_declaration(type(destination))
    for attempt in ("first", "repeat"):
        results = destination.push(reports)
        targets = [result.target for result in results]
        assert sorted(targets) == sorted(r.target for r in reports), (
            f"{destination.name}: the {attempt} push must answer once for every target"
        )
        failed = [result for result in results if result.outcome is PushOutcome.FAILED]
        assert not failed, f"{destination.name}: the {attempt} push failed: {failed[:3]}"
        if attempt == "repeat":
            assert all(r.outcome in (PushOutcome.UPDATED, PushOutcome.UNCHANGED) for r in results), (
                f"{destination.name}: pushing the same report again must update or leave it, never create"
            )
