"""The i-Ready "Diagnostic and Instruction" export: up to six tests per student in one wide row.

Its columns are ``Diagnostic: <name> (Most Recent)`` and ``Diagnostic: <name> (1)`` ... ``(5)`` beside a
fixed prefix, then lesson totals. Reading it means one row per numbered test taken, under the names of a
Diagnostic Results export, so that everything after reading is the same for both. The most recent test
is one of the numbered ones: it is not a row of its own, it marks which numbered test is the latest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

TEST_COLUMN = re.compile(r"^Diagnostic: (?P<name>.+) \((?P<test>Most Recent|[1-9])\)$")
MOST_RECENT = "Most Recent"
MOST_RECENT_COLUMN = "Most Recent Diagnostic YTD (Y/N)"
LINE_COLUMN = "_row"  # the row's position in the file, so each test row can cite its line


def is_diagnostic_and_instruction(header: Sequence[str]) -> bool:
    return any(TEST_COLUMN.match(name.strip()) for name in header)


def one_test_header(header: Sequence[str]) -> list[str]:
    """The prefix and the most recent test's columns, unwrapped: what recognising the layout looks at."""
    names = []
    for name in header:
        match = TEST_COLUMN.match(name.strip())
        if match is None:
            if not name.strip().startswith("Instruction: "):
                names.append(name.strip())
        elif match["test"] == MOST_RECENT:
            names.append(match["name"])
    return names


def tests_as_rows(wide: pa.Table) -> pa.Table:
    """One row per numbered test that has a completion date, under the unwrapped names.

    ``wide`` carries the file's header as its column names plus ``_row`` (the row's position).
    """
    prefix = [
        name
        for name in wide.column_names
        if TEST_COLUMN.match(name) is None and not name.startswith("Instruction: ")
    ]
    blocks: dict[str, dict[str, str]] = {}
    for name in wide.column_names:
        match = TEST_COLUMN.match(name)
        if match is not None:
            blocks.setdefault(match["test"], {})[match["name"]] = name
    latest = blocks.get(MOST_RECENT, {})
    parts = []
    for test in sorted(key for key in blocks if key != MOST_RECENT):
        block = blocks[test]
        columns = {name: wide.column(name) for name in prefix}
        columns.update({unwrapped: wide.column(original) for unwrapped, original in block.items()})
        columns[MOST_RECENT_COLUMN] = _is_latest(wide, block, latest)
        taken = (
            pc.invert(pc.is_null(wide.column(block["Completion Date"])))
            if "Completion Date" in block
            else None
        )
        table = pa.table(columns)
        parts.append(table if taken is None else table.filter(taken))
    if not parts:
        return wide.select(prefix).slice(0, 0)
    rows = pa.concat_tables(parts, promote_options="default")
    return rows.sort_by([(LINE_COLUMN, "ascending")])


def _is_latest(wide: pa.Table, block: dict[str, str], latest: dict[str, str]) -> pa.Array:
    """``Y`` where this test's completion date and score are the most recent test's, else ``N``."""
    same = [
        pc.equal(wide.column(block[name]), wide.column(latest[name]))
        for name in ("Completion Date", "Overall Scale Score")
        if name in block and name in latest
    ]
    if not same:
        return pa.nulls(wide.num_rows, pa.string())
    both = pc.fill_null(pc.and_(*same) if len(same) == 2 else same[0], False)
    return pc.if_else(both, "Y", "N")
