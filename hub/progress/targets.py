"""Each placement's goal and the words for it, by the rule that chose its points (``hub.progress.goals``).

Numbers and dates in the words are formatted once per distinct value (``hub.progress.text``).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.progress.measures import DISTRICT, MASTERED, VENDOR, VENDOR_NAMES, Chosen
from hub.progress.policy import ProgressPolicy
from hub.progress.text import day_text, number_text, texts
from hub.skills import label


def set_goals(
    chosen: Chosen,
    placements: pa.Table,
    baseline_day: np.ndarray,
    baseline: np.ndarray,
    goal_day: np.ndarray,
    results: pa.Table,
    policy: ProgressPolicy,
) -> tuple[np.ndarray, pa.Array]:
    """Each placement's goal and the words for it, by the rule that chose its points."""
    goal = chosen.district_goal.copy()
    basis = np.empty(len(goal), dtype=object)
    district = chosen.kind == DISTRICT
    basis[district] = texts(
        "the district's goal on ",
        chosen.measure.filter(pa.array(district)),
        ": ",
        number_text(goal[district], "g"),
    )
    mastered = chosen.kind == MASTERED
    goal[mastered], basis[mastered] = _mastery_goal(
        baseline[mastered],
        placements["canonical_domain"].filter(pa.array(mastered)),
        goal_day[mastered],
        policy,
    )
    vendor = chosen.kind == VENDOR
    if vendor.any():  # only then are the tests' vendor and typical growth read
        entry = placements["entry_result_source_id"].filter(pa.array(vendor))
        tests = results.take(pc.index_in(entry, value_set=results["source_id"]))
        goal[vendor], basis[vendor] = _typical_growth_goal(
            baseline[vendor], baseline_day[vendor], tests, goal_day[vendor], policy
        )
    return goal, pa.array(basis, pa.string())


def _mastery_goal(
    baseline: np.ndarray, domain: pa.ChunkedArray, goal_day: np.ndarray, policy: ProgressPolicy
) -> tuple[np.ndarray, np.ndarray]:
    """Grade-level mastery of the skill by the cycle's end; a student already past it holds their baseline
    (an aimline never runs down: a falling line would call a slide "on track")."""
    names = {value: label(value) for value in pc.unique(domain).to_pylist() if value}
    skill = pa.array([names.get(value, "The subject's skills") for value in domain.to_pylist()], pa.string())
    criterion = policy.mastery_goal_percent
    holds = baseline >= criterion
    by = day_text(goal_day)
    held = texts(
        skill,
        ": ",
        number_text(baseline, "g"),
        f" % correct at the baseline already meets the {criterion:g} % mastery goal; the goal holds it to ",
        by,
        ", and points below it say adjust",
    )
    reached = texts(skill, f" mastery checks at {criterion:g} % correct (grade-level mastery) by ", by)
    return np.where(holds, baseline, criterion), np.where(holds, held, reached)


def _typical_growth_goal(
    baseline: np.ndarray,
    baseline_day: np.ndarray,
    tests: pa.Table,
    goal_day: np.ndarray,
    policy: ProgressPolicy,
) -> tuple[np.ndarray, np.ndarray]:
    """The vendor's typical growth, prorated to the weeks from the entry test to the goal date; without a
    typical growth, the baseline held."""
    vendor = pa.array([VENDOR_NAMES.get(name, name) for name in tests["vendor"].to_pylist()], pa.string())
    growth = tests["typical_growth"].cast(pa.float64())
    given = pc.is_valid(growth).to_numpy(zero_copy_only=False)
    typical = pc.fill_null(growth, 0.0).to_numpy(zero_copy_only=False)
    weeks = np.maximum((goal_day - baseline_day) / 7, 0.0)
    goal = np.where(given, baseline + typical * weeks / policy.typical_growth_weeks, baseline)
    grown = texts(
        vendor,
        " typical growth (",
        number_text(typical, "g"),
        " a year) prorated to ",
        number_text(weeks, ".0f"),
        " weeks: scale ",
        number_text(goal, ".0f"),
        " by ",
        day_text(goal_day),
    )
    flat = texts(vendor, " gave no typical growth for this test: the goal holds the baseline")
    return goal, np.where(given, grown, flat)
