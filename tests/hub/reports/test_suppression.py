"""Complementary suppression: no hidden count comes back from the totals and parts left in view."""

from __future__ import annotations

from hub.reports.suppression import Line, grid_lines, hidden_cells


def test_a_small_part_takes_the_smallest_other_part_with_it() -> None:
    counts = {"a": 40, "b": 20, "c": 3}
    assert hidden_cells(counts, [Line(["a", "b", "c"])], 10) == {"b", "c"}


def test_small_parts_whose_sum_reaches_the_minimum_need_no_neighbour() -> None:
    counts = {"a": 40, "b": 6, "c": 5}
    assert hidden_cells(counts, [Line(["a", "b", "c"])], 10) == {"b", "c"}
    counts = {"a": 40, "b": 4, "c": 3}  # 4 + 3 = 7 would still be a small count
    assert hidden_cells(counts, [Line(["a", "b", "c"])], 10) == {"a", "b", "c"}


def test_crossing_lines_are_protected_both_ways() -> None:
    # grades g1, g2 by tiers t1, t2, with grade totals ("n") and whole-school totals ("all")
    cells = {("g1", "t1"): 50, ("g1", "t2"): 3, ("g2", "t1"): 40, ("g2", "t2"): 20}
    counts = dict(cells)
    for grade in ("g1", "g2"):
        counts[(grade, "n")] = cells[(grade, "t1")] + cells[(grade, "t2")]
    for column in ("t1", "t2", "n"):
        counts[("all", column)] = counts[("g1", column)] + counts[("g2", column)]
    hidden = hidden_cells(counts, grid_lines(["g1", "g2"], ["t1", "t2"], "all", "n"), 10)
    # g1's 3 hides its neighbour 50; each column then has one hidden cell, so g2's two hide as well
    assert hidden == {("g1", "t1"), ("g1", "t2"), ("g2", "t1"), ("g2", "t2")}
    assert _recoverable(counts, grid_lines(["g1", "g2"], ["t1", "t2"], "all", "n"), hidden) == {}


def test_fixed_totals_are_never_chosen_and_unseen_cells_count_as_hidden() -> None:
    counts = {"a": 30, "b": 25, "total": 55}
    assert hidden_cells(counts, [Line(["a", "b"], "total")], 10, fixed={"total"}, unseen={"b"}) == {"a", "b"}


def _recoverable(counts: dict, lines: list[Line], hidden: set) -> dict:
    """Hidden cells a reader can work out exactly: the only hidden cell left in some line, repeatedly."""
    known = {key: n for key, n in counts.items() if key not in hidden}
    found = True
    while found:
        found = False
        for line in lines:
            cells = [*line.parts, line.total]
            unknown = [key for key in cells if key not in known]
            if len(unknown) == 1:
                parts = sum(known[key] for key in line.parts if key in known)
                known[unknown[0]] = known[line.total] - parts if unknown[0] != line.total else parts
                found = True
    return {key: n for key, n in known.items() if key in hidden}
