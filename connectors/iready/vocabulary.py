"""What i-Ready's values mean: relative placements, placements, windows, grades, subjects and domains.

Each function reads ONE distinct vendor value (see ``arrowtools.recode``). Spellings are compared after
folding case, hyphens and runs of spaces, because re-saved exports and older years differ in exactly that.
"""

from __future__ import annotations

import re

RELATIVE_PLACEMENTS = (
    "3 or More Grade Levels Below",
    "2 Grade Levels Below",
    "1 Grade Level Below",
    "Early On Grade Level",
    "Mid or Above Grade Level",
)
"""The five relative placements i-Ready has used since 2020-21, lowest first; the position is the category."""

MID_OR_ABOVE = 4
GRADE_LEVELS_BELOW = (3, 2, 1, 0, 0)
"""Grade levels below, by category: Early On and Mid or Above are both on grade level."""

DEFAULT_BANDS = dict(zip(RELATIVE_PLACEMENTS, (1, 2, 3, 4, 5), strict=True))
"""Proficiency band 1..5 by relative placement, the ordinal most i-Ready users report (4 and 5 proficient)."""

DOMAIN_STATUS_WORDS = frozenset({"Tested Out", "Max Score", "Surpassed Level"})
"""Written in a domain's placement (or scale score) when the student is past what the domain measures."""


def fold(text: str) -> str:
    return " ".join(text.replace("-", " ").casefold().split())


_RELATIVE_SPELLINGS = {
    fold(spelling): category
    for category, spellings in enumerate(
        (
            (
                "3 or More Grade Levels Below",
                "Three or More Grades Below",
                "Three or More Grade Levels Below",
            ),
            ("2 Grade Levels Below", "Two Grades Below", "Two Grade Levels Below", "2 or More Levels Below"),
            ("1 Grade Level Below", "One Grade Below", "One Grade Level Below", "1 Level Below"),
            # The 4-level "On Level" (Diagnostic and Instruction exports) does not say early or mid: the
            # lower reading is kept, so nobody is reported above where the vendor put them.
            ("Early On Grade Level", "Early On-Grade", "Early On Grade", "On Level"),
            ("Mid or Above Grade Level", "Mid or Above", "Above Level", *DOMAIN_STATUS_WORDS),
        )
    )
    for spelling in spellings
}


def relative_category(text: str) -> int | None:
    """Category 0 (3+ below) .. 4 (mid or above) of a relative placement in any spelling i-Ready used."""
    return _RELATIVE_SPELLINGS.get(fold(text))


_PLACEMENT = re.compile(
    r"^(?:(?:level|grade) )?(?:(emerging|early|mid|late)(?: ?/ ?(?:mid|late))? )?"
    r"(k|\d{1,2}|algebra 1|geometry|algebra 2|ccr math)$"
)
# High-school math placements name a course; each is read as the grade that usually takes it.
_COURSE_GRADES = {"algebra 1": 9, "geometry": 10, "algebra 2": 11, "ccr math": 12}


def grade_number(text: str) -> int | None:
    """0 for kindergarten, -1 for pre-K, 1..12; accepts ``K``/``KG``, ``3``/``03``/``Grade 3``."""
    key = fold(text).removeprefix("grade ")
    if key in ("k", "kg", "kindergarten", "0", "00"):
        return 0
    if key in ("pk", "pre k", "prek"):
        return -1
    return int(key) if key.isdigit() and 1 <= int(key) <= 12 else None


def ceds_grade(text: str) -> str | None:
    """The CEDS grade code (``KG``, ``01``..``12``, ``PK``) of an i-Ready ``Student Grade``."""
    number = grade_number(text)
    if number is None:
        return None
    return {-1: "PK", 0: "KG"}.get(number, f"{number:02d}")


def placement_category(placement: str, student_grade: str | None) -> int | None:
    """A relative placement worked out from a placement and the student's grade.

    For layouts without relative placements (2021-22 domains): i-Ready writes Early/Mid/Late only when the
    placement grade is the student's own, so the grade difference gives the category, ``Level N`` and
    ``Grade N`` alike. An Emerging K placement is below kindergarten.
    """
    if placement.strip() in DOMAIN_STATUS_WORDS:
        return MID_OR_ABOVE
    match = _PLACEMENT.match(fold(placement))
    grade = grade_number(student_grade) if student_grade else None
    if match is None or grade is None:
        return None
    stage, level = match.groups()
    placed = 0 if level == "k" else _COURSE_GRADES.get(level) or int(level)
    if stage == "emerging":
        placed -= 1
    below = grade - placed
    if below > 0:
        return max(0, 3 - below)
    return 3 if below == 0 and stage in ("early", None) else MID_OR_ABOVE


_WINDOWS = ("fall", "winter", "spring", "summer")


def norming_window(text: str) -> str | None:
    """``Fall (Beginning of Year - November 15)`` -> ``fall``."""
    first = fold(text).split(" ", 1)[0] if text.strip() else ""
    return first if first in _WINDOWS else None


def end_year(text: str) -> int | None:
    """``2025-2026`` (or ``2025-26``, ``2026``) -> 2026, the year the school year ends."""
    match = re.fullmatch(r"\s*(\d{4})(?:\s*-\s*(\d{2}|\d{4}))?\s*", text)
    if match is None:
        return None
    start, end = match.groups()
    if end is None:
        return int(start)
    return int(end) if len(end) == 4 else int(start[:2] + end)


_MEASURE = re.compile(r"(BR|EM)?\d{1,4}[LQ]")


def measure(text: str) -> str | None:
    """A Lexile (``215L``, Beginning Reader ``BR120L``) or Quantile (``275Q``, Emerging ``EM50Q``) measure."""
    key = "".join(text.split()).upper()
    return key if _MEASURE.fullmatch(key) else None


def yes_no(text: str) -> bool | None:
    return {"y": True, "yes": True, "true": True, "n": False, "no": False, "false": False}.get(fold(text))


def lesson_subject(text: str) -> str | None:
    """The ``Subject`` of a lesson row: ``Reading`` (``ELA`` before 2026-27) or ``Math``."""
    return {"reading": "ela", "ela": "ela", "english language arts": "ela", "math": "math"}.get(fold(text))


DOMAINS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "ela": (
        ("Phonological Awareness", "phonological_awareness"),
        ("Phonics", "phonics"),
        ("High-Frequency Words", "high_frequency_words"),
        ("Vocabulary", "vocabulary"),
        ("Comprehension: Overall", None),
        ("Comprehension: Literature", "comprehension_literature"),
        ("Comprehension: Informational Text", "comprehension_informational"),
    ),
    "math": (
        ("Number and Operations", "number_and_operations"),
        ("Algebra and Algebraic Thinking", "algebra_and_algebraic_thinking"),
        ("Measurement and Data", "measurement_and_data"),
        ("Geometry", "geometry"),
    ),
}
"""i-Ready domains (2025-26 names) and their hub.skills key; a rollup of two domains has none."""

_CANONICAL = {fold(vendor): key for domains in DOMAINS.values() for vendor, key in domains}


def canonical_domain(vendor_domain: str) -> str | None:
    """The hub.skills key of a domain name, older ``Reading Comprehension: ...`` spellings included."""
    key = fold(vendor_domain)
    return _CANONICAL.get(key.removeprefix("reading "))
