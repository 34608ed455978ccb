"""The small-cell rule: what a figure shows, when it is suppressed, and what it keeps when it is."""

from __future__ import annotations

import pytest

from hub.reports.figures import count, figure, parts_of_total, share


def test_a_figure_on_enough_students_shows_its_value_and_n() -> None:
    shown = figure(12.345, 31, min_n=10, unit="points")
    assert (shown.value, shown.n, shown.suppressed) == (12.3, 31, False)
    assert shown.text() == "+12.3 points (n = 31)"


@pytest.mark.parametrize("n", [1, 7, 9])
def test_a_figure_on_fewer_students_keeps_neither_value_nor_n(n: int) -> None:
    hidden = figure(55.0, n, min_n=10, unit="%")
    assert (hidden.value, hidden.n, hidden.suppressed) == (None, None, True)
    assert hidden.text() == "suppressed (n < 10)"


def test_a_figure_is_suppressed_when_any_group_it_rests_on_is_small() -> None:
    assert figure(3.0, 40, min_n=10, rests_on=(4,)).suppressed
    assert not figure(3.0, 40, min_n=10, rests_on=(0, 12)).suppressed


def test_nobody_is_not_a_small_cell() -> None:
    empty = share(0, 0, min_n=10)
    assert not empty.suppressed
    assert empty.text() == "no students"
    assert count(0, min_n=10).text() == "0"


def test_the_minimum_is_configurable() -> None:
    assert not share(1, 5, min_n=1).suppressed
    assert share(1, 5, min_n=2).suppressed


def test_share_rests_on_the_whole_group() -> None:
    assert share(2, 40, min_n=10).text() == "suppressed (protects a small cell)"  # 5 % of 40 is 2 students
    assert share(12, 40, min_n=10).text() == "30.0 % (n = 40)"


def test_a_share_hides_a_small_rest_of_the_group_as_well() -> None:
    assert share(37, 40, min_n=10).suppressed  # 92.5 % of 40 leaves 3 students
    assert not share(0, 40, min_n=10).suppressed and not share(40, 40, min_n=10).suppressed


def test_a_lone_small_part_of_a_shown_total_takes_a_neighbour_with_it() -> None:
    up, same, down = parts_of_total([13, 4, 0], min_n=10)
    assert same.text() == "suppressed (n < 10)"
    assert up.suppressed and up.complementary  # else 17 - 13 - 0 gives the 4 away
    assert down.text() == "0"


def test_small_parts_that_together_reach_the_minimum_suffice() -> None:
    parts = parts_of_total([20, 6, 5], min_n=10)
    assert [part.suppressed for part in parts] == [False, True, True]


def test_unknown_units_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown figure unit"):
        figure(1.0, 20, min_n=10, unit="furlongs")
