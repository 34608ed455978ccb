"""The evidence stage: dosage delivered, the week's pulse, and impact, kept as Parquet per district.

These are analyses, not decisions: they are recomputed whole each night from the warehouse and written
under ``<data_dir>/<district>/analytics/`` for the reports (and for anyone auditing a figure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Generic, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hub.model import students_of
from hub.pipeline.context import DistrictRun
from hub.pipeline.tutoring import as_of_date, read_narrowed
from hub.tutoring.dosage import Dosage, measure_dosage
from hub.tutoring.impact import AGGREGATES, Impact, ImpactPeriod, measure_impact
from hub.tutoring.pulse import Pulse, weekly_pulse

A = TypeVar("A", Dosage, Pulse, Impact)


@dataclass(frozen=True, slots=True)
class Analysis(Generic[A]):
    """An analysis the night measured, and the folder its tables are kept in."""

    measured: A
    folder: Path


def analytics_dir(run: DistrictRun, name: str) -> Path:
    return run.data_dir / "analytics" / name


def save_tables(directory: Path, tables: dict[str, pa.Table]) -> Path:
    """Write each table as Parquet; a temporary name then a rename, so a reader never sees half a file."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        partial = directory / f".{name}.parquet.partial"
        pq.write_table(table, partial, compression="zstd")
        partial.replace(directory / f"{name}.parquet")
    return directory


def load_tables(directory: Path) -> dict[str, pa.Table]:
    return {path.stem: pq.read_table(path) for path in sorted(directory.glob("*.parquet"))}


def district_dosage(run: DistrictRun) -> Analysis[Dosage]:
    warehouse, district = run.warehouse, run.district_id
    dosage = measure_dosage(
        warehouse.read("tutoring_session", district),
        warehouse.read("session_attendance", district),
        warehouse.read("tutoring_group", district),
        run.district.dosage,
    )
    folder = save_tables(
        analytics_dir(run, "dosage"),
        {
            "sessions": dosage.sessions,
            "student_weeks": dosage.student_weeks,
            "group_weeks": dosage.group_weeks,
            "students": dosage.students,
            "summary": dosage.summary,
        },
    )
    return Analysis(dosage, folder)


def stored_dosage(run: DistrictRun) -> Dosage:
    """The dosage the night's dosage step measured, as it kept it."""
    return Dosage(**load_tables(analytics_dir(run, "dosage")))


def pulse_week(sessions: pa.Table, as_of: date) -> date:
    """The Monday of the latest week with a session on or before ``as_of`` (else of ``as_of``'s week)."""
    held = sessions.filter(pc.less_equal(sessions.column("session_date"), pa.scalar(as_of, pa.date32())))
    latest = pc.max(held.column("session_date")).as_py() if held.num_rows else as_of
    return latest - timedelta(days=latest.weekday())


def district_pulse(run: DistrictRun) -> Analysis[Pulse]:
    warehouse, district = run.warehouse, run.district_id
    sessions = warehouse.read("tutoring_session", district)
    pulse = weekly_pulse(
        pulse_week(sessions, as_of_date(run)),
        sessions,
        warehouse.read("session_attendance", district),
        warehouse.read("tutoring_group", district),
        warehouse.read("group_membership", district),
        read_narrowed(run, "assessment_result"),  # the pulse's growth reads what impact's does
        warehouse.read("enrollment", district),
        warehouse.read("section", district),
    )
    folder = save_tables(analytics_dir(run, "pulse"), {"groups": pulse.groups, "teachers": pulse.teachers})
    return Analysis(pulse, folder)


IMPACT_TABLES = ("students", *AGGREGATES)


def school_year_period(cycles: pa.Table, today: date) -> ImpactPeriod:
    """The latest school year the cycles belong to (else the one ``today`` is in): impact's headline."""
    years = sorted(set(cycles.column("school_year").to_pylist())) or [today.year + (today.month >= 7)]
    return ImpactPeriod.for_school_year(years[-1])


def district_impact(run: DistrictRun) -> Analysis[Impact]:
    """Impact for the school year and each cycle begun so far, over the student weeks the dosage step kept.

    The aggregates are stored as measured, each figure with its n (they stay in the hub, beside the
    per-student rows); whatever leaves the hub suppresses them on the way out.
    """
    warehouse, district = run.warehouse, run.district_id
    cycles = warehouse.read("cycle", district)
    today = as_of_date(run)
    started = cycles.filter(pc.less_equal(cycles.column("start_date"), pa.scalar(today, pa.date32())))
    periods = [school_year_period(cycles, today), *ImpactPeriod.for_cycles(started)]
    impact = measure_impact(
        read_narrowed(run, "assessment_result"),
        students_of(warehouse.read("person", district)),
        warehouse.read("demographics", district),
        stored_dosage(run).student_weeks,
        warehouse.read("group_membership", district),
        periods,
        run.district.impact,
    )
    tables = {name: getattr(impact, name) for name in IMPACT_TABLES}
    return Analysis(impact, save_tables(analytics_dir(run, "impact"), tables))


def stored_impact(run: DistrictRun, year: ImpactPeriod) -> Impact:
    """The impact the night's impact step measured: the school ``year``'s rows and its cycles' (each
    cycle's rows carry its ``cycle`` key; the year's have none)."""
    tables = load_tables(analytics_dir(run, "impact"))
    missing = [name for name in IMPACT_TABLES if name not in tables]
    if missing:
        raise FileNotFoundError(
            f"district {run.district_id}: no stored impact yet; run the impact step first"
        )
    kept = {
        name: tables[name].filter(pc.equal(tables[name]["school_year"], year.school_year))
        for name in IMPACT_TABLES
    }
    return Impact(**kept, min_n=run.district.impact.min_n)
