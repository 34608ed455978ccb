"""One REST object to one CSV-binding row: the shapes real services send."""

from __future__ import annotations

import pytest

from connectors.oneroster.schema import SPECS
from connectors.oneroster_api.flatten import Malformed, Role, flatten, flatten_user

USERS_11 = SPECS["1.1"]["users"].columns
USERS_12 = SPECS["1.2"]["users"].columns


def ref(sourced: str) -> dict[str, str]:
    return {"href": f"/orgs/{sourced}", "sourcedId": sourced, "type": "org"}


def test_values_become_the_csv_bindings_text():
    row = flatten(
        {
            "sourcedId": "c1",
            "title": "Algebra",
            "classCode": "",
            "grades": ["09", "10"],
            "periods": [1, 2],
            "course": ref("k1"),
            "school": "s1",  # a bare sourcedId, as some services send
            "terms": [ref("t1"), ref("t2")],
            "subjects": [],
            "children": [ref("x")],  # not a column of classes.csv: not kept
            "metadata": {"room": 12, "flags": {"lab": True}, "ell": False},
        },
        SPECS["1.2"]["classes"].columns,
    )
    assert row["grades"] == "09,10" and row["periods"] == "1,2"
    assert (row["courseSourcedId"], row["schoolSourcedId"], row["termSourcedIds"]) == ("k1", "s1", "t1,t2")
    assert row["classCode"] is None and row["subjects"] is None and row["status"] is None
    assert "children" not in row
    assert (row["metadata.room"], row["metadata.flags"], row["metadata.ell"]) == (
        "12",
        '{"lab": true}',
        "false",
    )


def test_user_ids_and_preferred_names_take_the_csv_names():
    row, roles = flatten_user(
        {
            "sourcedId": "u1",
            "enabledUser": True,
            "userIds": [{"type": "SIS", "identifier": "123"}, {"type": "State", "identifier": "9"}],
            "preferredFirstName": "Sam",
            "preferredLastName": "Lee",
            "primaryOrg": ref("s1"),
            "roles": [
                {"roleType": "primary", "role": "student", "org": ref("s1"), "beginDate": "2025-08-18"}
            ],
        },
        USERS_12,
    )
    assert row["enabledUser"] == "true" and row["userIds"] == "{SIS:123},{State:9}"
    untyped, _ = flatten_user({"sourcedId": "u2", "userIds": [{"identifier": "7"}]}, USERS_12)
    assert untyped["userIds"] == "{:7}"  # kept as sent, for the CSV checks to reject with their reason
    assert (row["preferredGivenName"], row["preferredFamilyName"], row["primaryOrgSourcedId"]) == (
        "Sam",
        "Lee",
        "s1",
    )
    assert roles == [Role("primary", "student", "s1", "2025-08-18")]


def test_a_11_user_lists_its_role_at_each_org_the_first_primary():
    row, roles = flatten_user(
        {"sourcedId": "t1", "role": "teacher", "orgs": [ref("s1"), ref("s2")]}, USERS_11
    )
    assert (row["role"], row["orgSourcedIds"]) == ("teacher", "s1,s2")
    assert roles == [Role("primary", "teacher", "s1"), Role("secondary", "teacher", "s2")]


def test_a_12_shaped_user_on_a_11_service_reads_as_11():
    """Some providers serve 1.2-shaped users on /v1p1 (reference, defects #12): the primary role wins."""
    user = {
        "sourcedId": "t1",
        "roles": [
            {"roleType": "secondary", "role": "aide", "org": ref("s2")},
            {"roleType": "primary", "role": "teacher", "org": ref("s1")},
        ],
    }
    row, _ = flatten_user(user, USERS_11)
    assert (row["role"], row["orgSourcedIds"]) == ("teacher", "s1,s2")


@pytest.mark.parametrize(
    ("item", "field", "reason"),
    [
        ([1, 2], None, "is a JSON list, not an object"),
        ({"sourcedId": "c1", "title": ["A", "B"]}, "title", "title is an array where one value belongs"),
        (
            {"sourcedId": "c1", "course": {"href": "/c"}},
            "course",
            "course is a reference without a sourcedId",
        ),
        ({"sourcedId": "c1", "grades": [["09"]]}, "grades", "grades is an array inside an array"),
        ({"sourcedId": "c1", "metadata": "x"}, "metadata", "metadata is not an object"),
    ],
)
def test_shapes_that_cannot_be_a_row_say_which_field_and_why(item, field, reason):
    with pytest.raises(Malformed) as raised:
        flatten(item, SPECS["1.2"]["classes"].columns)
    assert (raised.value.field, raised.value.reason) == (field, reason)


def test_a_users_roles_entry_must_be_an_object():
    with pytest.raises(Malformed, match="a roles entry is not an object") as raised:
        flatten_user({"sourcedId": "u1", "roles": ["student"]}, USERS_12)
    assert raised.value.field == "roles" and raised.value.value == '"student"'
