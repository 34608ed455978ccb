"""Small OneRoster CSV packages for tests, written byte for byte the way exporters write them.

A package is a dict of file name -> ``CsvFile`` (or raw bytes); tests change rows, line endings, BOMs,
headers or the manifest, then write it as a folder or a zip, at the root or inside a sub-folder::

    package = roster_11()
    package["users.csv"].set(0, grades="9")
    path = package.write(tmp_path / "roster.zip")

The headers below are the spec's, typed out here rather than taken from the connector, so that a mistake
in the connector's own column lists shows up as a failing test.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

LIFECYCLE = ["sourcedId", "status", "dateLastModified"]
HEADERS = {
    "orgs.csv": [*LIFECYCLE, "name", "type", "identifier", "parentSourcedId"],
    "academicSessions.csv": [
        *LIFECYCLE,
        *("title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
    ],
    "courses.csv": [
        *LIFECYCLE,
        *("schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"),
    ],
    "classes.csv": [
        *LIFECYCLE,
        *("title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId"),
        *("termSourcedIds", "subjects", "subjectCodes", "periods"),
    ],
    "users.csv": [
        *LIFECYCLE,
        *("enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName"),
        *("middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password"),
    ],
    "enrollments.csv": [
        *LIFECYCLE,
        *("classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"),
    ],
    "demographics.csv": [
        *LIFECYCLE,
        *("birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican"),
        *("nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces"),
        *("hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth"),
        "publicSchoolResidenceStatus",
    ],
}
USERS_12 = [
    *LIFECYCLE,
    *("enabledUser", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email"),
    *("sms", "phone", "agentSourcedIds", "grades", "password", "userMasterIdentifier", "preferredGivenName"),
    *("preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns"),
]
ROLES_12 = [
    *LIFECYCLE,
    *("userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"),
]
USER_PROFILES_12 = [
    *LIFECYCLE,
    *("userSourcedId", "profileType", "vendorId", "applicationId", "description", "credentialType"),
    *("username", "password"),
]
FILES_11 = (
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItems",
    "orgs",
    "resources",
    "results",
    "users",
)
FILES_12 = (
    *FILES_11,
    "lineItemLearningObjectiveIds",
    "lineItemScoreScales",
    "resultLearningObjectiveIds",
    "resultScoreScales",
    "roles",
    "scoreScales",
    "userProfiles",
    "userResources",
)


def _cell(value: str) -> str:
    return f'"{value.replace(chr(34), chr(34) * 2)}"' if any(c in value for c in ',"\r\n') else value


@dataclass
class CsvFile:
    """One CSV file as rows of text cells, plus the byte-level habits of the exporter that wrote it."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    newline: str = "\n"
    bom: bool = False
    final_newline: bool = True
    quote_all: bool = False

    def add(self, **values: str) -> CsvFile:
        """Append a row given by column name; other cells blank."""
        unknown = set(values) - set(self.header)
        assert not unknown, f"no such column(s) {unknown}"
        self.rows.append([values.get(column, "") for column in self.header])
        return self

    def set(self, index: int, **values: str) -> CsvFile:
        for column, value in values.items():
            self.rows[index][self.header.index(column)] = value
        return self

    def get(self, index: int, column: str) -> str:
        return self.rows[index][self.header.index(column)]

    def where(self, column: str, value: str) -> int:
        """Index of the first row whose ``column`` is ``value``."""
        position = self.header.index(column)
        return next(i for i, row in enumerate(self.rows) if row[position] == value)

    def drop(self, column: str) -> CsvFile:
        position = self.header.index(column)
        self.header.pop(position)
        for row in self.rows:
            row.pop(position)
        return self

    def rename(self, old: str, new: str) -> CsvFile:
        self.header[self.header.index(old)] = new
        return self

    def to_bytes(self) -> bytes:
        quote = (lambda v: '"' + v.replace('"', '""') + '"') if self.quote_all else _cell
        lines = [",".join(quote(cell) for cell in row) for row in [self.header, *self.rows]]
        text = self.newline.join(lines) + (self.newline if self.final_newline else "")
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")


