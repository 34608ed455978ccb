"""Impact cycle by cycle, on a cohort whose growth in each cycle is known by construction."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from hub.model import conform
from hub.reports.figures import Figure
from hub.reports.impact_cycles_view import cycles_section
from hub.reports.impact_view import impact_sections
from hub.tutoring.impact import ImpactPeriod
from tests.hub.tutoring.test_impact import FALL, SPRING, WINTER, YEAR, Cohort

CYCLES = conform(
    "cycle",
    pa.table(
        {
            "source_id": ["2026-c2", "2026-c3"],
            "school_year": pa.array([2026, 2026], pa.int64()),
            "sequence": pa.array([2, 3], pa.int64()),
            "start_date": pa.array([date(2025, 9, 29), date(2026, 2, 1)], pa.date32()),
            "end_date": pa.array([date(2026, 1, 31), date(2026, 5, 29)], pa.date32()),
        }
    ),
)
PERIODS = (YEAR, *ImpactPeriod.for_cycles(CYCLES))
WEEK = date(2026, 5, 11)
THREE = (FALL, WINTER, SPRING)


def cohort(tutored: int, stayed: int = 0) -> Cohort:
    """``tutored`` students growing 20 by winter and 30 more by spring, ``stayed`` of them staying in band
    2 (the rest move up to band 3 in spring); 15 untutored peers growing 10, then 5."""
    built = Cohort()
    for i in range(tutored):
        built.add(
            f"t{i:02d}", 0, tests=THREE, scores=(400.0, 420.0, 450.0), later_band=None if i < stayed else 3
        )
        built.member(f"t{i:02d}", date(2025, 9, 1))
    for i in range(15):
        built.add(f"c{i:02d}", 0, tests=THREE, scores=(400.0, 410.0, 415.0))
    return built


def texts(cells: tuple) -> list[str]:
    return [cell.text() if isinstance(cell, Figure) else cell for cell in cells]


def test_each_cycle_measures_its_own_span_beside_the_year() -> None:
    impact = cohort(12).measure(periods=PERIODS)
    stored = impact.comparison
    assert stored["cycle"].to_pylist() == [None, "2026-c2", "2026-c3"]  # the key the rows are found by
    section = cycles_section(impact, WEEK, 10, CYCLES)
    rows = [texts(row) for row in section.table.rows]
    assert rows == [
        ["2025-26", "school year", "Math (i-Ready)", "+50.0 points (n = 12)", "+15.0 points (n = 15)",
         "+35.0 points (n = 12)", "12", "0", "0"],
        ["cycle 2", "2025-09-29 to 2026-01-31", "Math (i-Ready)", "+20.0 points (n = 12)",
         "+10.0 points (n = 15)", "+10.0 points (n = 12)", "0", "12", "0"],
        ["cycle 3", "2026-02-01 to 2026-05-29", "Math (i-Ready)", "+30.0 points (n = 12)",
         "+5.0 points (n = 15)", "+25.0 points (n = 12)", "12", "0", "0"],
    ]  # fmt: skip


def test_a_small_cycle_is_suppressed_and_so_is_what_would_give_it_away() -> None:
    impact = cohort(15, stayed=3).measure(periods=PERIODS)
    rows = {row[0]: texts(row) for row in cycles_section(impact, WEEK, 10, CYCLES).table.rows}
    # three stayed in band 2 in cycle 3: hidden, and "moved up" (15 - 3) with it, as the total is known
    assert rows["cycle 3"][6:] == ["suppressed (protects a small cell)", "suppressed (n < 10)", "0"]
    assert rows["cycle 3"][3] == "+30.0 points (n = 15)"
    few = cohort(6).measure(periods=PERIODS)
    small = {row[0]: texts(row) for row in cycles_section(few, WEEK, 10, CYCLES).table.rows}
    # the peers' gain rests on the few tutored students it is matched to: hidden with them
    assert small["cycle 2"][3:6] == ["suppressed (n < 10)"] * 3
    assert small["cycle 3"][6:] == ["suppressed (n < 10)", "0", "0"]


def test_subgroup_trends_come_per_cycle_beside_the_year() -> None:
    impact = cohort(12).measure(periods=PERIODS)
    subgroups = next(s for s in impact_sections(impact, WEEK, 10) if s.key == "subgroups")
    shown = {(row[1], row[2], row[3]): texts(row)[4] for row in subgroups.table.rows}
    # every tutored student is of unknown sex in this cohort: one line per period, none suppressed
    assert {period for _, _, period in shown} == {"2025-26", "cycle 2", "cycle 3"}
    assert shown[("Sex", "unknown", "cycle 2")] == "+20.0 points (n = 12)"
    assert shown[("Sex", "unknown", "cycle 3")] == "+30.0 points (n = 12)"
