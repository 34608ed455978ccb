"""The synthetic district as a OneRoster 1.2.1 bulk package: exact layout, consistent references."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest

from connectors.oneroster_csv.writer import write_oneroster
from testkit.synthetic import DistrictSpec, SyntheticDistrict, build_district

# The 1.2.1 CSV binding's columns, in order (reference: OneRoster CSV binding 1.2.1, sections 1.3 and 1.4).
# fmt: off
EXPECTED_HEADERS = {
    "orgs.csv": [
        "sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId",
    ],
    "academicSessions.csv": [
        "sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
        "parentSourcedId", "schoolYear",
    ],
    "courses.csv": [
        "sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades",
        "orgSourcedId", "subjects", "subjectCodes",
    ],
    "classes.csv": [
        "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
        "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods",
    ],
    "users.csv": [
        "sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName",
        "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
        "password", "userMasterIdentifier", "preferredGivenName", "preferredMiddleName",
        "preferredFamilyName", "primaryOrgSourcedId", "pronouns",
    ],
    "roles.csv": [
        "sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate",
        "endDate", "orgSourcedId", "userProfileSourcedId",
    ],
    "enrollments.csv": [
        "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId",
        "role", "primary", "beginDate", "endDate",
    ],
    "demographics.csv": [
        "sourcedId", "status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative",
        "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white",
        "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode",
        "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus", "metadata.englishLearner",
        "metadata.studentWithDisability", "metadata.economicallyDisadvantaged",
    ],
}
MANIFEST_FILES = [
    "academicSessions", "categories", "classes", "classResources", "courses", "courseResources",
    "demographics", "enrollments", "lineItemLearningObjectiveIds", "lineItems", "lineItemScoreScales",
    "orgs", "resources", "resultLearningObjectiveIds", "results", "resultScoreScales", "roles",
    "scoreScales", "userProfiles", "userResources", "users",
]
# fmt: on
BULK = {"orgs", "academicSessions", "courses", "classes", "users", "roles", "enrollments", "demographics"}


@pytest.fixture(scope="module")
def district() -> SyntheticDistrict:
    return build_district(DistrictSpec(students=600, seed=13))


@pytest.fixture(scope="module")
def package(district: SyntheticDistrict, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    paths = write_oneroster(district, tmp_path_factory.mktemp("package"))
    assert [path.name for path in paths] == ["oneroster-1.2-bulk.zip"]
    with zipfile.ZipFile(paths[0]) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rows(package: dict[str, bytes], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(package[name].decode("utf-8"))))


def test_manifest_declares_all_21_files(package: dict[str, bytes]) -> None:
    rows = list(csv.reader(io.StringIO(package["manifest.csv"].decode())))
    assert rows[0] == ["propertyName", "value"]
    properties = dict(rows[1:])
    assert properties["manifest.version"] == "1.0"
    assert properties["oneroster.version"] == "1.2"
    files = [key for key, _ in rows[1:] if key.startswith("file.")]
    assert files == [f"file.{stem}" for stem in MANIFEST_FILES]
    for stem in MANIFEST_FILES:
        assert properties[f"file.{stem}"] == ("bulk" if stem in BULK else "absent")
    assert sorted(package) == sorted(["manifest.csv", *(f"{stem}.csv" for stem in BULK)])


@pytest.mark.parametrize("name", sorted(EXPECTED_HEADERS))
def test_headers_in_spec_order(package: dict[str, bytes], name: str) -> None:
    assert package[name].decode().split("\n", 1)[0].split(",") == EXPECTED_HEADERS[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_HEADERS))
def test_text_format_and_bulk_rules(package: dict[str, bytes], name: str) -> None:
    data = package[name]
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in data
    text = data.decode("utf-8")
    assert text.endswith("\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > 1  # files without data rows are not permitted
    assert {len(row) for row in rows} == {len(rows[0])}
    # Re-writing with minimal quoting gives the same text: quotes appear only where a value needs them.
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    assert buffer.getvalue() == text
    for row in rows[1:]:
        assert row[1] == "" and row[2] == ""  # status, dateLastModified blank in bulk
        assert row[0]


def test_multi_valued_cells_are_quoted(package: dict[str, bytes]) -> None:
    text = package["users.csv"].decode()
    assert re.search(r',"\{SIS:\d+\},\{State:\d{10}\}",', text)
    assert ',"term-2026-fall,term-2026-spring",' in package["classes.csv"].decode()


def test_same_seed_same_bytes_other_seed_differs(package: dict[str, bytes], tmp_path: Path) -> None:
    again = write_oneroster(build_district(DistrictSpec(students=600, seed=13)), tmp_path / "again")[0]
    other = write_oneroster(build_district(DistrictSpec(students=600, seed=14)), tmp_path / "other")[0]
    with zipfile.ZipFile(again) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == package
    with zipfile.ZipFile(other) as archive:
        assert archive.read("users.csv") != package["users.csv"]
        assert archive.read("enrollments.csv") != package["enrollments.csv"]
    third = write_oneroster(build_district(DistrictSpec(students=600, seed=13)), tmp_path / "third")[0]
    assert third.read_bytes() == again.read_bytes()  # the zip itself is reproducible


def test_every_user_has_one_primary_role_at_an_org(
    package: dict[str, bytes], district: SyntheticDistrict
) -> None:
    users = _rows(package, "users.csv")
    roles = _rows(package, "roles.csv")
    orgs = {row["sourcedId"] for row in _rows(package, "orgs.csv")}
    assert len(users) == district.students.num_rows + district.teachers.num_rows + district.tutors.num_rows
    primary = {}
    for role in roles:
        assert role["roleType"] == "primary"
        assert role["orgSourcedId"] in orgs
        assert role["userSourcedId"] not in primary
        primary[role["userSourcedId"]] = role["role"]
    assert set(primary) == {user["sourcedId"] for user in users}
    assert sum(role == "student" for role in primary.values()) == district.students.num_rows
    assert sum(role == "teacher" for role in primary.values()) == district.teachers.num_rows
    assert sum(role == "ext:tutor" for role in primary.values()) == district.tutors.num_rows
    for user in users:
        assert user["enabledUser"] == "true"
        assert user["primaryOrgSourcedId"] in orgs


def test_student_ids_and_grades(package: dict[str, bytes]) -> None:
    students = [row for row in _rows(package, "users.csv") if row["sourcedId"].startswith("stu-")]
    for row in students:
        assert row["userIds"].startswith(f"{{SIS:{row['identifier']}}},")
        assert re.fullmatch(r"\{SIS:\d+\},\{State:\d{10}\}", row["userIds"])
        assert row["grades"] in {"KG", *(f"{grade:02d}" for grade in range(1, 13))}
        assert row["email"].endswith(".example.org")


def test_references_resolve(package: dict[str, bytes]) -> None:
    orgs = {row["sourcedId"]: row for row in _rows(package, "orgs.csv")}
    sessions = {row["sourcedId"]: row for row in _rows(package, "academicSessions.csv")}
    courses = {row["sourcedId"] for row in _rows(package, "courses.csv")}
    classes = {row["sourcedId"]: row for row in _rows(package, "classes.csv")}
    users = {row["sourcedId"] for row in _rows(package, "users.csv")}
    assert [row["type"] for row in orgs.values()].count("district") == 1
    for session in sessions.values():
        assert session["parentSourcedId"] in {"", *sessions}
        assert session["schoolYear"] == "2026"
    for section in classes.values():
        assert section["courseSourcedId"] in courses
        assert orgs[section["schoolSourcedId"]]["type"] == "school"
        assert all(term in sessions for term in section["termSourcedIds"].split(","))
        assert section["classType"] in {"homeroom", "scheduled"}
    enrollments = _rows(package, "enrollments.csv")
    assert len(enrollments) > 600 * 3
    for row in enrollments:
        assert row["classSourcedId"] in classes
        assert row["userSourcedId"] in users
        assert row["schoolSourcedId"] == classes[row["classSourcedId"]]["schoolSourcedId"]
        assert row["role"] in {"student", "teacher"}
        assert row["primary"] in {"true", "false"}


def test_demographics_one_row_per_student(package: dict[str, bytes], district: SyntheticDistrict) -> None:
    rows = _rows(package, "demographics.csv")
    assert [row["sourcedId"] for row in rows] == district.students["source_id"].to_pylist()
    flags = EXPECTED_HEADERS["demographics.csv"][5:12] + EXPECTED_HEADERS["demographics.csv"][-3:]
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["birthDate"])
        assert row["sex"] in {"male", "female", "unspecified"}
        assert all(row[flag] in {"true", "false"} for flag in flags)
    english_learners = sum(row["metadata.englishLearner"] == "true" for row in rows)
    assert english_learners == sum(district.students["english_learner"].to_pylist())
