"""The school administrator's dashboard and the district's roll-up: aggregates only, never a student.

Nothing here reads a name; every figure is built with its n and suppressed below the minimum, so the
dashboard can be mailed, posted or dropped on a file share without revealing a student.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from hub.reports.decisions_view import decisions_section
from hub.reports.directory import Directory
from hub.reports.dosage_view import dosage_section, met_plan, minutes_missing, weekly
from hub.reports.figures import missing, protected_count
from hub.reports.impact_cycles_view import cycles_section
from hub.reports.impact_view import (
    MATCHED,
    RAW_GAIN,
    headline,
    impact_sections,
    test_label,
)
from hub.reports.inputs import ReportInputs
from hub.reports.logged_not_placed_view import school_mismatch_section
from hub.reports.model import AlignmentReport, Column, DataTable, Note, Section
from hub.reports.pyramid import inverted, latest_window, totals
from hub.reports.pyramid import pyramid_section as _pyramid
from hub.reports.school_rows import PLAN, TIERS, hidden_school_cells, school_growth, school_share
from hub.tutoring.tiers import SUBJECT_LABELS

UNTESTED = missing("not tested this window")
NO_SESSION = missing("no session logged this week")
NO_GROWTH = missing("no growth measured yet")
SUPPRESSION_NOTE = (
    "Figures resting on fewer than {min_n} students are suppressed, and so is any figure from which such a "
    "count could be worked out (a percentage, or a total minus the parts shown); n is the number of students."
)


def _of_school(table: pa.Table | None, school: str) -> pa.Table | None:
    if table is None:
        return None
    return table.filter(pc.fill_null(pc.equal(table["school_source_id"], school), False))


def _about(inputs: ReportInputs) -> Section:
    return Section(
        "about",
        "About these figures",
        empty="",
        notes=(
            Note(SUPPRESSION_NOTE.format(min_n=inputs.min_n)),
            Note(
                f"Week of {inputs.week_start.isoformat()}; growth is measured over the school year so far, "
                "and over each cycle in 'Impact cycle by cycle', against students of the same school, grade, "
                "subject and starting band who were not tutored."
            ),
        ),
    )


def build_school_reports(
    inputs: ReportInputs, names: Directory, generated_at: datetime
) -> list[AlignmentReport]:
    """One dashboard per school of the roster (org type ``school``)."""
    schools = inputs.school
    if "org_type" in schools.column_names:
        schools = schools.filter(pc.equal(schools["org_type"], "school"))
    reports = []
    for school in sorted(schools["source_id"].to_pylist()):
        weeks = _of_school(inputs.dosage.student_weeks if inputs.dosage else None, school)
        impact = (inputs.impact_by_school or {}).get(school)
        sections = (
            _pyramid(
                _of_school(inputs.tier_distribution, school), inputs.policy, inputs.min_n, "this school"
            ),
            decisions_section(inputs, school),
            dosage_section(weeks, inputs.plan, inputs.week_start, inputs.trend_weeks, inputs.min_n),
            school_mismatch_section(inputs, names, school),
            *impact_sections(impact, inputs.week_start, inputs.min_n),
            cycles_section(impact, inputs.week_start, inputs.min_n, inputs.cycle),
            _about(inputs),
        )
        reports.append(
            AlignmentReport(
                kind="school",
                target=school,
                title=f"Tutoring dashboard: {names.schools.get(school, school)}",
                audience=f"Administrators of {names.schools.get(school, school)}",
                district_id=inputs.district_id,
                generated_at=generated_at,
                data_as_of=inputs.as_of,
                period_start=inputs.week_start,
                period_end=inputs.week_end,
                sections=sections,
                main="pyramid",
                school_source_id=school,
            )
        )
    return reports


def build_district_report(inputs: ReportInputs, names: Directory, generated_at: datetime) -> AlignmentReport:
    district = inputs.district_name or inputs.district_id
    weeks = inputs.dosage.student_weeks if inputs.dosage else None
    sections = (
        _schools_section(inputs, names),
        _pyramid(inputs.tier_distribution, inputs.policy, inputs.min_n, "whole district"),
        dosage_section(weeks, inputs.plan, inputs.week_start, inputs.trend_weeks, inputs.min_n),
        *impact_sections(inputs.impact, inputs.week_start, inputs.min_n),
        cycles_section(inputs.impact, inputs.week_start, inputs.min_n, inputs.cycle),
        _about(inputs),
    )
    return AlignmentReport(
        kind="district",
        target=inputs.district_id,
        title=f"Tutoring across {district}",
        audience=f"District leaders of {district}",
        district_id=inputs.district_id,
        generated_at=generated_at,
        data_as_of=inputs.as_of,
        period_start=inputs.week_start,
        period_end=inputs.week_end,
        sections=sections,
        main="schools",
    )


def _schools_section(inputs: ReportInputs, names: Directory) -> Section:
    """School by school and subject: the pyramid's Tier 2 + 3 share, this week's dosage, and growth."""
    keys = ["school_source_id", "subject"]
    tiers, dosage, growth = {}, {}, {}
    if inputs.tier_distribution is not None and inputs.tier_distribution.num_rows:
        tiers = {_key(row): row for row in totals(latest_window(inputs.tier_distribution), keys)}
    if inputs.dosage is not None:
        weeks = weekly(inputs.dosage.student_weeks, inputs.week_start, inputs.week_start, keys)
        dosage = {_key(row): row for row in weeks}
    if inputs.impact is not None:
        # one test per school and subject: where two vendors tested, the one more tutored students took
        ranked = sorted(
            headline(inputs.impact.schools, inputs.week_start).to_pylist(),
            key=lambda r: (r["n"], r["vendor"], r["measure"]),
        )
        growth = {_key(row): row for row in ranked}
    min_n = inputs.min_n
    growth_rows = headline(inputs.impact.schools, inputs.week_start).to_pylist() if inputs.impact else []
    hidden = hidden_school_cells(tiers, dosage, growth_rows, growth, min_n)
    rows = []
    for key in sorted({*tiers, *dosage, *growth}, key=lambda key: (names.schools.get(key[0], ""), key)):
        tier, week, grown = tiers.get(key), dosage.get(key), growth.get(key)
        flag = inverted(tier, inputs.policy, min_n) if tier else None
        tutored = week["person_source_id_count"] if week else 0
        rows.append(
            (
                names.schools.get(key[0], "(no school)"),
                SUBJECT_LABELS.get(key[1], key[1]),
                school_share(tier["tier2"] + tier["tier3"], tier["students"], (key, TIERS), hidden, min_n)
                if tier
                else UNTESTED,
                {None: "suppressed" if tier else UNTESTED.absent, True: "inverted", False: "no"}[flag],
                protected_count(tutored, (key, "tutored") in hidden, min_n) if week else NO_SESSION,
                (
                    met_plan(week, min_n)
                    if minutes_missing(week)
                    else school_share(tutored - week["under_dosed_sum"], tutored, (key, PLAN), hidden, min_n)
                )
                if week
                else NO_SESSION,
                test_label(grown) if grown else NO_GROWTH.absent,
                *(school_growth(grown, hidden, min_n) if grown else (NO_GROWTH, NO_GROWTH)),
            )
        )
    table = DataTable(
        (
            Column("school", "School"),
            Column("subject", "Subject"),
            Column("tier23", "Tier 2 + 3"),
            Column("inverted", "Inverted pyramid"),
            Column("tutored", "Tutored this week"),
            Column("met_plan", "Met dosage plan"),
            Column("test", "Growth measured on"),
            Column("growth", RAW_GAIN),
            Column("difference", MATCHED),
        ),
        tuple(rows),
    )
    return Section("schools", "School by school", table)


def _key(row: dict) -> tuple[str, str]:
    return (row["school_source_id"] or "", row["subject"])
