"""Impact cycle by cycle, beside the school year: the 6-8 week review of whether tutored students moved.

The impact step stores each cycle's figures under its ``cycle`` key next to the year's
(hub.pipeline.evidence); this section only lays them side by side. A cycle's growth runs from each
student's last test before the cycle to their latest test in it, so a cycle without a test window shows
no growth. Figures are
suppressed like the year's: each growth figure on its own n, and each cycle's band moves together with the
roll-ups they add up to (``impact_view._protected_moves``).
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from hub.reports.figures import missing
from hub.reports.impact_view import MATCHED, PEER_GAIN, RAW_GAIN, growth_figures, protected_moves, test_label
from hub.reports.model import Column, DataTable, Note, Section
from hub.tutoring.impact import Impact
from hub.tutoring.pulse import school_year_of
from hub.tutoring.tiers import school_year_text

TITLE = "Impact cycle by cycle"
NO_MOVES = missing("no band measured")
TEST_KEYS = ["subject", "vendor", "measure"]


def _of_year(table: pa.Table, school_year: int) -> pa.Table:
    return table.filter(pc.equal(table["school_year"], school_year)) if table.num_rows else table


def _spans(cycles: pa.Table | None) -> dict[str, str]:
    """cycle source_id -> "2025-11-10 to 2025-12-21"."""
    if cycles is None or not cycles.num_rows:
        return {}
    return {
        row["source_id"]: f"{row['start_date'].isoformat()} to {row['end_date'].isoformat()}"
        for row in cycles.select(["source_id", "start_date", "end_date"]).to_pylist()
    }


def _moves(transitions: pa.Table) -> dict[tuple, dict[tuple[int, int], int]]:
    """Tutored students' band-to-band counts per period and test."""
    grids: dict[tuple, dict[tuple[int, int], int]] = {}
    if not transitions.num_rows:
        return grids
    for row in transitions.filter(pc.equal(transitions["cohort"], "tutored")).to_pylist():
        key = (row["period"], *(row[name] for name in TEST_KEYS))
        grids.setdefault(key, {})[(row["baseline_band"], row["latest_band"])] = row["n"]
    return grids


def cycles_section(impact: Impact | None, week_start: date, min_n: int, cycles: pa.Table | None) -> Section:
    """The school year's row and then each cycle's, per test: growth against peers and band movement."""
    empty = "No cycle has a test of record after its start yet."
    if impact is None:
        return Section("impact_cycles", TITLE, empty=empty)
    year = school_year_of(week_start)
    comparison = _of_year(impact.comparison, year)
    grids = _moves(_of_year(impact.transitions, year))
    spans = _spans(cycles)
    year_label = school_year_text(pa.array([year]))[0].as_py()
    rows = []
    for row in comparison.to_pylist():
        tutored, peers, difference, _ = growth_figures(row, min_n)
        grid = grids.get((row["period"], *(row[name] for name in TEST_KEYS)))
        moves = protected_moves(grid, min_n) if grid else None
        when = "school year" if row["cycle"] is None else spans.get(row["cycle"], "dates not planned")
        rows.append(
            (
                row["period"],
                when,
                test_label(row),
                tutored,
                peers,
                difference,
                *((moves[key] for key in ("up", "same", "down")) if moves else (NO_MOVES,) * 3),
            )
        )
    table = DataTable(
        (
            Column("period", "Period"),
            Column("dates", "Dates"),
            Column("test", "Subject (test)"),
            Column("tutored", RAW_GAIN),
            Column("peers", PEER_GAIN),
            Column("difference", MATCHED),
            Column("up", "Moved up a band"),
            Column("same", "Same band"),
            Column("down", "Moved down a band"),
        ),
        tuple(rows),
    )
    note = Note(
        f"The {year_label} row measures the whole year; each cycle's row measures growth from the last test "
        "before the cycle to the latest test in it, of students tutored during the cycle, against untutored "
        "peers measured over the same span. A cycle with no test window in it has no growth to show."
    )
    return Section("impact_cycles", TITLE, table, notes=(note,) if rows else (), empty=empty)
