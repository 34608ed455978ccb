"""Who tutors: people on the roster with a tutoring role, with what tutors.csv adds about each.

A district's SIS usually knows its tutors already (OneRoster ``aide``, the extension role ``ext:tutor``,
or a role the district names in ``tutoring.tutor_roles``), so the roster is where tutors come from.
tutors.csv (``tutor_profile``) adds subjects, schools and capacity; a roster tutor it leaves out tutors
every subject, at the schools the roster places them in (any school when it places them nowhere), up to
``tutoring.tutor_max_groups`` groups. A tutor listed only in tutors.csv (a vendor's tutor the SIS does
not hold) still tutors, as the file says.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from hub.model import conform
from hub.skills import SUBJECTS
from hub.tutoring.policy import TutoringPolicy


def _tutoring(roles: pa.ChunkedArray | pa.Array, policy: TutoringPolicy) -> pa.Array:
    wanted = pa.array([role.lower() for role in policy.tutor_roles], pa.string())
    return pc.fill_null(pc.is_in(pc.utf8_lower(roles), value_set=wanted), False)


def roster_tutors(
    people: pa.Table, person_roles: pa.Table, schools: pa.Table, profiles: pa.Table, policy: TutoringPolicy
) -> pa.Table:
    """``tutor_profile`` rows for every tutor (see the module): roster tutors, then tutors.csv's own.

    ``people``: person rows (source_id, role, primary_school_source_id); ``person_roles``: person_role
    rows (person_source_id, org_source_id, role); ``schools``: school rows (source_id);
    ``profiles``: tutor_profile rows read from tutors.csv.
    """
    by_primary = people.filter(_tutoring(people.column("role"), policy))
    by_role = person_roles.filter(_tutoring(person_roles.column("role"), policy))
    at_school = by_role.filter(
        pc.is_in(by_role.column("org_source_id"), value_set=schools.column("source_id"))
    )
    places = pa.table(
        {
            "person": pa.chunked_array(
                [*by_primary.column("source_id").chunks, *at_school.column("person_source_id").chunks],
                pa.string(),
            ),
            "school": pa.chunked_array(
                [
                    *by_primary.column("primary_school_source_id").chunks,
                    *at_school.column("org_source_id").chunks,
                ],
                pa.string(),
            ),
        }
    )
    ids = pa.concat_arrays(
        [by_primary.column("source_id").combine_chunks(), by_role.column("person_source_id").combine_chunks()]
    ).unique()
    # Sorted, then grouped without threads: each tutor's schools come out in order, the same every night.
    placed = places.filter(pc.is_valid(places.column("school"))).sort_by(
        [("person", "ascending"), ("school", "ascending")]
    )
    known = placed.group_by("person", use_threads=False).aggregate([("school", "distinct")])
    school_lists = pc.binary_join(known.column("school_distinct"), ",")
    where = pc.index_in(ids, value_set=known.column("person"))
    listed = pc.index_in(ids, value_set=profiles.column("source_id"))
    profile = profiles.take(listed)
    from_roster = pa.table(
        {
            "source_id": ids,
            "subjects": pc.coalesce(profile.column("subjects"), ",".join(SUBJECTS)),
            "max_groups": pc.coalesce(
                profile.column("max_groups"), pa.scalar(policy.tutor_max_groups, pa.int64())
            ),
            "school_source_ids": pc.coalesce(profile.column("school_source_ids"), school_lists.take(where)),
        }
    )
    only_file = profiles.filter(pc.invert(pc.is_in(profiles.column("source_id"), value_set=ids)))
    tutors = pa.concat_tables([conform("tutor_profile", from_roster), conform("tutor_profile", only_file)])
    return tutors.sort_by("source_id")
