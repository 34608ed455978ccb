"""The tier pyramid of a school or a district beside the healthy ranges, with the inverted-pyramid flag.

Shares come from hub.tutoring.tier_distribution; this module only adds grades up to whole-school (or
whole-district) totals for the latest window and turns them into figures with their n.
"""

from __future__ import annotations

from collections.abc import Collection

import pyarrow as pa
import pyarrow.compute as pc

from hub.reports.charts import Bar, BarChart, BarGroup, StackedChart, StackedRow
from hub.reports.figures import Figure, hidden_figure, share
from hub.reports.model import Column, DataTable, Note, Section
from hub.reports.suppression import grid_lines, hidden_cells, small
from hub.tutoring._labels import GRADE_ORDER
from hub.tutoring.policy import TutoringPolicy
from hub.tutoring.tiers import SUBJECT_LABELS, school_year_text, window_rank

TIERS = (1, 2, 3)
ALL_GRADES = "All grades"


def latest_window(distribution: pa.Table) -> pa.Table:
    """The rows of the most recent school year and window present."""
    if not distribution.num_rows:
        return distribution
    when = pc.add(pc.multiply(distribution["school_year"], 10), window_rank(distribution["window"]))
    return distribution.filter(pc.equal(when, pc.max(when)))


def totals(distribution: pa.Table, keys: list[str]) -> list[dict]:
    """Tier counts summed over everything but ``keys``, sorted by them."""
    sums = distribution.group_by(keys).aggregate(
        [("students", "sum"), *((f"tier{tier}", "sum") for tier in TIERS)]
    )
    sums = sums.rename_columns([name.removesuffix("_sum") for name in sums.column_names])
    return sums.sort_by([(key, "ascending") for key in keys]).to_pylist()


def grade_key(grade: str | None) -> tuple[int, str]:
    """School order for CEDS grade codes (PK, KG, 01 ... 12), unknown codes after them by name."""
    text = grade or ""
    return (GRADE_ORDER.index(text) if text in GRADE_ORDER else len(GRADE_ORDER), text)


def tier_figures(row: dict, min_n: int, hidden: Collection[tuple[str, str]] = ()) -> tuple[Figure, ...]:
    """The row's tier shares; a share whose count or whose row's n is ``hidden`` is suppressed."""
    return tuple(
        hidden_figure("%", min_n, complementary=not small(row[f"tier{tier}"], min_n))
        if {(row["grade"], f"tier{tier}"), (row["grade"], "students")} & set(hidden)
        and not small(row["students"], min_n)
        else share(row[f"tier{tier}"], row["students"], min_n=min_n)
        for tier in TIERS
    )


def protected_tiers(total: dict, grades: list[dict], min_n: int) -> set:
    """The ``(grade, tierN | students)`` cells of one subject to suppress: its grades' tier counts add up
    across (to the grade's students) and down (to the whole school's or district's tier counts)."""
    columns = [f"tier{tier}" for tier in TIERS]
    rows = [*grades, total]
    counts = {(row["grade"], column): row[column] for row in rows for column in [*columns, "students"]}
    lines = grid_lines([row["grade"] for row in grades], columns, ALL_GRADES, "students")
    return hidden_cells(counts, lines, min_n)


def inverted(row: dict, policy: TutoringPolicy, min_n: int) -> bool | None:
    """True / False, or None where the group is too small to say (the flag would disclose it)."""
    if 0 < row["students"] < min_n:
        return None
    return (row["tier2"] + row["tier3"]) * 100 > row["students"] * policy.inverted_pyramid_percent


def _flag_text(flag: bool | None) -> str:
    return {None: "suppressed", True: "inverted", False: "no"}[flag]


def pyramid_section(distribution: pa.Table | None, policy: TutoringPolicy, min_n: int, scope: str) -> Section:
    """Per subject: a bar chart of tier shares against healthy ranges; per grade: a 100 % stacked bar."""
    title = "Tier pyramid against the healthy ranges"
    if distribution is None or not distribution.num_rows:
        return Section("pyramid", title)
    latest = latest_window(distribution)
    by_subject = totals(latest, ["subject"])
    by_grade = sorted(
        totals(latest, ["subject", "grade"]), key=lambda r: (r["subject"], grade_key(r["grade"]))
    )
    ranges = {1: policy.tier1_healthy, 2: policy.tier2_healthy, 3: policy.tier3_healthy}
    groups, notes = [], []
    by_subject = [dict(row, grade=ALL_GRADES) for row in by_subject]
    hidden = {
        row["subject"]: protected_tiers(row, [r for r in by_grade if r["subject"] == row["subject"]], min_n)
        for row in by_subject
    }
    for row in by_subject:
        subject = SUBJECT_LABELS.get(row["subject"], row["subject"])
        figures = tier_figures(row, min_n, hidden[row["subject"]])
        groups.append(
            BarGroup(
                subject,
                tuple(
                    Bar(f"Tier {tier}", fig, tier - 1, (ranges[tier].low, ranges[tier].high))
                    for tier, fig in zip(TIERS, figures, strict=True)
                ),
            )
        )
        if inverted(row, policy, min_n):
            above = share(row["tier2"] + row["tier3"], row["students"], min_n=min_n)
            notes.append(
                Note(
                    f"{subject}: inverted pyramid. Tier 2 + Tier 3 are {above.text()}, above "
                    f"{policy.inverted_pyramid_percent:g} %: strengthen core (Tier 1) instruction before "
                    "adding intervention.",
                    "warning",
                )
            )
    window = f"{latest['window'][0].as_py()} {school_year_text(latest['school_year'].slice(0, 1))[0].as_py()}"
    charts = [
        BarChart(
            f"Tier shares, {scope}, {window}",
            "Share of students in each MTSS tier per subject; the shaded band behind each bar is the "
            "healthy range for that tier.",
            "%",
            tuple(groups),
            series=("Tier 1", "Tier 2", "Tier 3"),
            band_label="healthy range",
            scale_max=100.0,
        )
    ]
    for subject in sorted({row["subject"] for row in by_grade}):
        name = SUBJECT_LABELS.get(subject, subject)
        charts.append(
            StackedChart(
                f"{name}: tiers by grade",
                f"Each bar is one grade's students in {name}, split into Tier 1, 2 and 3 (100 % per grade).",
                ("Tier 1", "Tier 2", "Tier 3"),
                tuple(
                    StackedRow(f"Grade {row['grade']}", tier_figures(row, min_n, hidden[subject]))
                    for row in by_grade
                    if row["subject"] == subject
                ),
            )
        )
    rows = []
    for row in [*by_subject, *by_grade]:
        flag = inverted(row, policy, min_n)
        rows.append(
            (
                SUBJECT_LABELS.get(row["subject"], row["subject"]),
                row["grade"],
                *tier_figures(row, min_n, hidden[row["subject"]]),
                _flag_text(flag),
            )
        )
    rows.sort(key=lambda cells: (cells[0], cells[1] != ALL_GRADES, grade_key(cells[1])))
    table = DataTable(
        (
            Column("subject", "Subject"),
            Column("grade", "Grade"),
            Column("tier1", f"Tier 1 ({policy.tier1_healthy.text()})"),
            Column("tier2", f"Tier 2 ({policy.tier2_healthy.text()})"),
            Column("tier3", f"Tier 3 ({policy.tier3_healthy.text()})"),
            Column("inverted", "Inverted pyramid"),
        ),
        tuple(rows),
    )
    return Section("pyramid", title, table, tuple(charts), tuple(notes))