def manifest(
    modes: dict[str, str],
    *,
    version: str = "1.1",
    manifest_version: str = "1.0",
    all_files: Iterable[str] = FILES_11,
    extra: Iterable[tuple[str, str]] = (),
) -> CsvFile:
    """A manifest listing every file of ``all_files`` (absent unless ``modes`` says otherwise)."""
    rows = [["manifest.version", manifest_version], ["oneroster.version", version]]
    rows += [[f"file.{stem}", modes.get(stem, "absent")] for stem in all_files]
    rows += [["source.systemName", "Test SIS"], *([key, value] for key, value in extra)]
    return CsvFile(["propertyName", "value"], rows)


class Package(dict):
    """File name -> CsvFile or raw bytes."""

    def write(self, target: Path, *, subfolder: str | None = None) -> Path:
        """Write as a zip when ``target`` ends in .zip, else as a folder."""
        prefix = f"{subfolder}/" if subfolder else ""
        if target.suffix == ".zip":
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, content in self.items():
                    archive.writestr(prefix + name, _bytes(content))
        else:
            (target / prefix).mkdir(parents=True, exist_ok=True)
            for name, content in self.items():
                (target / prefix / name).write_bytes(_bytes(content))
        return target

    def set_mode(self, stem: str, mode: str) -> Package:
        self["manifest.csv"].set(self["manifest.csv"].where("propertyName", f"file.{stem}"), value=mode)
        return self


