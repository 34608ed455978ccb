"""Growth against peers, band movement, growth by dosage, subgroup trends and exits, from one ``Impact``.

The same sections serve a school (its own impact) and the district (the district's). Every figure is made
with its n and the counts it rests on, so small cells are suppressed here, before any rendering.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from hub.reports.charts import Bar, BarChart, BarGroup, HeatChart
from hub.reports.figures import Figure, count, figure, hidden_figure, protected_count
from hub.reports.model import Column, DataTable, Note, Section
from hub.reports.suppression import Line, hidden_cells
from hub.tutoring.impact import Impact
from hub.tutoring.pulse import school_year_of
from hub.tutoring.tiers import SUBJECT_LABELS, VENDOR_LABELS, school_year_text

SUBGROUP_LABELS = {
    "english_learner": "English learners",
    "disability": "Students with disabilities",
    "economically_disadvantaged": "Economically disadvantaged",
    "race_ethnicity": "Race and ethnicity",
    "sex": "Sex",
}
BANDS = (1, 2, 3, 4, 5)


def headline(table: pa.Table, week_start: date) -> pa.Table:
    """Rows of the school-year period of the reported week, else of the last school year present (never
    a cycle's: those are ``impact_cycles_view``'s)."""
    if "cycle" in table.column_names:
        table = table.filter(pc.is_null(table["cycle"]))
    if not table.num_rows:
        return table
    year = school_year_text(pa.array([school_year_of(week_start)]))[0].as_py()
    rows = table.filter(pc.equal(table["period"], year))
    return rows if rows.num_rows else table.filter(pc.equal(table["period"], table["period"][-1]))


def test_label(row: dict) -> str:
    subject = SUBJECT_LABELS.get(row["subject"], row["subject"])
    test = VENDOR_LABELS.get(row["vendor"], row["vendor"])
    measure = row.get("measure")
    return f"{subject} ({test} {measure})" if measure else f"{subject} ({test})"


def growth_figures(row: dict, min_n: int) -> tuple[Figure, Figure, Figure, Figure]:
    """Tutored mean growth, peers' mean growth, the difference, and % of typical growth."""
    tutored = figure(row["mean_growth"], row["n"], min_n=min_n, unit="points")
    peers = figure(
        row["peer_mean_growth"], row["peer_n"], min_n=min_n, unit="points", rests_on=(row["matched_n"],)
    )
    difference = figure(
        row["mean_difference"], row["matched_n"], min_n=min_n, unit="points", rests_on=(row["peer_n"],)
    )
    typical = figure(row["mean_pct_typical"], row["pct_typical_n"], min_n=min_n, unit="%")
    return (
        _because(tutored, "no later test yet"),
        _because(peers, "no comparison peers"),
        _because(difference, "no matched peers"),
        _because(typical, "not reported for this test"),
    )


def _because(shown: Figure, reason: str) -> Figure:
    """A figure with no value says why."""
    return replace(shown, absent=reason) if shown.value is None and not shown.suppressed else shown


def impact_sections(impact: Impact | None, week_start: date, min_n: int) -> tuple[Section, ...]:
    if impact is None:
        return tuple(Section(key, title) for key, title in TITLES.items())
    return (
        _growth(headline(impact.comparison, week_start), min_n),
        _bands(headline(impact.transitions, week_start), min_n),
        _by_dosage(headline(impact.dosage, week_start), min_n),
        _subgroups(impact.subgroups, min_n),
        _exits(headline(impact.exits, week_start), min_n),
    )


TITLES = {
    "growth": "Growth of tutored students against comparison peers",
    "bands": "Movement across proficiency bands",
    "growth_by_dosage": "Growth by dosage received",
    "subgroups": "Subgroup trends",
    "exits": "Exits from tutoring",
}


GROWTH_NOTE = (
    "Read the matched difference to judge whether tutoring worked: it is tutored students' gain minus the "
    "gain of untutored peers of the same school, grade, subject and starting band on the same test, "
    "whereas the raw gain also holds the growth any student makes in a year; scale-score points of "
    "different tests are never added or compared."
)
RAW_GAIN = "Tutored: raw gain (mean)"
PEER_GAIN = "Peers: gain (mean)"
MATCHED = "Matched difference from peers"


