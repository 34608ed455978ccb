"""Impact per school, for the school dashboards.

hub.tutoring.measure_impact keys only its growth summary by school; band movement, subgroups, dosage and
exits come district-wide. Comparison peers are always of the student's own school, so measuring impact on
one school's students gives exactly that school's figures; this runs it once per school.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from hub.tutoring.impact import Impact, ImpactPeriod, ImpactPolicy, measure_impact


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
    school_of = students.select(["source_id", "primary_school_source_id"]).filter(
        pc.is_valid(students["primary_school_source_id"])
    )
    by_school = {}
    for school in sorted(school_of["primary_school_source_id"].unique().to_pylist()):
        ids = school_of.filter(pc.equal(school_of["primary_school_source_id"], school))["source_id"]

        def mine(table: pa.Table, column: str, ids: pa.ChunkedArray = ids) -> pa.Table:
            return table.filter(pc.is_in(table[column], value_set=ids.combine_chunks()))

        by_school[school] = measure_impact(
            mine(results, "person_source_id"),
            mine(students, "source_id"),
            mine(demographics, "source_id"),
            mine(student_weeks, "person_source_id"),
            mine(memberships, "person_source_id"),
            periods,
            policy,
        )
    return by_school
