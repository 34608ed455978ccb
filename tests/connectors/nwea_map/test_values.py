"""MAP's cell formats and vocabularies: dates, terms, grades, clock times, goal names."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from connectors.nwea_map.goals import canonical_domain
from connectors.nwea_map.values import ceds_grade, dates, parse_term, times


def test_dates_in_every_format_the_exports_use() -> None:
    cells = ["09/16/2021", "9/6/2021", "9/16/21", "2021-09-16", "16-09-2021", "9/16/2021 0:00", None]
    expected = [
        date(2021, 9, 16),
        date(2021, 9, 6),
        date(2021, 9, 16),
        date(2021, 9, 16),
        date(2021, 9, 16),
        date(2021, 9, 16),
        None,
    ]

    assert dates(pa.array(cells)).to_pylist() == expected


@pytest.mark.parametrize("cell", ["02/30/2021", "13/01/2021", "2021/09/16", "Sept 16", "0"])
def test_impossible_or_unknown_dates_are_null(cell: str) -> None:
    assert dates(pa.array([cell])).to_pylist() == [None]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("Fall 2021-2022", ("fall", 2022)),
        ("Winter 2020-2021", ("winter", 2021)),
        ("spring 2013-2014", ("spring", 2014)),
        ("Summer 2022-2023", ("summer", 2023)),
        # Client-server era: one calendar year; fall opens the school year that ends a year later.
        ("Fall 2013", ("fall", 2014)),
        ("Winter 2014", ("winter", 2014)),
        ("Spring 2014", ("spring", 2014)),
        ("Fall 2021-2023", None),
        ("Autumn 2021-2022", None),
    ],
)
def test_term_names(term: str, expected: tuple[str, int] | None) -> None:
    assert parse_term(term) == expected


@pytest.mark.parametrize(
    ("grade", "code"),
    [
        ("K", "KG"),
        ("KG", "KG"),
        ("0", "KG"),
        ("1", "01"),
        ("05", "05"),
        ("12", "12"),
        ("PK", "PK"),
        ("KG 2", None),
    ],
)
def test_grades_become_ceds_codes(grade: str, code: str | None) -> None:
    assert ceds_grade(grade) == code


def test_clock_times_are_normalised_for_ids() -> None:
    cells = ["14:02:45", "9:00:00 AM", "2:02:45 PM", "12:10:00 AM", "12:10 PM", "noon"]

    assert times(pa.array(cells)).to_pylist() == [
        "14:02:45",
        "09:00:00",
        "14:02:45",
        "00:10:00",
        "12:10:00",
        None,
    ]


@pytest.mark.parametrize(
    ("subject", "goal", "domain"),
    [
        ("ela", "Literature", "comprehension_literature"),
        ("ela", "Literary Text", "comprehension_literature"),
        ("ela", "Informational Text", "comprehension_informational"),
        ("ela", "Vocabulary", "vocabulary"),
        ("ela", "Vocabulary: Acquisition and Use", "vocabulary"),
        ("ela", "Foundational Skills", "phonics"),
        ("ela", "Foundational Skills and Vocabulary", "phonics"),
        ("ela", "Language and Writing", "language_and_writing"),
        ("ela", "Writing: Write, Revise Texts for Purpose and Audience", "language_and_writing"),
        ("ela", "Language: Understand, Edit for Mechanics", "language_and_writing"),
        ("math", "Operations and Algebraic Thinking", "algebra_and_algebraic_thinking"),
        ("math", "Algebraic Thinking", "algebra_and_algebraic_thinking"),
        ("math", "Number and Operations", "number_and_operations"),
        ("math", "Real and Complex Number Systems", "number_and_operations"),
        ("math", "Measurement and Data", "measurement_and_data"),
        ("math", "Geometry", "geometry"),
        ("math", "Statistics and Probability", "statistics_and_probability"),
        ("math", "Number and Algebraic Methods", "algebra_and_algebraic_thinking"),
        ("math", "Language and Writing", None),
        ("ela", "Geometry", None),
    ],
)
def test_goal_names_map_onto_skill_domains(subject: str, goal: str, domain: str | None) -> None:
    assert canonical_domain(subject, goal) == domain