def _growth(rows: pa.Table, min_n: int) -> Section:
    cells, charts = [], []
    for row in rows.to_pylist():
        tutored, peers, difference, typical = growth_figures(row, min_n)
        cells.append((test_label(row), tutored, peers, difference, typical))
        charts.append(
            BarChart(
                f"{test_label(row)}: scale-score gain, tutored students and peers",
                f"Mean gain in {test_label(row)} scale-score points of tutored students and of untutored "
                "peers of the same school, grade and starting band; one chart per test, because the "
                "points of different tests do not compare.",
                "points",
                (BarGroup(test_label(row), (Bar("Tutored", tutored, 0), Bar("Peers", peers, 1))),),
                series=("Tutored", "Peers"),
            )
        )
    table = DataTable(
        (
            Column("test", "Subject (test)"),
            Column("tutored", RAW_GAIN),
            Column("peers", PEER_GAIN),
            Column("difference", MATCHED),
            Column("typical", "Of typical annual growth (the test's own)"),
        ),
        tuple(cells),
    )
    notes = (Note(GROWTH_NOTE),) if cells else ()
    return Section("growth", TITLES["growth"], table, tuple(charts), notes)


def _bands(rows: pa.Table, min_n: int) -> Section:
    """Band movement of tutored students; small cells and whatever would give them away are suppressed."""
    grids: dict[tuple[str, str, str], dict[tuple[int, int], int]] = {}
    tutored = rows.filter(pc.equal(rows["cohort"], "tutored")) if rows.num_rows else rows
    order = [("subject", "ascending"), ("vendor", "ascending"), ("measure", "ascending")]
    for row in tutored.sort_by(order).to_pylist():
        grid = grids.setdefault((row["subject"], row["vendor"], row["measure"]), {})
        grid[(row["baseline_band"], row["latest_band"])] = row["n"]
    charts, cells = [], []
    for (subject, vendor, measure), grid in grids.items():
        name = test_label({"subject": subject, "vendor": vendor, "measure": measure})
        shown = protected_moves(grid, min_n)
        cells.append((name, *(shown[key] for key in ("total", "up", "same", "down"))))
        flat = [shown[(start, end)] for start in BANDS for end in BANDS]
        charts.append(
            HeatChart(
                f"{name}: tutored students by starting and latest band",
                "Rows are the proficiency band at the baseline test, columns the band at the latest test; "
                "cells right of the outlined diagonal moved up. Small cells are suppressed.",
                "Baseline band",
                "Latest band",
                tuple(f"Band {band}" for band in BANDS),
                tuple(f"Band {band}" for band in BANDS),
                tuple(flat[row * len(BANDS) : (row + 1) * len(BANDS)] for row in range(len(BANDS))),
            )
        )
    table = DataTable(
        (
            Column("test", "Subject (test)"),
            Column("students", "Tutored students"),
            Column("up", "Moved up"),
            Column("same", "Same band"),
            Column("down", "Moved down"),
        ),
        tuple(cells),
    )
    return Section("bands", TITLES["bands"], table, tuple(charts))


def protected_moves(grid: dict[tuple[int, int], int], min_n: int) -> dict[object, Figure]:
    """Band-to-band counts and their roll-ups (moved up, same band, moved down, all), suppressed together:
    each roll-up is the sum of its grid cells, and the three add up to all."""
    pairs = [(start, end) for start in BANDS for end in BANDS]
    counts: dict[object, int] = {pair: grid.get(pair, 0) for pair in pairs}
    moves = {
        "up": [pair for pair in pairs if pair[1] > pair[0]],
        "same": [pair for pair in pairs if pair[1] == pair[0]],
        "down": [pair for pair in pairs if pair[1] < pair[0]],
    }
    counts.update({move: sum(counts[pair] for pair in cells) for move, cells in moves.items()})
    counts["total"] = sum(counts[pair] for pair in pairs)
    lines = [Line(cells, move) for move, cells in moves.items()]
    hidden = hidden_cells(counts, [*lines, Line(list(moves), "total")], min_n)
    return {key: protected_count(n, key in hidden, min_n) for key, n in counts.items()}


