"""The evidence stage: dosage delivered, the week's pulse, and impact, kept as Parquet per district.

These are analyses, not decisions: they are recomputed whole from the warehouse on a night when what they
read or their settings changed (``derived_files``), and written under ``<data_dir>/<district>/analytics/``
for the reports (and for anyone auditing a figure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Generic, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hub.model import students_of
from hub.pipeline.context import DistrictRun
from hub.pipeline.derived import derived_files, load_tables
from hub.pipeline.dosage_parts import dosage_in_parts
from hub.pipeline.tutoring import as_of_date, read_narrowed
from hub.pipeline.week_reads import pulse_week, week_logs
from hub.tutoring.dosage import FLAGS, Dosage
from hub.tutoring.impact import AGGREGATES, WEEK_COLUMNS, Impact, ImpactPeriod, measure_impact
from hub.tutoring.pulse import Pulse, weekly_pulse
from hub.tutoring.pulse_teachers import ENROLLMENT_COLUMNS, SECTION_COLUMNS

A = TypeVar("A", Dosage, Pulse, Impact)


@dataclass(frozen=True, slots=True)
class Analysis(Generic[A]):
    """An analysis the night measured, and the folder its tables are kept in."""

    measured: A
    folder: Path


def analytics_dir(run: DistrictRun, name: str) -> Path:
    return run.data_dir / "analytics" / name


DOSAGE_TABLES = ("sessions", "student_weeks", "group_weeks", "students", "summary")
DOSAGE_READS = ("tutoring_session", "session_attendance", "tutoring_group")
DOSAGE_SHOWN = {"student_weeks": list(FLAGS), "students": [f"{flag}_weeks" for flag in FLAGS]}
"""Of the per-student dosage tables, what the step's result holds (the asset shows flag counts)."""
PULSE_READS = (*DOSAGE_READS, "group_membership", "assessment_result", "enrollment", "section")
IMPACT_READS = (*DOSAGE_READS, "cycle", "assessment_result", "person", "demographics", "group_membership")


def district_dosage(run: DistrictRun) -> Analysis[Dosage]:
    """Dosage measured from the logs a student part at a time, or kept from the night that last saw them
    change. Of the per-student tables, which stay whole on disk (``stored_dosage``), the result holds what
    the asset shows only: their flags."""
    folder = analytics_dir(run, "dosage")
    settings = run.district.dosage.model_dump_json()
    tables = derived_files(
        run, "dosage", folder, DOSAGE_READS, settings, lambda: dosage_in_parts(run, folder), DOSAGE_SHOWN
    )
    return Analysis(Dosage(**tables), folder)


def stored_dosage(run: DistrictRun) -> Dosage:
    """The dosage the night's dosage step measured, as it kept it."""
    return Dosage(**load_tables(analytics_dir(run, "dosage")))


def stored_student_weeks(run: DistrictRun, columns: list[str]) -> pa.Table:
    """Of the student weeks the night's dosage step kept, ``columns`` only: the table is a district's
    largest analysis, and its readers want few of its columns."""
    return pq.read_table(analytics_dir(run, "dosage") / "student_weeks.parquet", columns=columns)


def district_pulse(run: DistrictRun) -> Analysis[Pulse]:
    warehouse, district = run.warehouse, run.district_id
    as_of = as_of_date(run)

    def measured() -> dict[str, pa.Table]:
        week = pulse_week(warehouse, district, as_of)
        sessions, attendance = week_logs(run, week)
        pulse = weekly_pulse(
            week,
            sessions,
            attendance,
            warehouse.read("tutoring_group", district),
            warehouse.read("group_membership", district),
            read_narrowed(run, "assessment_result"),  # the pulse's growth reads what impact's does
            warehouse.read("enrollment", district, columns=ENROLLMENT_COLUMNS),
            warehouse.read("section", district, columns=SECTION_COLUMNS),
        )
        return {"groups": pulse.groups, "teachers": pulse.teachers}

    folder = analytics_dir(run, "pulse")
    tables = derived_files(run, "weekly_pulse", folder, PULSE_READS, as_of.isoformat(), measured)
    return Analysis(Pulse(**tables), folder)


IMPACT_TABLES = ("students", *AGGREGATES)


def school_year_period(cycles: pa.Table, today: date) -> ImpactPeriod:
    """The latest school year the cycles belong to (else the one ``today`` is in): impact's headline."""
    years = sorted(set(cycles.column("school_year").to_pylist())) or [today.year + (today.month >= 7)]
    return ImpactPeriod.for_school_year(years[-1])


def district_impact(run: DistrictRun) -> Analysis[Impact]:
    """Impact for the school year and each cycle begun so far, over the student weeks the dosage step kept.

    The aggregates are stored as measured, each figure with its n (they stay in the hub, beside the
    per-student rows); whatever leaves the hub suppresses them on the way out. They are kept from an
    earlier night when nothing they (or the dosage they weigh) are measured from changed.
    """
    warehouse, district = run.warehouse, run.district_id
    today = as_of_date(run)

    def measured() -> dict[str, pa.Table]:
        cycles = warehouse.read("cycle", district)
        started = cycles.filter(pc.less_equal(cycles.column("start_date"), pa.scalar(today, pa.date32())))
        periods = [school_year_period(cycles, today), *ImpactPeriod.for_cycles(started)]
        impact = measure_impact(
            read_narrowed(run, "assessment_result"),
            students_of(warehouse.read("person", district)),
            warehouse.read("demographics", district),
            stored_student_weeks(run, WEEK_COLUMNS),
            warehouse.read("group_membership", district),
            periods,
            run.district.impact,
        )
        return {name: getattr(impact, name) for name in IMPACT_TABLES}

    policy = run.district
    settings = "|".join([today.isoformat(), policy.impact.model_dump_json(), policy.dosage.model_dump_json()])
    folder = analytics_dir(run, "impact")
    tables = derived_files(run, "impact", folder, IMPACT_READS, settings, measured)
    return Analysis(Impact(**tables, min_n=run.district.impact.min_n), folder)


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
