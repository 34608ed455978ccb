"""A synthetic district as the objects a OneRoster REST rostering service answers with, per collection.

The same district ``connectors/oneroster_csv/writer.py`` writes as a CSV package, built here straight from
the district's tables with the REST binding's own field names (GUIDRef objects, arrays, ``roles[]`` in 1.2,
``role`` + ``orgs`` in 1.1, extensions under ``metadata``), so that reading both is a real comparison of
the two bindings. Unlike CSV bulk rows, every object carries ``status`` and ``dateLastModified``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from connectors.oneroster.columns import DIRECT
from connectors.oneroster_api.binding import API_PATHS, Version
from testkit.synthetic import SUBJECT_NAMES, SyntheticDistrict

Objects = dict[str, list[dict[str, Any]]]

_KINDS = {  # a GUIDRef's type, by the collection it points into
    "orgs": "org",
    "academicSessions": "academicSession",
    "courses": "course",
    "classes": "class",
    "users": "user",
}
# Demographics' JSON properties are the CSV columns, and the district's columns the model's.
_DEMOGRAPHICS = {name: column for name, column in DIRECT["demographics"][1].items() if name != "sourcedId"}

_EXTENSIONS = {  # metadata key -> the district's column
    "englishLearner": "english_learner",
    "studentWithDisability": "disability",
    "economicallyDisadvantaged": "economically_disadvantaged",
}


def rest_roster(
    district: SyntheticDistrict, version: Version = "1.2", modified: str | None = None
) -> Objects:
    """Collection name -> its objects, in the order a service would page through them."""
    writer = _Writer(version, modified or f"{district.spec.school_year - 1}-08-01T00:00:00.000Z")
    return {
        "orgs": writer.orgs(district),
        "academicSessions": writer.sessions(district),
        "courses": writer.courses(district),
        "classes": writer.classes(district),
        "users": writer.users(district),
        "enrollments": writer.enrollments(district),
        "demographics": writer.demographics(district),
    }


def _text(value: Any) -> str:
    """The binding's text for a value: booleans as the tokens "true"/"false", dates in ISO form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if not hasattr(value, "isoformat") else value.isoformat()


def _taught(row: dict[str, Any]) -> dict[str, Any]:
    """What a course and its classes both say: title, grades and subject (by name, as the CSV writer)."""
    return {
        "title": row["title"],
        "grades": row["grades"].split(","),
        "subjects": [SUBJECT_NAMES[row["subject"]]],
    }


class _Writer:
    def __init__(self, version: Version, modified: str) -> None:
        self.version = version
        self.modified = modified
        self.path = API_PATHS[version]

    def base(self, sourced: str, **fields: Any) -> dict[str, Any]:
        present = {name: value for name, value in fields.items() if value not in (None, [], {})}
        return {"sourcedId": sourced, "status": "active", "dateLastModified": self.modified, **present}

    def ref(self, collection: str, sourced: str | None) -> dict[str, str] | None:
        if sourced is None:
            return None
        return {
            "href": f"{self.path}/{collection}/{sourced}",
            "sourcedId": sourced,
            "type": _KINDS[collection],
        }

    def orgs(self, district: SyntheticDistrict) -> list[dict[str, Any]]:
        root = self.base(
            district.district_org_id,
            name=district.district_name,
            type="district",
            identifier=district.district_identifier,
        )
        parent = self.ref("orgs", district.district_org_id)
        schools = [
            self.base(
                s["source_id"], name=s["name"], type="school", identifier=s["identifier"], parent=parent
            )
            for s in district.schools.to_pylist()
        ]
        return [root, *schools]

    def sessions(self, district: SyntheticDistrict) -> list[dict[str, Any]]:
        return [
            self.base(
                s["source_id"],
                title=s["title"],
                type=s["type"],
                startDate=_text(s["start_date"]),
                endDate=_text(s["end_date"]),
                parent=self.ref("academicSessions", s["parent_source_id"]),
                schoolYear=s["school_year"],
            )
            for s in district.sessions.to_pylist()
        ]

    def courses(self, district: SyntheticDistrict) -> list[dict[str, Any]]:
        return [
            self.base(
                c["source_id"],
                courseCode=c["course_code"],
                **_taught(c),
                org=self.ref("orgs", c["org_source_id"]),
                schoolYear=self.ref("academicSessions", c["school_year_source_id"]),
            )
            for c in district.courses.to_pylist()
        ]

    def classes(self, district: SyntheticDistrict) -> list[dict[str, Any]]:
        return [
            self.base(
                s["source_id"],
                classCode=s["class_code"],
                classType=s["class_type"],
                **_taught(s),
                course=self.ref("courses", s["course_source_id"]),
                school=self.ref("orgs", s["school_source_id"]),
                terms=[self.ref("academicSessions", t) for t in s["term_source_ids"].split(",")],
                periods=[] if s["period"] is None else [str(s["period"])],
            )
            for s in district.sections.to_pylist()
        ]

    def users(self, district: SyntheticDistrict) -> list[dict[str, Any]]:
        return [
            self.user(person, role) for role, people in _people(district) for person in people.to_pylist()
        ]

    def user(self, person: dict[str, Any], role: str) -> dict[str, Any]:
        school = self.ref("orgs", person["school_source_id"])
        ids = [{"type": "SIS", "identifier": person["sis_id"]}]
        if person.get("state_id"):
            ids.append({"type": "State", "identifier": person["state_id"]})
        roles: dict[str, Any] = (
            {"roles": [{"roleType": "primary", "role": role, "org": school}], "primaryOrg": school}
            if self.version == "1.2"
            else {"role": role, "orgs": [school]}
        )
        return self.base(
            person["source_id"],
            enabledUser="true",
            username=person["username"],
            userIds=ids,
            givenName=person["given_name"],
            familyName=person["family_name"],
            identifier=person["sis_id"],
            email=person["email"],
            grades=[person["grade"]] if role == "student" else [],
            **roles,
        )

    def enrollments(self, district: SyntheticDistrict) -> list[dict[str, Any]]:
        return [
            self.base(
                e["source_id"],
                user=self.ref("users", e["person_source_id"]),
                **{"class": self.ref("classes", e["section_source_id"])},
                school=self.ref("orgs", e["school_source_id"]),
                role=e["role"],
                primary=_text(e["primary"]),
                beginDate=_text(e["begin_date"]),
                endDate=_text(e["end_date"]),
            )
            for batch in district.iter_enrollments()
            for e in batch.to_pylist()
        ]

    def demographics(self, district: SyntheticDistrict) -> list[dict[str, Any]]:
        return [
            self.base(
                s["source_id"],
                **{name: _text(s[column]) for name, column in _DEMOGRAPHICS.items()},
                metadata={key: _text(s[column]) for key, column in _EXTENSIONS.items()},
            )
            for s in district.students.to_pylist()
        ]


def _people(district: SyntheticDistrict) -> Iterator[tuple[str, pa.Table]]:
    """Every user with their role: students, then teachers, then tutors (an extension role)."""
    yield "student", district.students
    yield "teacher", district.teachers
    yield "ext:tutor", district.tutors
