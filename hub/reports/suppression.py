"""Primary and complementary suppression over counts that add up, after the NCES guidance.

Primary suppression hides every count of 1 to ``min_n - 1`` students. That alone is not enough where
counts add up to a total the reader also sees: the total minus the shown parts gives the hidden one back.
So every *line* (parts that add up to a total) is checked: a line with exactly one hidden cell, or whose
hidden parts add up to a small number, hides one more cell: its smallest non-zero visible part. Lines
cross (a grade's tiers add up to the grade; each tier's grades add up to the school's tier), so the check
runs until no line changes. Cells named ``fixed`` (totals shown in another section) are never chosen.

NCES, "Statistical Methods for Protecting Personally Identifiable Information in Aggregate Reporting"
(SLDS Technical Brief 3, NCES 2011-603): primary suppression of small cells, complementary suppression so
that no suppressed cell can be recovered from the margins.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Line(Generic[Key]):
    """Cells that add up: ``parts`` sum to ``total``. ``total`` is None when the total is shown elsewhere
    (or can be worked out) and is always visible."""

    parts: Sequence[Key]
    total: Key | None = None


def small(n: int, min_n: int) -> bool:
    return 0 < n < min_n


def hidden_cells(
    counts: Mapping[Key, int],
    lines: Sequence[Line[Key]],
    min_n: int,
    fixed: Collection[Key] = (),
    unseen: Collection[Key] = (),
) -> set[Key]:
    """The cells to suppress so that no count of 1 to ``min_n - 1`` can be shown or worked out.

    ``unseen`` cells are not shown at all, and count as hidden from the start.
    """
    hidden = {key for key, n in counts.items() if small(n, min_n)} | set(unseen)
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = [*line.parts, *([line.total] if line.total is not None else [])]
            shut = [key for key in cells if key in hidden]
            parts_shut = [key for key in line.parts if key in hidden]
            exposed = len(shut) == 1 or (
                len(shut) == len(parts_shut) and small(sum(counts[key] for key in parts_shut), min_n)
            )
            if not shut or not exposed:
                continue
            pick = _smallest_visible(counts, line.parts, hidden, fixed)
            if pick is None and line.total is not None and line.total not in hidden | set(fixed):
                pick = line.total
            if pick is not None:
                hidden.add(pick)
                changed = True
    return hidden


def _smallest_visible(
    counts: Mapping[Key, int], keys: Sequence[Key], hidden: set[Key], fixed: Collection[Key]
) -> Key | None:
    visible = [
        (counts[key], index) for index, key in enumerate(keys) if key not in hidden and key not in fixed
    ]
    visible = [(n, index) for n, index in visible if n > 0]
    return keys[min(visible)[1]] if visible else None


def grid_lines(
    rows: Sequence[Hashable], columns: Sequence[Hashable], total_row: Hashable, total_column: Hashable
) -> list[Line]:
    """The lines of a table with margins: each row's cells add up to its ``total_column`` cell, and each
    column's rows to its ``total_row`` cell (keys are ``(row, column)``)."""
    lines: list[Line] = [
        Line([(row, column) for column in columns], (row, total_column)) for row in [*rows, total_row]
    ]
    lines += [
        Line([(row, column) for row in rows], (total_row, column)) for column in [*columns, total_column]
    ]
    return lines
