"""Domain results from the shape connectors hand in (one row per domain) to the shape stored (one row per
test with numbered slots, ``result_domains``; see hub.model.domains for why). The view ``domain_result``
turns them back, and ``from_slots`` does the same in Arrow for rows read by key. Progress points handed
in go to ``stored_progress_point`` whole (hub.model.progress).

Whole-column Arrow work: a slot is one ``take`` per field, never a loop over rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.connector import Issue, SyncMode
from hub.model.arrow import conform
from hub.model.domains import DOMAIN_FIELDS, SLOTS, slot_column
from hub.model.progress import CHECK_PREFIX, STORED_POINTS
from hub.warehouse.statements import WarehouseError

LONG = "domain_result"
STORED = "result_domains"
POINTS = "progress_point"


def stored_form(
    name: str, data: pa.Table, mode: SyncMode, deletes: list[str], issues: list[Issue]
) -> tuple[str, pa.Table]:
    """The table and rows the warehouse stores for a connector's table ``name``: domain_result rows become
    result_domains rows (one per test); progress_point rows are stored as they come in
    stored_progress_point (the view adds the session logs' mastery checks); every other table is stored
    as it comes."""
    if name == POINTS:
        return STORED_POINTS, _stored_points(data, issues)
    if name != LONG:
        return name, data
    if mode is SyncMode.PATCH or deletes:
        raise WarehouseError(
            f"{LONG}: a test's domains are written as a set; hand in all of a test's domains "
            "(a patch or a list of domain ids to delete cannot say what the set becomes)"
        )
    return STORED, to_slots(conform(LONG, data), issues)


def _stored_points(points: pa.Table, issues: list[Issue]) -> pa.Table:
    """The points handed in, less any whose id is a mastery check's in the view (each reported as a
    rejected row): stored, it would stand beside the check under one key."""
    if "source_id" not in points.column_names:
        return points
    reserved = pc.fill_null(pc.starts_with(points["source_id"], CHECK_PREFIX), False)
    if not pc.any(reserved).as_py():
        return points
    issues += [
        Issue(
            POINTS,
            None,
            "source_id",
            source_id,
            "reserved_point_id",
            f"a point's id may not begin with {CHECK_PREFIX!r}: the session logs' mastery checks are shown "
            "under such ids; the point was left out",
            "reject",
        )
        for source_id in points["source_id"].filter(reserved).to_pylist()
    ]
    return points.filter(pc.invert(reserved))


def to_slots(domains: pa.Table, issues: list[Issue]) -> pa.Table:
    """One row per test (``source_id`` = the test's), its domains in slots in the order they come in
    (the vendor's order). A domain past the last slot is not stored: it is reported as a rejected row,
    so the loss is never silent."""
    tests = domains.column("result_source_id")
    if tests.null_count:
        raise WarehouseError(f"{LONG}: {tests.null_count} row(s) name no test (result_source_id is empty)")
    order = pc.sort_indices(tests)  # stable: vendor order within a test
    in_order = tests.take(order).combine_chunks()
    starts = np.ones(len(in_order), dtype=bool)
    if len(in_order) > 1:
        starts[1:] = pc.not_equal(in_order.slice(1), in_order.slice(0, len(in_order) - 1)).to_numpy(
            zero_copy_only=False
        )
    test_of_row = np.cumsum(starts) - 1
    first_rows = np.flatnonzero(starts)
    slot_of_row = np.arange(len(in_order)) - first_rows[test_of_row]
    rows = order.to_numpy()
    duplicates = _duplicate_keys(domains.column("vendor_domain"), rows, test_of_row)
    if duplicates:
        raise WarehouseError(
            f"{LONG}: the batch holds {duplicates} duplicate key(s) ['result_source_id', 'vendor_domain']"
        )
    _report_overflow(domains, rows[slot_of_row >= SLOTS], slot_of_row[slot_of_row >= SLOTS], issues)

    columns: dict[str, pa.Array | pa.ChunkedArray] = {"source_id": in_order.take(pa.array(first_rows))}
    columns["source_modified_at"] = domains.column("source_modified_at").take(pa.array(rows[first_rows]))
    for slot in range(SLOTS):
        here = slot_of_row == slot
        taken = np.full(len(first_rows), -1, dtype=np.int64)
        taken[test_of_row[here]] = rows[here]
        indices = pa.array(taken, mask=taken < 0)
        for field in DOMAIN_FIELDS:
            columns[slot_column(slot + 1, field)] = domains.column(field).take(indices)
    return conform(STORED, pa.table(columns))


def from_slots(stored: pa.Table, fields: Sequence[str]) -> pa.Table:
    """The view ``domain_result``'s rows of the ``stored`` result_domains rows, built in Arrow: its
    ``result_source_id`` and ``fields`` (which hold ``vendor_domain``), slot after slot as the view takes
    them, empty slots skipped. A reader that wants a few tests' domains reads their stored rows by key
    and spares the view's union of every slot's rows."""
    slots = []
    for slot in range(1, SLOTS + 1):
        held = stored.filter(pc.is_valid(stored.column(slot_column(slot, "vendor_domain"))))
        columns = {"result_source_id": held.column("source_id")}
        slots.append(pa.table({**columns, **{name: held.column(slot_column(slot, name)) for name in fields}}))
    return pa.concat_tables(slots)


def _duplicate_keys(vendor_domains: pa.ChunkedArray, rows: np.ndarray, test_of_row: np.ndarray) -> int:
    """Rows whose (test, vendor domain) an earlier row has: each key as one integer (the test's number in
    sorted order, the vendor domain's dictionary code, null a code of its own), so the check is a sort of
    integers rather than a hash of two text columns over every domain of the batch. The keys already run
    in test order, which a stable (merging) sort takes in one pass."""
    coded = pc.dictionary_encode(vendor_domains.combine_chunks(), null_encoding="encode")
    codes = coded.indices.to_numpy(zero_copy_only=False).astype(np.int64)[rows]
    keys = np.sort(test_of_row.astype(np.int64) * max(len(coded.dictionary), 1) + codes, kind="stable")
    return int(np.count_nonzero(keys[1:] == keys[:-1]))


def _report_overflow(domains: pa.Table, rows: np.ndarray, slots: np.ndarray, issues: list[Issue]) -> None:
    if not len(rows):
        return
    taken = domains.select(["result_source_id", "vendor_domain"]).take(pa.array(rows)).to_pylist()
    issues += [
        Issue(
            LONG,
            None,
            "vendor_domain",
            row["vendor_domain"],
            "too_many_domains",
            f"test {row['result_source_id']} has more than {SLOTS} domains; its domain number {slot + 1} "
            f"has no slot to be stored in and was left out",
            "reject",
        )
        for row, slot in zip(taken, slots.tolist(), strict=True)
    ]