def _by_dosage(rows: pa.Table, min_n: int) -> Section:
    cells = []
    listed = rows.to_pylist()
    hidden = protected_rows(listed, ["subject", "vendor", "measure"], min_n)
    for index, row in enumerate(listed):
        tutored, difference = growth_pair(row, (index, "n") in hidden, (index, "matched_n") in hidden, min_n)
        cells.append((test_label(row), row["dosage_band"], tutored, difference))
    table = DataTable(
        (
            Column("test", "Subject (test)"),
            Column("band", "Sessions attended"),
            Column("growth", RAW_GAIN),
            Column("difference", MATCHED),
        ),
        tuple(cells),
    )
    return Section("growth_by_dosage", TITLES["growth_by_dosage"], table)


def protected_rows(rows: list[dict], totalled_by: list[str], min_n: int) -> set[tuple[int, str]]:
    """Cells ``(row index, "n" | "matched_n")`` to suppress: rows alike in ``totalled_by`` are parts of a
    total shown elsewhere (the growth table's), so their tutored and their matched students add up to it."""
    counts = {}
    lines: dict[tuple, list[tuple[int, str]]] = {}
    for index, row in enumerate(rows):
        for column in ("n", "matched_n"):
            counts[(index, column)] = row[column] or 0
            lines.setdefault((*(row[key] for key in totalled_by), column), []).append((index, column))
    return hidden_cells(counts, [Line(cells) for cells in lines.values()], min_n)


def growth_pair(row: dict, hidden: bool, matched_hidden: bool, min_n: int) -> tuple[Figure, Figure]:
    """The tutored students' growth and the matched difference, each suppressed when its count is hidden."""
    tutored, _, difference, _ = growth_figures(row, min_n)
    return _hide(tutored, hidden, min_n), _hide(difference, matched_hidden, min_n)


def _hide(shown: Figure, hidden: bool, min_n: int) -> Figure:
    return hidden_figure(shown.unit, min_n, complementary=True) if hidden and not shown.suppressed else shown


def _subgroups(rows: pa.Table, min_n: int) -> Section:
    cells = []
    ordered = (
        rows.sort_by(
            [
                ("subject", "ascending"),
                ("vendor", "ascending"),
                ("measure", "ascending"),
                ("subgroup", "ascending"),
                ("value", "ascending"),
                ("school_year", "ascending"),
            ]
        )
        if rows.num_rows
        else rows
    )
    listed = ordered.to_pylist()
    hidden = protected_rows(listed, ["subject", "vendor", "measure", "period", "subgroup"], min_n)
    for index, row in enumerate(listed):
        tutored, difference = growth_pair(row, (index, "n") in hidden, (index, "matched_n") in hidden, min_n)
        name = SUBGROUP_LABELS.get(row["subgroup"], row["subgroup"])
        value = row["value"].replace("_", " ")
        cells.append((test_label(row), name, value, row["period"], tutored, difference))
    table = DataTable(
        (
            Column("test", "Subject (test)"),
            Column("subgroup", "Subgroup"),
            Column("value", "Value"),
            Column("period", "Period"),
            Column("growth", RAW_GAIN),
            Column("difference", MATCHED),
        ),
        tuple(cells),
    )
    return Section("subgroups", TITLES["subgroups"], table)


def _exits(rows: pa.Table, min_n: int) -> Section:
    cells = tuple(
        (SUBJECT_LABELS.get(row["subject"], row["subject"]), row["reason"], count(row["n"], min_n=min_n))
        for row in rows.to_pylist()
    )
    table = DataTable(
        (Column("subject", "Subject"), Column("reason", "Reason"), Column("students", "Students")), cells
    )
    return Section("exits", TITLES["exits"], table, empty="No exits yet this year.")
