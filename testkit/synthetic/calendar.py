"""The school year: its sessions (a year, a fall and a spring term) and the three testing windows."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

WINDOWS = ("fall", "winter", "spring")
"""Diagnostic testing windows, in the order a school year meets them."""

DEFAULT_SCHOOL_YEAR = 2026  # 2025-26, named by the year it ends as OneRoster's schoolYear is

# (month, day) of each window's first and last day; fall falls in the calendar year the school year starts.
_WINDOW_DAYS = {"fall": ((9, 2), (9, 30)), "winter": ((1, 6), (1, 30)), "spring": ((5, 4), (5, 29))}


def year_start(school_year: int) -> date:
    return date(school_year - 1, 8, 18)


def year_end(school_year: int) -> date:
    return date(school_year, 6, 5)


def terms(school_year: int) -> dict[str, tuple[date, date]]:
    """The two terms, split at the winter break's end as most US semester calendars do."""
    return {
        "fall": (year_start(school_year), date(school_year, 1, 16)),
        "spring": (date(school_year, 1, 20), year_end(school_year)),
    }


def window_dates(window: str, school_year: int = DEFAULT_SCHOOL_YEAR) -> tuple[date, date]:
    """First and last day of a testing window in the school year ending in ``school_year``."""
    if window not in _WINDOW_DAYS:
        raise ValueError(f"unknown window {window!r}; expected one of {', '.join(WINDOWS)}")
    (start_month, start_day), (end_month, end_day) = _WINDOW_DAYS[window]
    year = school_year - 1 if window == "fall" else school_year
    return date(year, start_month, start_day), date(year, end_month, end_day)


def elapsed_fraction(window: str, school_year: int) -> float:
    """Share of the school year's instruction between the fall window and ``window`` (middles of both).

    Growth is stated per whole school year, so a student growing 1.0 gains about 0.83 by spring testing.
    """

    def middle(name: str) -> date:
        start, end = window_dates(name, school_year)
        return start + (end - start) / 2

    days = (middle(window) - middle("fall")).days
    return days / (year_end(school_year) - year_start(school_year)).days


def session_ids(school_year: int) -> dict[str, str]:
    return {
        "year": f"sy-{school_year}",
        "fall": f"term-{school_year}-fall",
        "spring": f"term-{school_year}-spring",
    }


def sessions_table(school_year: int) -> pa.Table:
    ids = session_ids(school_year)
    fall, spring = terms(school_year)["fall"], terms(school_year)["spring"]
    label = f"{school_year - 1}-{school_year}"
    return pa.table(
        {
            "source_id": [ids["year"], ids["fall"], ids["spring"]],
            "title": [label, f"Fall {school_year - 1}", f"Spring {school_year}"],
            "type": ["schoolYear", "term", "term"],
            "start_date": pa.array([year_start(school_year), fall[0], spring[0]], pa.date32()),
            "end_date": pa.array([year_end(school_year), fall[1], spring[1]], pa.date32()),
            "parent_source_id": [None, ids["year"], ids["year"]],
            "school_year": [str(school_year)] * 3,
        }
    )
