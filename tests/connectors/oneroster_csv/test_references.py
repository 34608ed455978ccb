"""References between files, in dependency order, with rejects cascading to dependants."""

from __future__ import annotations

from tests.connectors.oneroster_csv.builders import roster_11
from tests.connectors.oneroster_csv.reading import issues, source


def _rejects(extract):
    return [(i.file, i.line, i.column, i.value, i.kind) for i in extract.issues if i.severity == "reject"]


def test_enrollment_to_a_missing_class_or_user_is_rejected_and_the_rest_kept(read_roster):
    package = roster_11()
    package["enrollments.csv"].set(1, classSourcedId="k9")
    package["enrollments.csv"].set(2, userSourcedId="st9")
    extract = read_roster(package)
    assert _rejects(extract) == [
        ("enrollments.csv", 3, "classSourcedId", "k9", "missing_reference"),
        ("enrollments.csv", 4, "userSourcedId", "st9", "missing_reference"),
    ]
    [reason] = {i.reason for i in extract.issues if i.line == 3}
    assert reason == "classSourcedId names a row that is not in classes.csv"
    batch = source().normalize(extract)
    assert batch.tables["enrollment"]["source_id"].to_pylist() == ["e1", "e4", "e5"]


def test_a_rejected_class_takes_its_enrollments_along(read_roster):
    package = roster_11()
    package["classes.csv"].set(1, classType="lecture")  # k2 rejected
    extract = read_roster(package)
    assert _rejects(extract) == [
        ("classes.csv", 3, "classType", "lecture", "bad_enum"),
        ("enrollments.csv", 4, "classSourcedId", "k2", "rejected_reference"),
        ("enrollments.csv", 6, "classSourcedId", "k2", "rejected_reference"),
    ]
    cascaded = issues(extract, "rejected_reference")[0]
    assert cascaded.reason == (
        "classSourcedId names a row rejected at line 3 of classes.csv, so this row is rejected too"
    )
    assert extract.streams["enrollments"]["sourcedId"].to_pylist() == ["e1", "e2", "e4"]


def test_cascade_runs_down_the_whole_dependency_order(read_roster):
    """An org fails; its classes, users, their enrollments and demographics follow."""
    package = roster_11()
    package["orgs.csv"].set(1, type="campus")  # school s1
    extract = read_roster(package)
    accepted = {stem: table.num_rows for stem, table in extract.streams.items()}
    assert accepted == {
        "orgs": 1,
        "academicSessions": 3,
        "courses": 1,  # belongs to the district
        "classes": 0,
        "users": 0,
        "enrollments": 0,
        "demographics": 0,
    }
    assert extract.files["enrollments.csv"].rejected == 5
    assert {i.kind for i in extract.issues if i.file == "demographics.csv"} == {"rejected_reference"}


def test_multi_valued_references_are_each_checked(read_roster):
    package = roster_11()
    package["classes.csv"].set(0, termSourcedIds="t1, t9")
    extract = read_roster(package)
    [reject] = issues(extract, "missing_reference")
    assert (reject.file, reject.line, reject.column, reject.value) == (
        "classes.csv",
        2,
        "termSourcedIds",
        "t9",
    )


def test_soft_references_only_warn(read_roster):
    """A parent org or a guardian that is missing does not change what the row means."""
    package = roster_11()
    package["orgs.csv"].set(1, parentSourcedId="state-1")
    package["users.csv"].set(0, agentSourcedIds="parent-7")
    extract = read_roster(package)
    assert _rejects(extract) == []
    assert {(i.file, i.line) for i in issues(extract, "unresolved_reference")} == {
        ("orgs.csv", 3),
        ("users.csv", 2),
    }


def test_references_into_a_file_the_package_does_not_carry_are_not_checked(read_roster):
    package = roster_11().set_mode("classes", "absent")
    del package["classes.csv"]
    extract = read_roster(package)
    assert _rejects(extract) == []
    [warning] = issues(extract, "unresolved_reference", "enrollments.csv")
    assert "classes.csv, which is not in this package" in warning.reason
    assert "5 rows" in warning.reason


def test_demographics_of_an_unknown_user_are_rejected(read_roster):
    package = roster_11()
    package["demographics.csv"].set(2, sourcedId="ghost")
    extract = read_roster(package)
    assert _rejects(extract) == [("demographics.csv", 4, "sourcedId", "ghost", "missing_reference")]
