"""Which figures of the district's school-by-school table to suppress so that no school's small count can
be worked out from the district totals the same report shows (hub.reports.suppression).

Per subject, schools' Tier 1 and Tier 2 + 3 counts add up to their tested students and, down the table, to
the district's (the pyramid section); tutored students who met the plan and who did not add up to those
tutored, and to the district's (the dosage section); per test, the schools' tutored students with a
growth figure add up to the district's growth table. Schools showing another test count as unseen there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from hub.reports.figures import Figure, hidden_figure, share
from hub.reports.impact_view import growth_pair
from hub.reports.suppression import Line, grid_lines, hidden_cells

Row = tuple[str, str]
"""(school, subject)."""
DISTRICT = "(district)"
TIERS = ("t1", "t23", "students")
PLAN = ("met", "unmet", "tutored")


def hidden_school_cells(
    tiers: Mapping[Row, dict],
    dosage: Mapping[Row, dict],
    growth: list[dict],
    shown_growth: Mapping[Row, dict],
    min_n: int,
) -> set:
    """Cells ``(row, column)`` to suppress; growth cells are keyed by ``(school, subject, vendor)``."""
    counts: dict = {}
    lines: list[Line] = []
    fixed: set = set()
    for subject in sorted({row[1] for row in [*tiers, *dosage]}):
        counts_of = {
            "tiers": {row: _tier_counts(tiers[row]) for row in tiers if row[1] == subject},
            "dosage": {row: _dosage_counts(dosage[row]) for row in dosage if row[1] == subject},
        }
        for *columns, total in (TIERS, PLAN):
            cells = counts_of["tiers" if total == TIERS[-1] else "dosage"]
            if not cells:
                continue
            margin = (DISTRICT, subject)
            for row, values in cells.items():
                counts.update({(row, column): values[column] for column in [*columns, total]})
            for column in [*columns, total]:
                counts[(margin, column)] = sum(values[column] for values in cells.values())
                fixed.add((margin, column))
            lines += grid_lines(list(cells), columns, margin, total)
    unseen = set()
    by_test: dict[tuple[str, str, str], list] = defaultdict(list)
    for row in growth:
        key = (row["school_source_id"] or "", row["subject"], row["vendor"], row["measure"])
        counts.update({(key, "n"): row["n"], (key, "matched_n"): row["matched_n"]})
        by_test[key[1:]].append(key)
        shown = shown_growth.get(key[:2], {})
        if (shown.get("vendor"), shown.get("measure")) != key[2:]:
            unseen.update({(key, "n"), (key, "matched_n")})
    for keys in by_test.values():
        lines += [Line([(key, column) for key in keys]) for column in ("n", "matched_n")]
    return hidden_cells(counts, lines, min_n, fixed, unseen=unseen)


def _tier_counts(row: dict) -> dict[str, int]:
    t23 = row["tier2"] + row["tier3"]
    return {"t1": row["students"] - t23, "t23": t23, "students": row["students"]}


def _dosage_counts(row: dict) -> dict[str, int]:
    tutored = row["person_source_id_count"]
    return {"met": tutored - row["under_dosed_sum"], "unmet": row["under_dosed_sum"], "tutored": tutored}


def school_share(
    part: int, whole: int, cells: tuple[Row, tuple[str, ...]], hidden: set, min_n: int
) -> Figure:
    """``share``, or suppressed when one of the row's ``cells`` (``TIERS``, ``PLAN``) is hidden."""
    shown = share(part, whole, min_n=min_n)
    row, columns = cells
    if shown.suppressed or not any((row, column) in hidden for column in columns):
        return shown
    return hidden_figure("%", min_n, complementary=True)


def school_growth(row: dict, hidden: set, min_n: int) -> tuple[Figure, Figure]:
    """The school's tutored growth and matched difference, each suppressed when its count is hidden."""
    key = (row["school_source_id"] or "", row["subject"], row["vendor"], row["measure"])
    return growth_pair(row, (key, "n") in hidden, (key, "matched_n") in hidden, min_n)
