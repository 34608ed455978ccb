"""Teachers and tutors: one table each, schools already decided by the schedule."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from testkit.synthetic import people
from testkit.synthetic.spec import DistrictSpec, numbered

STUDENTS_PER_TUTOR = 9
"""A funded high-dosage programme: each tutor takes 3-4 groups of at most 4, and about half the students
need tutoring in a subject, so one tutor per 9 students places nearly every entrant the hub chooses."""
GROUPS_PER_TUTOR = (3, 4)
_TUTOR_SUBJECTS = pa.array(["ela,math", "ela", "math"])


def _identity(
    spec: DistrictSpec, purpose: str, count: int, prefix: str, first_number: int
) -> dict[str, pa.Array]:
    rng = spec.rng(purpose)
    given, family = people.adults(rng, count)
    sis_id = pa.array(first_number + rng.permutation(count)).cast(pa.string())
    user = people.username(given, family, sis_id)
    return {
        "source_id": numbered(prefix, np.arange(1, count + 1), 5),
        "sis_id": sis_id,
        "username": user,
        "given_name": given,
        "family_name": family,
        "email": people.email(user, spec.email_domain),
    }


def build_teachers(spec: DistrictSpec, school_ids: pa.Array, teacher_school: np.ndarray) -> pa.Table:
    columns = _identity(spec, "teachers", len(teacher_school), "tch-", 500_000)
    return pa.table({**columns, "school_source_id": school_ids.take(teacher_school)})


def build_tutors(spec: DistrictSpec, school_ids: pa.Array, students_per_school: np.ndarray) -> pa.Table:
    """About one tutor per ``STUDENTS_PER_TUTOR`` students, at least one per school; each takes 3-4 groups."""
    per_school = np.maximum(np.rint(students_per_school / STUDENTS_PER_TUTOR).astype(np.int64), 1)
    school = np.repeat(np.arange(len(per_school)), per_school)
    columns = _identity(spec, "tutors", len(school), "tut-", 800_000)
    rng = spec.rng("tutor_load")
    return pa.table(
        {
            **columns,
            "school_source_id": school_ids.take(school),
            "subjects": _TUTOR_SUBJECTS.take(rng.choice(3, len(school), p=[0.5, 0.25, 0.25])),
            "max_groups": pa.array(
                rng.integers(GROUPS_PER_TUTOR[0], GROUPS_PER_TUTOR[1] + 1, len(school)), pa.int64()
            ),
        }
    )
