"""Which OneRoster column lands in which shared-model column, for the columns that map one to one.

Normalizing renames by these maps; checking uses them to refuse values longer than the model column
holds, so one overlong title is a rejected row instead of a failed sync.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import String

from hub.model import sql_table

_SOURCE_ID = {"sourcedId": "source_id"}

DIRECT: dict[str, tuple[str, dict[str, str]]] = {
    # model table: (OneRoster file stem, {OneRoster column: model column})
    "school": (
        "orgs",
        {
            **_SOURCE_ID,
            "name": "name",
            "type": "org_type",
            "identifier": "identifier",
            "parentSourcedId": "parent_source_id",
        },
    ),
    "academic_session": (
        "academicSessions",
        {
            **_SOURCE_ID,
            "title": "title",
            "type": "session_type",
            "startDate": "start_date",
            "endDate": "end_date",
            "parentSourcedId": "parent_source_id",
            "schoolYear": "school_year",
        },
    ),
    "course": (
        "courses",
        {
            **_SOURCE_ID,
            "title": "title",
            "courseCode": "course_code",
            "schoolYearSourcedId": "school_year_source_id",
            "orgSourcedId": "org_source_id",
            "grades": "grades",
            "subjects": "subjects",
            "subjectCodes": "subject_codes",
        },
    ),
    "section": (
        "classes",
        {
            **_SOURCE_ID,
            "title": "title",
            "classCode": "class_code",
            "classType": "class_type",
            "courseSourcedId": "course_source_id",
            "schoolSourcedId": "school_source_id",
            "termSourcedIds": "term_source_ids",
            "grades": "grades",
            "subjects": "subjects",
            "subjectCodes": "subject_codes",
            "periods": "periods",
            "location": "location",
        },
    ),
    "enrollment": (
        "enrollments",
        {
            **_SOURCE_ID,
            "classSourcedId": "section_source_id",
            "schoolSourcedId": "school_source_id",
            "userSourcedId": "person_source_id",
            "role": "role",
            "primary": "is_primary",
            "beginDate": "begin_date",
            "endDate": "end_date",
        },
    ),
    "demographics": (
        "demographics",
        {
            **_SOURCE_ID,
            "birthDate": "birth_date",
            "sex": "sex",
            "americanIndianOrAlaskaNative": "american_indian_or_alaska_native",
            "asian": "asian",
            "blackOrAfricanAmerican": "black_or_african_american",
            "nativeHawaiianOrOtherPacificIslander": "native_hawaiian_or_other_pacific_islander",
            "white": "white",
            "demographicRaceTwoOrMoreRaces": "two_or_more_races",
            "hispanicOrLatinoEthnicity": "hispanic_or_latino",
        },
    ),
    "person": (
        "users",
        {
            **_SOURCE_ID,
            "username": "username",
            "givenName": "given_name",
            "familyName": "family_name",
            "middleName": "middle_name",
            "preferredGivenName": "preferred_given_name",
            "identifier": "identifier",
            "email": "email",
            "enabledUser": "enabled",
            "primaryOrgSourcedId": "primary_school_source_id",
        },
    ),
    "person_role": (
        "roles",
        {
            **_SOURCE_ID,
            "userSourcedId": "person_source_id",
            "orgSourcedId": "org_source_id",
            "roleType": "role_type",
        },
    ),
}

# Extension columns some SIS exports carry for the subgroups tutoring reports by (matched in lower case).
SUBGROUP_FLAGS = {
    "metadata.englishlearner": "english_learner",
    "metadata.ell": "english_learner",
    "metadata.studentwithdisability": "disability",
    "metadata.swd": "disability",
    "metadata.economicallydisadvantaged": "economically_disadvantaged",
    "metadata.ecodis": "economically_disadvantaged",
}


@cache
def max_lengths(stem: str) -> dict[str, int]:
    """OneRoster column -> the longest text its model column holds, for the columns with a limit."""
    limits = {}
    for table, (source, columns) in DIRECT.items():
        if source != stem:
            continue
        model = sql_table(table)
        for vendor, target in columns.items():
            kind = model.c[target].type
            if isinstance(kind, String) and kind.length:
                limits[vendor] = kind.length
    return limits