def _bytes(content: CsvFile | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.to_bytes()


def _orgs() -> CsvFile:
    orgs = CsvFile(list(HEADERS["orgs.csv"]))
    orgs.add(sourcedId="d1", name="Lakeside District", type="district")
    orgs.add(sourcedId="s1", name="Lakeside High", type="school", identifier="0042", parentSourcedId="d1")
    return orgs


def _sessions() -> CsvFile:
    sessions = CsvFile(list(HEADERS["academicSessions.csv"]))
    sessions.add(
        sourcedId="y1", title="2024-25", type="schoolYear", startDate="2024-08-15", endDate="2025-06-01"
    )
    sessions.add(sourcedId="t1", title="Fall", type="semester", startDate="2024-08-15", endDate="2024-12-20")
    sessions.add(
        sourcedId="t2", title="Spring", type="semester", startDate="2025-01-06", endDate="2025-06-01"
    )
    for index in range(3):
        sessions.set(index, schoolYear="2025")
    sessions.set(1, parentSourcedId="y1").set(2, parentSourcedId="y1")
    return sessions


def _courses_classes() -> tuple[CsvFile, CsvFile]:
    courses = CsvFile(list(HEADERS["courses.csv"]))
    courses.add(sourcedId="c1", schoolYearSourcedId="y1", title="Algebra I", courseCode="ALG1")
    courses.set(0, grades="09", orgSourcedId="d1", subjects="Math", subjectCodes="02052")
    classes = CsvFile(list(HEADERS["classes.csv"]))
    for class_id, period in (("k1", "1"), ("k2", "2")):
        classes.add(
            sourcedId=class_id,
            title=f"Algebra I P{period}",
            grades="09",
            courseSourcedId="c1",
            classCode=f"ALG1-{period}",
            classType="scheduled",
            schoolSourcedId="s1",
            termSourcedIds="t1,t2",
            periods=period,
        )
    return courses, classes


STUDENTS = ("st1", "st2", "st3")


def _enrollments_demographics() -> tuple[CsvFile, CsvFile]:
    enrollments = CsvFile(list(HEADERS["enrollments.csv"]))
    pairs = [("e1", "k1", "st1", "student"), ("e2", "k1", "st2", "student"), ("e3", "k2", "st3", "student")]
    pairs += [("e4", "k1", "te1", "teacher"), ("e5", "k2", "te1", "teacher")]
    for enrollment, class_id, user, role in pairs:
        enrollments.add(sourcedId=enrollment, classSourcedId=class_id, schoolSourcedId="s1")
        enrollments.set(-1, userSourcedId=user, role=role, beginDate="2024-08-15", endDate="2025-06-01")
        if role == "teacher":
            enrollments.set(-1, primary="true")
    demographics = CsvFile(list(HEADERS["demographics.csv"]))
    for user, sex in zip(STUDENTS, ("female", "male", "female"), strict=True):
        flags = dict.fromkeys(HEADERS["demographics.csv"][5:12], "false")
        demographics.add(sourcedId=user, birthDate="2010-03-04", sex=sex, **flags)
    demographics.set(0, asian="true", hispanicOrLatinoEthnicity="true")
    return enrollments, demographics


def roster_11(mode: str = "bulk") -> Package:
    """A clean OneRoster 1.1 bulk package: 2 orgs, 3 sessions, 1 course, 2 classes, 3 students and a
    teacher, 5 enrollments, 3 demographics rows."""
    users = CsvFile(list(HEADERS["users.csv"]))
    for number, user in enumerate(STUDENTS, start=1):
        users.add(sourcedId=user, enabledUser="true", orgSourcedIds="s1", role="student")
        users.set(-1, username=f"student{number}", userIds=f"{{Local:{number:03d}}}", givenName="Sam")
        users.set(-1, familyName=f"Student{number}", identifier=f"L{number}", grades="09")
        users.set(-1, email=f"student{number}@lakeside.example")
    users.add(sourcedId="te1", enabledUser="true", orgSourcedIds="s1", role="teacher", username="teacher1")
    users.set(-1, givenName="Tess", familyName="Teacher", email="teacher1@lakeside.example")
    courses, classes = _courses_classes()
    enrollments, demographics = _enrollments_demographics()
    stems = ("orgs", "academicSessions", "courses", "classes", "users", "enrollments", "demographics")
    package = Package(
        {
            "manifest.csv": manifest(dict.fromkeys(stems, mode)),
            "orgs.csv": _orgs(),
            "academicSessions.csv": _sessions(),
            "courses.csv": courses,
            "classes.csv": classes,
            "users.csv": users,
            "enrollments.csv": enrollments,
            "demographics.csv": demographics,
        }
    )
    if mode == "delta":
        stamp_delta(package)
    return package


def roster_12(mode: str = "bulk") -> Package:
    """The same district as ``roster_11`` in OneRoster 1.2: roles in roles.csv, plus a district
    administrator and a tutor (``ext:tutor``)."""
    package = roster_11()
    old = package["users.csv"]
    users = CsvFile(list(USERS_12))
    roles = CsvFile(list(ROLES_12))
    for row in old.rows:
        values = dict(zip(old.header, row, strict=True))
        user = values["sourcedId"]
        kept = {c: v for c, v in values.items() if c in USERS_12}
        users.add(**kept, userMasterIdentifier=f"M-{user}", primaryOrgSourcedId="s1")
        roles.add(sourcedId=f"r-{user}", userSourcedId=user, roleType="primary", role=values["role"])
        roles.set(-1, orgSourcedId="s1")
    users.add(sourcedId="ad1", enabledUser="true", username="admin1", givenName="Ada", familyName="Admin")
    roles.add(sourcedId="r-ad1", userSourcedId="ad1", roleType="primary", role="districtAdministrator")
    roles.set(-1, orgSourcedId="d1")
    users.add(sourcedId="tu1", enabledUser="true", username="tutor1", givenName="Tom", familyName="Tutor")
    roles.add(sourcedId="r-tu1", userSourcedId="tu1", roleType="primary", role="ext:tutor", orgSourcedId="s1")
    package["users.csv"] = users
    package["roles.csv"] = roles
    stems = (
        "orgs",
        "academicSessions",
        "courses",
        "classes",
        "users",
        "roles",
        "enrollments",
        "demographics",
    )
    package["manifest.csv"] = manifest(dict.fromkeys(stems, mode), version="1.2", all_files=FILES_12)
    if mode == "delta":
        stamp_delta(package)
    return package


def stamp_delta(package: Package, status: str = "active", when: str = "2025-01-10T08:30:00.000Z") -> None:
    """Fill status and dateLastModified in every row, as a delta file must."""
    for name, content in package.items():
        if isinstance(content, CsvFile) and name != "manifest.csv":
            for index in range(len(content.rows)):
                content.set(index, status=status, dateLastModified=when)
