"""Bad objects are rejected one by one (collection, position, field, reason) and everything else is kept;
values are judged by the CSV connector's own checks, so REST and CSV reject alike."""

from __future__ import annotations

from hub.testing import check_source
from tests.connectors.oneroster_api.conftest import ids


def rejects(extract, file: str) -> dict[int | None, tuple[str | None, str, str]]:
    """line -> (column, kind, reason) of the file's rejects."""
    found = [issue for issue in extract.issues if issue.file == file and issue.severity == "reject"]
    return {issue.line: (issue.column, issue.kind, issue.reason) for issue in found}


def test_malformed_objects_are_rejected_and_the_rest_kept(serve, make_source):
    fake = serve()
    users, classes, enrollments = fake.data["users"], fake.data["classes"], fake.data["enrollments"]
    bad_user = users[4]["sourcedId"]
    users[2] = "stu-0000003"  # a bare string where an object belongs
    users[4]["roles"] = "student"
    classes[0]["course"] = {"href": "/ims/oneroster/rostering/v1p2/courses/x", "type": "course"}
    enrollments[5]["role"] = ["student"]
    fake.data["demographics"][1]["birthDate"] = "31/12/2015"

    extract = make_source(fake, page_size=20).read()

    assert rejects(extract, "users") == {
        3: (None, "malformed_object", "is a JSON str, not an object"),
        5: ("roles", "malformed_object", "roles is not an array"),
    }
    assert rejects(extract, "classes") == {
        1: ("course", "malformed_object", "course is a reference without a sourcedId")
    }
    assert rejects(extract, "enrollments")[6] == (
        "role",
        "malformed_object",
        "role is an array where one value belongs",
    )
    assert rejects(extract, "demographics")[2][:2] == ("birthDate", "bad_date")  # a value check, as for CSV

    kept = {user["sourcedId"] for position, user in enumerate(users, 1) if position not in (3, 5)}
    assert set(ids(extract.streams["users"])) == kept
    assert extract.streams["classes"].num_rows == len(classes) - 1
    report = extract.files["users"]
    assert (report.rows, report.accepted, report.rejected) == (len(users), len(users) - 2, 2)

    # Enrollments in the rejected class, or of the rejected user, go with them and say why.
    cascaded = [
        reason
        for line, (column, kind, reason) in rejects(extract, "enrollments").items()
        if kind == "rejected_reference"
    ]
    assert any("rejected at line 1 of classes" in reason for reason in cascaded)
    assert any("rejected at line 5 of users" in reason for reason in cascaded)
    assert bad_user not in extract.streams["enrollments"].column("userSourcedId").to_pylist()


def test_a_malformed_read_still_meets_the_connector_contract(serve, make_source):
    fake = serve()
    fake.data["orgs"].append(None)
    fake.data["users"][0]["metadata"] = ["not", "an", "object"]
    batch = check_source(make_source(fake))
    assert batch.tables["school"].num_rows == len(fake.data["orgs"]) - 1
