"""What the OneRoster REST binding looks like: base paths, collections, and where its JSON differs from CSV.

Kept in one place because three parties read it: the source (to ask and to flatten), the synthetic writer
(to build objects) and the fake server (to answer). Field names follow the 1.1 / 1.2 rostering OpenAPI.
"""

from __future__ import annotations

from typing import Literal

Version = Literal["1.1", "1.2"]

API_PATHS: dict[str, str] = {"1.1": "/ims/oneroster/v1p1", "1.2": "/ims/oneroster/rostering/v1p2"}
SCOPE_PREFIXES: dict[str, str] = {
    "1.1": "https://purl.imsglobal.org/spec/or/v1p1/scope/",
    "1.2": "https://purl.imsglobal.org/spec/or/v1p2/scope/",
}

# The collections read, in the CSV connector's dependency order; each answers {"<collection>": [...]}.
COLLECTIONS = ("orgs", "academicSessions", "courses", "classes", "users", "enrollments", "demographics")
# 1.2 moves a user's roles into users[].roles; the CSV binding gives them a file (and a stream) of their own.
ROLES = "roles"

# CSV column -> JSON property, where the bindings name a field differently. Every other column is the
# property of the same name. References are GUIDRef objects ({href, sourcedId, type}) in JSON.
JSON_NAMES: dict[str, str] = {
    "parentSourcedId": "parent",
    "schoolYearSourcedId": "schoolYear",
    "orgSourcedId": "org",
    "courseSourcedId": "course",
    "schoolSourcedId": "school",
    "termSourcedIds": "terms",
    "classSourcedId": "class",
    "userSourcedId": "user",
    "agentSourcedIds": "agents",
    "primaryOrgSourcedId": "primaryOrg",
    "preferredGivenName": "preferredFirstName",
    "preferredFamilyName": "preferredLastName",
}

# Columns the CSV binding writes as one comma-separated cell and JSON as an array.
MULTI_VALUED = frozenset(
    {
        "grades",
        "subjects",
        "subjectCodes",
        "periods",
        "termSourcedIds",
        "agentSourcedIds",
        "userIds",
    }
)

METADATA_PREFIX = "metadata."  # JSON's metadata object becomes the CSV binding's metadata.* columns


def json_name(column: str) -> str:
    return JSON_NAMES.get(column, column)
