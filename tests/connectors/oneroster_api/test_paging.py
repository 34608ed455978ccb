"""Paging: limit/offset across many pages, following Link, X-Total-Count or an empty page, and services
that send fewer objects than asked for."""

from __future__ import annotations

import math

import pytest

from tests.connectors.oneroster_api.conftest import ids

PAGE = 10
QUIRKS = {
    "link and total": ({}, 0),
    "total only": ({"link_header": False}, 0),
    "no headers": ({"link_header": False, "total_header": False}, 1),  # stops at an empty page
    "capped pages": ({"max_limit": 4}, 0),
    "capped, no headers": ({"max_limit": 4, "link_header": False, "total_header": False}, 1),
}


@pytest.mark.parametrize("case", list(QUIRKS))
def test_every_object_arrives_across_pages(case, serve, make_source):
    quirks, extra_requests = QUIRKS[case]
    fake = serve(**quirks)
    extract = make_source(fake, page_size=PAGE).read()

    for collection, objects in fake.data.items():
        assert ids(extract.streams[collection]) == sorted(o["sourcedId"] for o in objects), collection
        assert extract.files[collection].rows == len(objects)
    per_page = min(PAGE, quirks.get("max_limit", PAGE))
    users = len(fake.data["users"])
    assert users > 3 * per_page  # the district really spans several pages
    assert fake.pages("users") == math.ceil(users / per_page) + extra_requests
    first = next(query for collection, query in fake.queries if collection == "users")
    assert (first["limit"], first["offset"]) == (str(PAGE), "0")


def test_positions_count_across_pages(serve, make_source):
    """A row's line is its object's position in the whole collection, not on its page."""
    fake = serve()
    extract = make_source(fake, page_size=7).read()
    users = extract.streams["users"]
    last = users.num_rows - 1
    assert users.column("sourcedId")[last].as_py() == fake.data["users"][-1]["sourcedId"]
    fake.data["users"][-1]["givenName"] = ""  # a value the checks reject, to learn its line
    rejected = make_source(fake, page_size=7).read().issues
    [issue] = [i for i in rejected if i.file == "users" and i.severity == "reject"]
    assert (issue.line, issue.column, issue.kind) == (
        len(fake.data["users"]),
        "givenName",
        "missing_required",
    )
