"""MAP goals for the synthetic district's tests: the goal names of the test form, the RIT of each goal
from the student's level in that skill domain, and the adjective from where that level stands among
grade-mates."""

from __future__ import annotations

import numpy as np

from testkit.simulate import nwea_map as simulate
from testkit.synthetic import SyntheticDistrict

_GOAL_SETS = {
    "ela": (
        2,  # grade the second goal set starts at
        (
            ("Foundational Skills and Vocabulary", "phonics"),
            ("Literature", "comprehension_literature"),
            ("Informational Text", "comprehension_informational"),
            ("Language and Writing", "language_and_writing"),
        ),
        (
            ("Literary Text", "comprehension_literature"),
            ("Informational Text", "comprehension_informational"),
            ("Vocabulary: Acquisition and Use", "vocabulary"),
        ),
    ),
    "math": (
        6,
        (
            ("Operations and Algebraic Thinking", "algebra_and_algebraic_thinking"),
            ("Number and Operations", "number_and_operations"),
            ("Measurement and Data", "measurement_and_data"),
            ("Geometry", "geometry"),
        ),
        (
            ("Operations and Algebraic Thinking", "algebra_and_algebraic_thinking"),
            ("The Real and Complex Number Systems", "number_and_operations"),
            ("Geometry", "geometry"),
            ("Statistics and Probability", "statistics_and_probability"),
        ),
    ),
}
"""Per subject: the grade the second goal set starts at, the goal set below it, the goal set from it."""


def goal_columns(
    district: SyntheticDistrict,
    subject: str,
    window: str,
    elapsed: float,
    rng: np.random.Generator,
    who: np.ndarray,
) -> dict[str, np.ndarray]:
    """Goal cells for the tests of students ``who``; a goal set shorter than the slots leaves blanks."""
    grade = district.students.column("grade_num").to_numpy().astype(np.int64)
    second_from, *sets = _GOAL_SETS[subject]
    which = (grade >= second_from).astype(np.int64)
    levels = {
        domain: district.domain_level_at(subject, domain, window).to_numpy()
        for goal_set in sets
        for _, domain in goal_set
    }
    rows: dict[str, np.ndarray] = {}
    for slot in range(max(len(goal_set) for goal_set in sets)):
        goals = [goal_set[slot] if slot < len(goal_set) else ("", None) for goal_set in sets]
        names = np.array([name for name, _ in goals])[which]
        level = np.choose(which, [levels[domain] if domain else np.zeros(len(grade)) for _, domain in goals])
        rit = np.rint(simulate.rit(subject, grade + level))
        spread = np.rint(rng.uniform(6, 8, len(grade)))
        blank = names == ""
        goal = f"Goal{slot + 1}"
        percentile = simulate.percentile((level - elapsed) / simulate.peer_spread(grade))
        rows[f"{goal}Name"] = names[who]
        rows[f"{goal}RitScore"] = np.where(blank, np.nan, rit)[who]
        rows[f"{goal}StdErr"] = np.where(blank, np.nan, np.round(rng.uniform(5.8, 7.4, len(grade)), 1))[who]
        rows[f"{goal}Range"] = np.where(
            blank,
            "",
            np.char.add(
                np.char.add((rit - spread).astype(np.int64).astype(str), "-"),
                (rit + spread).astype(np.int64).astype(str),
            ),
        )[who]
        rows[f"{goal}Adjective"] = np.where(blank, "", simulate.quintile(percentile))[who]
    return rows
