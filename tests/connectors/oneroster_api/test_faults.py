"""HTTP trouble: throttles and server errors are retried by hub.http; what does not heal stops the read
with a message naming the collection, the status and what to check, and never a URL."""

from __future__ import annotations

import pytest

from hub.connector import ConnectorError
from testkit.fakes.oneroster_api import FakeRostering
from testkit.fakes.server import Fault, FaultKind, Reply
from tests.connectors.oneroster_api.conftest import CLIENT_ID, SECRET, ids


def test_throttles_and_server_errors_are_retried_then_the_read_completes(serve, make_source):
    fake = serve()
    fake.inject(
        Fault(FaultKind.THROTTLE_429, path="users", retry_after=0),
        Fault(FaultKind.THROTTLE_429, path="users"),
        Fault(FaultKind.ERROR_500, path="classes"),
        Fault(FaultKind.ERROR_500, path="token"),
    )
    extract = make_source(fake, page_size=100).read()
    assert fake.pending_faults() == 0
    assert fake.pages("users") == 3 and fake.pages("classes") == 2  # one page each, plus the retries
    for collection in ("users", "classes"):
        assert ids(extract.streams[collection]) == sorted(o["sourcedId"] for o in fake.data[collection])


def test_a_lasting_server_error_names_the_collection_and_no_url(serve, make_source):
    fake = serve()
    fake.inject(*[Fault(FaultKind.ERROR_500, path="enrollments")] * 10)
    with pytest.raises(ConnectorError) as raised:
        make_source(fake).read()
    message = str(raised.value)
    assert raised.value.file == "enrollments"
    assert message.startswith("OneRoster API: reading enrollments failed: HTTP 500")
    assert "try again later" in message
    assert "http" not in message and "127.0.0.1" not in message
    assert fake.pages("enrollments") == 5  # the first try and LOOPBACK_HTTP's four retries


def test_the_wrong_version_is_a_404_that_says_to_check_base_url_and_version(serve, make_source):
    fake = serve()  # a 1.2 service
    with pytest.raises(ConnectorError, match="check base_url and version") as raised:
        make_source(fake, version="1.1").read()
    assert "HTTP 404" in str(raised.value)


class _Quirky(FakeRostering):
    """Answers orgs as the test says, to play services that break the binding."""

    orgs: Reply

    def routes(self):
        return [("GET", (*self.base, "orgs"), lambda request: self.orgs), *super().routes()]


@pytest.fixture
def quirky():
    with _Quirky({}, client_id=CLIENT_ID, client_secret=SECRET) as fake:
        yield fake


def test_an_answer_without_the_collection_envelope_is_refused(quirky, make_source):
    quirky.orgs = Reply(200, {"org": [{"sourcedId": "o1"}]})
    with pytest.raises(ConnectorError, match='no "orgs" array'):
        make_source(quirky).read()


def test_a_service_that_ignores_offset_is_caught_instead_of_read_forever(quirky, make_source):
    quirky.orgs = Reply(200, {"orgs": [{"sourcedId": "o1"}, {"sourcedId": "o2"}]}, {"X-Total-Count": "9"})
    with pytest.raises(ConnectorError, match="sent the same page twice") as raised:
        make_source(quirky, page_size=2).read()
    assert raised.value.file == "orgs"


def test_a_next_link_to_another_host_is_not_followed(quirky, make_source):
    quirky.orgs = Reply(
        200,
        {"orgs": [{"sourcedId": "o1"}]},
        {"Link": '<https://elsewhere.example/orgs?offset=1>; rel="next"'},
    )
    with pytest.raises(ConnectorError, match="points at another host; not followed"):
        make_source(quirky).read()
