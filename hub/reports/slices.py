"""Impact per school, for the school dashboards.

hub.tutoring.measure_impact keys every aggregate by school as well (``schools``, ``school_transitions``,
...; hub.tutoring.impact_tables). Comparison peers are always of the student's own school, so a school's
rows of those tables are exactly what measuring impact on that school's students alone would give: each
school's ``Impact`` is cut from one district-wide run, in the district-wide tables' shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring._arrow import run_starts
from hub.tutoring.impact import SCHOOL_TABLES, Impact, ImpactPeriod, ImpactPolicy, measure_impact
from hub.tutoring.impact_tables import SCHOOL


def impact_by_school(
    results: pa.Table,
    students: pa.Table,
    demographics: pa.Table,
    student_weeks: pa.Table,
    memberships: pa.Table,
    periods: Sequence[ImpactPeriod],
    policy: ImpactPolicy | None = None,
) -> dict[str, Impact]:
    """``measure_impact`` per school (by the student's primary school), same arguments."""
    impact = measure_impact(results, students, demographics, student_weeks, memberships, periods, policy)
    return split_by_school(impact, students["primary_school_source_id"].drop_null().unique().to_pylist())


def split_by_school(impact: Impact, schools: Iterable[str]) -> dict[str, Impact]:
    """Each of ``schools``' own ``Impact`` (in school order), cut from a district-wide one.

    A caller that already holds the district's ``Impact`` slices it here instead of measuring again.
    """
    parts = {name: _partition(getattr(impact, name)) for name in ["students", *SCHOOL_TABLES.values()]}
    by_school = {}
    for school in sorted(schools):
        own = {name: tables.get(school, getattr(impact, name).slice(0, 0)) for name, tables in parts.items()}
        shaped = {
            district: own[per_school]
            .drop_columns([SCHOOL])
            .replace_schema_metadata(getattr(impact, district).schema.metadata)
            for district, per_school in SCHOOL_TABLES.items()
        }
        by_school[school] = Impact(**own, **shaped, min_n=impact.min_n)
    return by_school


def _partition(table: pa.Table) -> dict[str, pa.Table]:
    """``table``'s rows per school, each school's in their order (one stable sort, then zero-copy slices)."""
    if table.num_rows == 0:
        return {}
    ordered = table.take(pc.sort_indices(table[SCHOOL]))
    school = ordered[SCHOOL].combine_chunks()
    starts = run_starts(school)
    ends = np.append(starts[1:], len(school))
    return {
        school[start].as_py(): ordered.slice(start, end - start)
        for start, end in zip(starts, ends, strict=True)
    }
