"""The students table: identity, demographics and achievement, drawn in bulk.

Rates are set near US public-school averages (NCES Digest, recent years): race/ethnicity about 45% White,
28% Hispanic, 15% Black, 5.5% Asian, 4.7% two or more races, 0.9% American Indian/Alaska Native, 0.4%
Native Hawaiian/Pacific Islander; English learners about 10% (more in the early grades, mostly Hispanic and
Asian students); students with disabilities about 15% (boys about twice girls); economically
disadvantaged about 45%, varying with race/ethnicity and clustered by school (a school factor), as real
poverty is. The race flags are OneRoster's, not the exclusive NCES categories: most Hispanic students also
carry a race (mostly ``white``), and two-or-more-races students carry their two races, so the ``white``
flag alone is set for about two students in three.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from testkit.synthetic import achievement, people
from testkit.synthetic.schools import CEDS_GRADES, SchoolPlan
from testkit.synthetic.spec import DistrictSpec, numbered

# Categories, their shares, and per category the rates of ELL and of economic disadvantage.
_RACES = ("white", "hispanic", "black", "asian", "two_or_more", "american_indian", "pacific_islander")
_SHARE = np.array([0.45, 0.28, 0.15, 0.055, 0.047, 0.009, 0.004])
_ELL_RATE = np.array([0.02, 0.27, 0.04, 0.18, 0.03, 0.08, 0.15])
_ECON_RATE = np.array([0.30, 0.62, 0.65, 0.30, 0.42, 0.65, 0.55])
_ELL_BY_KIND = np.array([1.3, 0.9, 0.7])  # elementary, middle, high
_SWD_RATE = np.array([0.10, 0.19, 0.145])  # female, male, unspecified


def build_students(spec: DistrictSpec, plan: SchoolPlan) -> pa.Table:
    n = spec.students
    rng = spec.rng("demographics")
    grade_num = plan.grade_num
    sex = rng.choice(3, n, p=[0.485, 0.513, 0.002])
    race = rng.choice(len(_RACES), n, p=_SHARE / _SHARE.sum())
    is_race = {name: race == index for index, name in enumerate(_RACES)}
    school_factor = rng.standard_normal(len(plan.kind))[plan.school]
    kind = plan.kind[plan.school]
    subgroups = {
        "english_learner": rng.random(n) < _ELL_RATE[race] * _ELL_BY_KIND[kind],
        "disability": rng.random(n) < _SWD_RATE[sex],
        "economically_disadvantaged": rng.random(n)
        < _logistic(_logit(_ECON_RATE[race]) + 0.6 * school_factor),
    }
    second_race = rng.choice(3, n, p=[0.5, 0.3, 0.2])  # of two-or-more: black, asian, american indian
    multi = is_race["two_or_more"]
    races = {
        "american_indian_or_alaska_native": is_race["american_indian"] | (multi & (second_race == 2)),
        "asian": is_race["asian"] | (multi & (second_race == 1)),
        "black_or_african_american": is_race["black"] | (multi & (second_race == 0)),
        "native_hawaiian_or_other_pacific_islander": is_race["pacific_islander"],
        "white": is_race["white"] | multi | (is_race["hispanic"] & (rng.random(n) < 0.6)),
        "two_or_more_races": multi,
        "hispanic_or_latino": is_race["hispanic"],
    }

    names = spec.rng("student_names")
    given = people.given_names(names, sex)
    family = people.family_names(names, is_race["hispanic"], is_race["asian"])
    ids = spec.rng("student_ids")
    sis_id = pa.array(1_000_000 + ids.permutation(n)).cast(pa.string())
    # An affine map modulo 9e9 with a prime multiplier: ten digits, unique, not in roster order.
    state_id = pa.array(
        1_000_000_000 + (np.arange(n) * 2_654_435_761 + ids.integers(0, 9 * 10**9)) % (9 * 10**9)
    )
    user = people.username(given, family, sis_id)
    levels = achievement.fall_levels(spec, grade_num, subgroups)
    rates = achievement.growth(spec, subgroups["disability"])
    return pa.table(
        {
            "source_id": numbered("stu-", np.arange(1, n + 1), 7),
            "sis_id": sis_id,
            "state_id": state_id.cast(pa.string()),
            "username": user,
            "given_name": given,
            "family_name": family,
            "email": people.email(user, f"students.{spec.email_domain}"),
            "grade": pa.array(CEDS_GRADES).take(grade_num),
            "grade_num": pa.array(grade_num, pa.int8()),
            "school_source_id": plan.schools.column("source_id").take(plan.school),
            "birth_date": _birth_dates(spec, grade_num, rng),
            "sex": pa.array(people.SEXES).take(sex),
            **races,
            **subgroups,
            "ela_level_fall": levels["ela"],
            "math_level_fall": levels["math"],
            "ela_growth": rates["ela"],
            "math_growth": rates["math"],
        }
    )


def _birth_dates(spec: DistrictSpec, grade_num: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """Age 5 by September 1 of kindergarten; about 4% a year older (retained), 1% a year younger."""
    fall_year = spec.school_year - 1
    cohort_start = np.array([np.datetime64(f"{fall_year - 6 - g}-09-02") for g in range(-1, 15)])
    shift = rng.choice([1, 0, -1], len(grade_num), p=[0.04, 0.95, 0.01])
    start = cohort_start[grade_num + shift + 1]
    return pa.array(start + rng.integers(0, 365, len(grade_num)).astype("timedelta64[D]"))


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))
