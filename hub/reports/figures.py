"""Aggregate figures that carry their n, and the small-cell rule that blanks them.

Suppression happens here, when a builder makes a figure, so that no renderer, export or destination ever
holds a value that rests on too few students. A suppressed figure keeps neither its value nor its n: the
exact size of a small group is itself a disclosure. A count of 0 discloses nobody and stays visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hub.reports.suppression import Line, hidden_cells, small

DEFAULT_MIN_N = 10

UNITS = ("", "%", "points", "sessions", "minutes")
"""``""`` is a count of students; ``points`` are scale-score points and are shown with their sign."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One aggregate and the number of students it rests on."""

    value: float | None
    n: int | None
    unit: str = ""
    suppressed_below: int | None = None
    """The minimum n that was not reached; set only on a suppressed figure."""
    complementary: bool = False
    """Suppressed although large enough, so that a small neighbour cannot be found by subtraction."""
    absent: str = "no data"
    """Why there is no value, when there is none (a school that has not tested, a week with no session)."""

    @property
    def suppressed(self) -> bool:
        return self.suppressed_below is not None

    @property
    def shown(self) -> bool:
        """True when there is a value a chart may draw."""
        return not self.suppressed and self.value is not None

    def value_text(self) -> str:
        if self.complementary:
            return "suppressed (protects a small cell)"
        if self.suppressed:
            return f"suppressed (n < {self.suppressed_below})"
        if self.value is None:
            return self.absent
        return format_value(self.value, self.unit)

    def text(self) -> str:
        """The figure as a person reads it: ``78.3 % (n = 41)`` or ``suppressed (n < 10)``."""
        if self.suppressed:
            return self.value_text()
        if self.value is None:
            return self.absent
        if self.unit == "" and self.value == self.n:
            return f"{self.n or 0}"  # a count of students is its own n
        return f"{self.value_text()} (n = {self.n or 0})"


def missing(reason: str) -> Figure:
    """A figure with nobody behind it, saying why (``not tested this window``, ``no session logged``)."""
    return Figure(None, 0, absent=reason)


def format_value(value: float, unit: str) -> str:
    if unit == "":
        return f"{value:g}"
    if unit == "%":
        return f"{value:.1f} %"
    if unit == "points":
        return f"{value:+.1f} points"
    if unit == "sessions":
        return f"{value:.1f} sessions"
    return f"{value:.0f} {unit}"


def figure(
    value: float | None, n: int | None, *, min_n: int, unit: str = "", rests_on: tuple[int | None, ...] = ()
) -> Figure:
    """A figure, suppressed when ``n`` or any count in ``rests_on`` is between 1 and ``min_n`` - 1.

    ``rests_on`` names the other groups a figure depends on (a difference from peers rests on the peers).
    Values are rounded to one decimal here, so every rendering shows the same number.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown figure unit {unit!r}; expected one of {UNITS}")
    if any(count is not None and 0 < count < min_n for count in (n, *rests_on)):
        return Figure(None, None, unit, min_n)
    rounded = None if value is None else round(float(value), 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    return Figure(rounded, int(n or 0), unit)


def count(n: int | None, *, min_n: int) -> Figure:
    """A number of students, itself the n it rests on."""
    return figure(n, n, min_n=min_n)


def share(part: int | None, whole: int | None, *, min_n: int) -> Figure:
    """``part`` of ``whole`` in percent; it rests on ``whole`` (the group it describes).

    A percentage with its n gives back both the part and the rest of the group, so it is suppressed when
    either of them is a small count, not only when the group is small.
    """
    if not whole:
        return Figure(None, 0, "%", absent="no students")
    shown = figure(100.0 * (part or 0) / whole, whole, min_n=min_n, unit="%")
    if shown.suppressed or not (small(part or 0, min_n) or small(whole - (part or 0), min_n)):
        return shown
    return hidden_figure("%", min_n, complementary=True)


def hidden_figure(unit: str, min_n: int, *, complementary: bool) -> Figure:
    """A suppressed figure: below the minimum itself, or hidden so that a small neighbour stays hidden."""
    return Figure(None, None, unit, min_n, complementary=complementary)


def parts_of_total(counts: Sequence[int], *, min_n: int) -> tuple[Figure, ...]:
    """Counts shown beside their total: small ones suppressed, and while the suppressed ones add up to a
    small number (found by subtracting the rest from the total), the smallest shown count joins them."""
    keys = list(range(len(counts)))
    hidden = hidden_cells(dict(enumerate(counts)), [Line(keys)], min_n)
    return tuple(protected_count(n, index in hidden, min_n) for index, n in enumerate(counts))


def protected_count(n: int, hidden: bool, min_n: int) -> Figure:
    """A count of students, or its suppression as primary (small) or complementary (to protect another)."""
    return hidden_figure("", min_n, complementary=n >= min_n) if hidden else count(n, min_n=min_n)
