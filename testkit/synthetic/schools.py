"""How many schools of each kind a district of N students has, and which students sit in which.

Grades are about even (a few percent of cohort-to-cohort noise); schools of one kind differ in size
(log-normal, about +-25%) around the sizes typical of US public schools.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from testkit.synthetic.names import school_names
from testkit.synthetic.spec import DistrictSpec, allocate, numbered

GRADES = 13  # KG, 01 .. 12
CEDS_GRADES = ("KG", *(f"{grade:02d}" for grade in range(1, GRADES)))
KIND_GRADES = {"elementary": range(0, 6), "middle": range(6, 9), "high": range(9, 13)}
TYPICAL_SIZE = {"elementary": 450, "middle": 800, "high": 1500}


@dataclass(frozen=True, slots=True)
class SchoolPlan:
    """Students in (school, grade) order: student i is in ``school[i]``, grade ``grade_num[i]``."""

    schools: pa.Table
    kind: np.ndarray  # per school: 0 elementary, 1 middle, 2 high
    school: np.ndarray  # per student: school index
    grade_num: np.ndarray  # per student: 0 (KG) .. 12


def kind_of_grade(grade_num: np.ndarray) -> np.ndarray:
    return np.searchsorted([6, 9], grade_num, side="right")


def plan_schools(spec: DistrictSpec, lea_id: str) -> SchoolPlan:
    rng = spec.rng("schools")
    grade_sizes = allocate(spec.students, 1.0 + rng.normal(0.0, 0.03, GRADES))
    per_school_grade: list[np.ndarray] = []
    names: list[str] = []
    kinds: list[int] = []
    for kind_index, (kind, grades) in enumerate(KIND_GRADES.items()):
        kind_students = int(grade_sizes[list(grades)].sum())
        count = max(1, round(kind_students / TYPICAL_SIZE[kind]))
        weights = rng.lognormal(0.0, 0.25, count)
        counts = np.zeros((count, GRADES), dtype=np.int64)
        for grade in grades:
            counts[:, grade] = allocate(int(grade_sizes[grade]), weights)
        per_school_grade.append(counts)
        names += school_names(kind, count, rng)
        kinds += [kind_index] * count
    counts = np.concatenate(per_school_grade)
    group = np.repeat(np.arange(counts.size), counts.ravel())
    numbers = np.arange(1, len(names) + 1)
    schools = pa.table(
        {
            "source_id": numbered("sch-", numbers, 4),
            "name": names,
            "kind": pa.array(np.array(list(KIND_GRADES))[kinds]),
            "identifier": numbered(lea_id, numbers, 5),
        }
    )
    return SchoolPlan(schools, np.array(kinds), group // GRADES, group % GRADES)
