"""OneRoster 1.2 (roles in roles.csv) and 1.0 (read leniently) packages."""

from __future__ import annotations

import pyarrow.compute as pc

from tests.connectors.oneroster_csv.builders import USER_PROFILES_12, CsvFile, roster_11, roster_12
from tests.connectors.oneroster_csv.reading import issues, source


def _by_id(table, key="source_id"):
    return {row[key]: row for row in table.to_pylist()}


def test_1_2_roles_give_each_person_one_hub_role(read_roster):
    extract = read_roster(roster_12())
    assert extract.info["version"] == "1.2"
    assert extract.issues == []
    batch = source().normalize(extract)
    people = _by_id(batch.tables["person"])
    assert {user: row["role"] for user, row in people.items()} == {
        "st1": "student",
        "st2": "student",
        "st3": "student",
        "te1": "teacher",
        "ad1": "administrator",  # districtAdministrator
        "tu1": "tutor",  # ext:tutor
    }
    assert people["ad1"]["primary_school_source_id"] == "d1"  # from its role's org
    assert people["st1"]["primary_school_source_id"] == "s1"  # primaryOrgSourcedId
    assert people["st1"]["grade"] == "09"
    roles = _by_id(batch.tables["person_role"])
    assert roles["r-ad1"] | {"source_modified_at": None} == {
        "source_id": "r-ad1",
        "person_source_id": "ad1",
        "org_source_id": "d1",
        "role": "administrator",
        "role_type": "primary",
        "source_modified_at": None,
    }


def test_1_2_primary_role_prefers_the_primary_org(read_roster):
    package = roster_12()
    roles = package["roles.csv"]
    roles.add(sourcedId="r-te1-d1", userSourcedId="te1", roleType="secondary", role="principal")
    roles.set(-1, orgSourcedId="d1")
    package["users.csv"].set(package["users.csv"].where("sourcedId", "te1"), primaryOrgSourcedId="d1")
    batch = source().normalize(read_roster(package))
    people = _by_id(batch.tables["person"])
    assert people["te1"]["role"] == "administrator"
    assert people["te1"]["primary_school_source_id"] == "d1"


def test_1_2_identifiers(read_roster):
    package = roster_12()
    users = package["users.csv"]
    users.set(0, userIds="{State ID:TX123},{Local:001},{Local:001},{stateid:9}")
    batch = source().normalize(read_roster(package))
    ids = batch.tables["person_identifier"]
    st1 = ids.filter(pc.equal(ids["person_source_id"], "st1"))
    assert sorted((row["id_type"], row["value"]) for row in st1.to_pylist()) == [
        ("email", "student1@lakeside.example"),
        ("local", "001"),
        ("master_id", "M-st1"),
        ("sis_id", "L1"),
        ("sourced_id", "st1"),
        ("state_id", "9"),
        ("state_id", "TX123"),
        ("username", "student1"),
    ]


def test_1_2_user_without_any_role_is_rejected_with_its_enrollments(read_roster):
    package = roster_12()
    roles = package["roles.csv"]
    roles.rows.pop(roles.where("userSourcedId", "st3"))
    extract = read_roster(package)
    [reject] = issues(extract, "missing_role")
    assert (reject.file, reject.line, reject.value) == ("users.csv", 4, "st3")
    assert [i.line for i in issues(extract, "rejected_reference", "enrollments.csv")] == [4]


def test_1_2_role_vocabulary(read_roster):
    package = roster_12()
    roles = package["roles.csv"]
    roles.set(roles.where("userSourcedId", "ad1"), role="SiteAdministrator", roleType="Primary")
    roles.set(roles.where("userSourcedId", "te1"), role="administrator")  # a 1.1 token, gone in 1.2
    extract = read_roster(package)
    assert [(i.file, i.column, i.value) for i in issues(extract, "bad_enum")] == [
        ("roles.csv", "role", "administrator")
    ]
    assert issues(extract, "enum_case", "roles.csv")


def test_1_2_delta_of_roles_alone(read_roster):
    package = roster_12("delta")
    for name in list(package):
        if name not in ("manifest.csv", "roles.csv"):
            del package[name]
            package.set_mode(name.removesuffix(".csv"), "absent")
    roles = package["roles.csv"]
    roles.rows = roles.rows[:2]
    roles.set(0, status="tobedeleted")
    roles.set(1, role="aide")
    batch = source().normalize(read_roster(package))
    assert set(batch.tables) == {"person_role"}
    assert batch.deletes == {"person_role": ["r-st1"]}
    assert batch.tables["person_role"].to_pylist()[0]["role"] == "aide"


def test_1_2_user_profiles_are_ignored_with_a_note(read_roster):
    package = roster_12()
    profiles = CsvFile(list(USER_PROFILES_12))
    profiles.add(sourcedId="p1", userSourcedId="st1", profileType="lms", vendorId="v", credentialType="pw")
    package["userprofiles.csv"] = profiles  # the wrong case seen in a real export
    package.set_mode("userProfiles", "bulk")
    extract = read_roster(package)
    assert {i.kind for i in extract.issues} == {"file_name_case", "ignored_file"}
    assert extract.importable


def test_1_0_package_is_read_leniently(read_roster):
    """1.0 names (userId, agents, grade, termSourcedId, birthdate, userSourcedId), no enabledUser or
    schoolYear, status after role in enrollments, booleans in capitals."""
    package = roster_11()
    package["manifest.csv"].set(1, value="1.0")
    users = package["users.csv"].drop("enabledUser").drop("middleName").drop("grades").drop("password")
    users.rename("userIds", "userId").rename("agentSourcedIds", "agents")
    for index in range(len(users.rows)):
        users.set(index, userId=f"u{index}")
    package["classes.csv"].rename("grades", "grade").rename("termSourcedIds", "termSourcedId")
    package["courses.csv"].rename("grades", "grade")
    package["academicSessions.csv"].drop("schoolYear")
    demographics = (
        package["demographics.csv"].rename("sourcedId", "userSourcedId").rename("birthDate", "birthdate")
    )
    for index in range(len(demographics.rows)):
        demographics.set(index, white="FALSE", sex="Female")
    enrollments = package["enrollments.csv"]
    order = [enrollments.header.index(c) for c in ["sourcedId", "classSourcedId", "schoolSourcedId"]]
    order += [enrollments.header.index(c) for c in ["userSourcedId", "role", "status", "dateLastModified"]]
    order += [enrollments.header.index("primary")]
    enrollments.header = [enrollments.header[i] for i in order]
    enrollments.rows = [[row[i] for i in order] for row in enrollments.rows]
    extract = read_roster(package)
    assert extract.info["version"] == "1.0"
    assert extract.importable
    assert [i for i in extract.issues if i.severity == "reject"] == []
    kinds = {i.kind for i in extract.issues}
    assert {"version_1_0", "legacy_header", "header_order", "enum_case", "missing_optional_header"} <= kinds
    batch = source().normalize(extract)
    counts = {name: table.num_rows for name, table in batch.tables.items()}
    assert (counts["person"], counts["enrollment"], counts["demographics"]) == (4, 5, 3)
    assert batch.tables["section"]["term_source_ids"].to_pylist()[0] == "t1,t2"
    assert batch.tables["demographics"]["sex"].to_pylist()[0] == "female"
    assert batch.tables["person"]["enabled"].null_count == 4


def test_1_1_package_claiming_1_0_follows_its_shape(read_roster):
    package = roster_11()
    package["manifest.csv"].set(1, value="1.0")
    extract = read_roster(package)
    assert extract.info["version"] == "1.1"
    assert [i.kind for i in extract.issues] == ["version_mismatch"]
