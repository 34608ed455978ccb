"""A reader's search for small counts in a rendered school or district report (its JSON), done the way an
attacker would: read every figure, turn percentages back into counts with their n, then subtract shown
parts from shown totals (repeatedly) wherever the report's tables add up.

It reads only the rendered document, never the hub's suppression code, so it checks that code from outside.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

Line = tuple[list[object], object]


def derivable_small_counts(document: dict, min_n: int) -> list[str]:
    """Every count of 1 to ``min_n - 1`` students a reader can read or work out of ``document``."""
    leaks: list[str] = []
    known: dict[object, int] = {}
    lines: list[Line] = []
    sections = {section["key"]: section for section in document["sections"]}
    for section in document["sections"]:
        for row in _rows(section):
            for column, cell in row.items():
                leaks += [f"{section['key']}: {column} {cell['text']}" for _ in _direct(cell, min_n)]
    if "pyramid" in sections:
        _pyramid(sections["pyramid"], known, lines)
    if "bands" in sections:
        _bands(sections["bands"], known, lines)
    growth = {row["test"]: row for row in _rows(sections["growth"])} if "growth" in sections else {}
    year = _school_year(document["period_start"])
    if "growth_by_dosage" in sections:
        dosage = [dict(row, period=year) for row in _rows(sections["growth_by_dosage"])]
        _parts_of_growth(dosage, ["test", "period"], growth, known, lines, "dosage", year)
    if "subgroups" in sections:
        subgroups = _rows(sections["subgroups"])
        _parts_of_growth(subgroups, ["test", "period", "subgroup"], growth, known, lines, "subgroup", year)
    if "schools" in sections:
        _schools(sections, known, lines)
    for key, n in _recover(known, lines):
        if 0 < n < min_n:
            leaks.append(f"{key} = {n}, worked out from the totals")
    return leaks


def _rows(section: dict) -> list[dict]:
    table = section["table"]
    if not table:
        return []
    keys = [column["key"] for column in table["columns"]]
    return [dict(zip(keys, row, strict=True)) for row in table["rows"]]


def _shown(cell: object) -> bool:
    return isinstance(cell, dict) and not cell["suppressed"] and cell["value"] is not None


def _part(cell: dict) -> int | None:
    """The count behind a percentage with its n, when only one count rounds to it."""
    n, value = cell["n"], cell["value"]
    candidates = [k for k in range(n + 1) if round(100.0 * k / n, 1) == value] if n else []
    return candidates[0] if len(candidates) == 1 else None


def _count(cell: object) -> int | None:
    if not _shown(cell):
        return None
    if cell["unit"] == "":  # type: ignore[index]
        return int(cell["value"])  # type: ignore[index]
    if cell["unit"] == "%":  # type: ignore[index]
        return _part(cell)  # type: ignore[arg-type]
    return None


def _n(cell: object) -> int | None:
    return cell["n"] if _shown(cell) else None  # type: ignore[index]


def _direct(cell: object, min_n: int) -> Iterable[int]:
    if not _shown(cell):
        return []
    counts = [cell["n"]]  # type: ignore[index]
    part = _count(cell)
    if part is not None:
        counts.append(part)
        if cell["unit"] == "%":  # type: ignore[index]
            counts.append(cell["n"] - part)  # type: ignore[index]
    return [n for n in counts if 0 < n < min_n]


def _remember(known: dict, key: object, n: int | None) -> None:
    if n is not None:
        known[key] = n


def _pyramid(section: dict, known: dict, lines: list[Line]) -> None:
    by_subject: dict[str, list[dict]] = defaultdict(list)
    for row in _rows(section):
        by_subject[row["subject"]].append(row)
    for subject, grade_rows in by_subject.items():
        grades = [row["grade"] for row in grade_rows if row["grade"] != "All grades"]
        for row in grade_rows:
            cells = [row[f"tier{tier}"] for tier in (1, 2, 3)]
            for tier, cell in zip((1, 2, 3), cells, strict=True):
                _remember(known, ("pyramid", subject, row["grade"], tier), _count(cell))
            ns = [_n(cell) for cell in cells if _n(cell) is not None]
            _remember(known, ("pyramid", subject, row["grade"], "n"), ns[0] if ns else None)
        for grade in [*grades, "All grades"]:
            lines.append(
                ([("pyramid", subject, grade, tier) for tier in (1, 2, 3)], ("pyramid", subject, grade, "n"))
            )
        for column in (1, 2, 3, "n"):
            lines.append(
                (
                    [("pyramid", subject, grade, column) for grade in grades],
                    ("pyramid", subject, "All grades", column),
                )
            )


def _bands(section: dict, known: dict, lines: list[Line]) -> None:
    table_rows = _rows(section)
    for index, row in enumerate(table_rows):
        test = row["test"]
        for column in ("students", "up", "same", "down"):
            _remember(known, ("bands", test, column), _count(row[column]))
        lines.append(
            ([("bands", test, move) for move in ("up", "same", "down")], ("bands", test, "students"))
        )
        if index >= len(section["charts"]):
            continue
        grid = section["charts"][index]["cells"]
        moves: dict[str, list[object]] = defaultdict(list)
        for start, cells in enumerate(grid):
            for end, cell in enumerate(cells):
                key = ("bands", test, start, end)
                _remember(known, key, _count(cell))
                moves["up" if end > start else "same" if end == start else "down"].append(key)
        lines += [(keys, ("bands", test, move)) for move, keys in moves.items()]


def _school_year(day: str) -> str:
    """The headline period (the growth table's): "2025-26" for a week in that school year."""
    year, month = int(day[:4]), int(day[5:7])
    ends = year + 1 if month >= 7 else year
    return f"{ends - 1}-{str(ends)[-2:]}"


def _parts_of_growth(
    table_rows: list[dict],
    keys: list[str],
    growth: dict,
    known: dict,
    lines: list[Line],
    name: str,
    headline: str,
) -> None:
    """Rows whose tutored students (and matched students) add up to the test's, per ``keys``."""
    grouped: dict[tuple, list[dict]] = defaultdict(list)
    for row in table_rows:
        grouped[tuple(row[key] for key in keys)].append(row)
    for group, members in grouped.items():
        test = group[0]
        for column, figure in (("n", "growth"), ("matched", "difference")):
            parts = []
            for index, row in enumerate(members):
                key = (name, *group, index, column)
                _remember(known, key, _n(row[figure]))
                parts.append(key)
            total = ("growth", test, group[1], column)
            lines.append((parts, total))
    for test, row in growth.items():
        _remember(known, ("growth", test, headline, "n"), _n(row["tutored"]))
        _remember(known, ("growth", test, headline, "matched"), _n(row["difference"]))


def _schools(sections: dict, known: dict, lines: list[Line]) -> None:
    """School rows per subject against the district's own totals (pyramid and this week's dosage)."""
    table_rows = _rows(sections["schools"])
    weeks = _rows(sections["dosage"]) if "dosage" in sections else []
    latest = max((row["week"] for row in weeks), default=None)
    for subject in {row["subject"] for row in table_rows}:
        mine = [row for row in table_rows if row["subject"] == subject]
        for index, row in enumerate(mine):
            _remember(known, ("schools", subject, index, "tutored"), _count(row["tutored"]))
            t23, tested = _count(row["tier23"]), _n(row["tier23"])
            _remember(known, ("schools", subject, index, "t23"), t23)
            _remember(known, ("schools", subject, index, "tested"), tested)
            if t23 is not None and tested is not None:
                known[("schools", subject, index, "t1")] = tested - t23
            met, tutored = _count(row["met_plan"]), _n(row["met_plan"])
            _remember(known, ("schools", subject, index, "met"), met)
            if met is not None and tutored is not None:
                known[("schools", subject, index, "unmet")] = tutored - met
        week = next((row for row in weeks if row["week"] == latest and row["subject"] == subject), None)
        if week:
            _remember(known, ("district", subject, "tutored"), _count(week["students"]))
            met = _count(week["met_plan"])
            if met is not None:
                known[("district", subject, "met")] = met
                known[("district", subject, "unmet")] = week["students"]["value"] - met
        t1, t2, t3, n = (known.get(("pyramid", subject, "All grades", c)) for c in (1, 2, 3, "n"))
        if None not in (t2, t3):
            known[("district", subject, "t23")] = t2 + t3  # type: ignore[operator]
        _remember(known, ("district", subject, "t1"), t1)
        _remember(known, ("district", subject, "tested"), n)
        for column in ("tutored", "met", "unmet", "t23", "t1", "tested"):
            lines.append(
                (
                    [("schools", subject, index, column) for index in range(len(mine))],
                    ("district", subject, column),
                )
            )
        for index in range(len(mine)):
            lines.append(
                (
                    [("schools", subject, index, "t1"), ("schools", subject, index, "t23")],
                    ("schools", subject, index, "tested"),
                )
            )
            lines.append(
                (
                    [("schools", subject, index, "met"), ("schools", subject, index, "unmet")],
                    ("schools", subject, index, "tutored"),
                )
            )


def _recover(known: dict, lines: list[Line]) -> list[tuple[object, int]]:
    """Counts worked out by subtraction: a line with one unknown cell gives it, repeatedly."""
    known = dict(known)
    found: list[tuple[object, int]] = []
    progress = True
    while progress:
        progress = False
        for parts, total in lines:
            unknown = [key for key in [*parts, total] if key not in known]
            if len(unknown) != 1:
                continue
            [key] = unknown
            shown = sum(known[part] for part in parts if part in known)
            known[key] = shown if key == total else known[total] - shown
            found.append((key, known[key]))
            progress = True
    return found


def derivable_across_reports(district: dict, schools: list[dict], min_n: int) -> list[str]:
    """Small counts a district reader who also holds every school dashboard can work out: what a school's
    own dashboard shows of its tiers and this week's tutored students fills in the district's table."""
    known: dict[object, int] = {}
    lines: list[Line] = []
    sections = {section["key"]: section for section in district["sections"]}
    _pyramid(sections["pyramid"], known, lines)
    _schools(sections, known, lines)
    by_name = {school["title"].split(": ", 1)[1]: school for school in schools}
    table_rows = _rows(sections["schools"])
    for subject in {row["subject"] for row in table_rows}:
        mine = [row for row in table_rows if row["subject"] == subject]
        for index, row in enumerate(mine):
            own = {section["key"]: section for section in by_name[row["school"]]["sections"]}
            _own_figures(own, subject, ("schools", subject, index), known)
    return [f"{key} = {n}, worked out across reports" for key, n in _recover(known, lines) if 0 < n < min_n]


def _own_figures(sections: dict, subject: str, row: tuple, known: dict) -> None:
    for tiers in _rows(sections["pyramid"]):
        if tiers["subject"] == subject and tiers["grade"] == "All grades":
            ns = [_n(tiers[f"tier{tier}"]) for tier in (1, 2, 3) if _n(tiers[f"tier{tier}"]) is not None]
            _remember(known, (*row, "t1"), _count(tiers["tier1"]))
            _remember(known, (*row, "tested"), ns[0] if ns else None)
    weeks = _rows(sections["dosage"]) if "dosage" in sections else []
    latest = max((week["week"] for week in weeks), default=None)
    for week in weeks:
        if week["week"] == latest and week["subject"] == subject:
            _remember(known, (*row, "tutored"), _count(week["students"]))
