"""Credentials: OAuth 2 client credentials with scopes and refresh, OAuth 1.0a signing for 1.1, and secrets
that never reach a message or a log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging

import pytest

from connectors.oneroster_api.binding import SCOPE_PREFIXES
from connectors.oneroster_api.oauth1 import base_string, sign
from hub.connector import ConnectorError
from testkit.fakes.oneroster_provider import TOKEN_PATH
from testkit.fakes.server import Fault, FaultKind
from tests.connectors.oneroster_api.conftest import SECRET, ids

V1P2 = SCOPE_PREFIXES["1.2"]


def test_one_token_serves_the_whole_read(serve, make_source):
    fake = serve()
    make_source(fake, page_size=20).read()
    assert fake.count("POST", *TOKEN_PATH) == 1
    assert fake.pages("users") > 1
    [(_, scopes)] = fake.tokens.values()
    assert scopes == {f"{V1P2}roster.readonly"}


def test_an_expired_token_is_fetched_again_and_the_read_goes_on(serve, make_source):
    fake = serve(token_uses=5)
    extract = make_source(fake, page_size=20).read()
    assert ids(extract.streams["users"]) == sorted(user["sourcedId"] for user in fake.data["users"])
    assert fake.count("POST", *TOKEN_PATH) > 1  # each 401 fetched a new token; none reached the caller


def test_a_wrong_secret_stops_the_read_saying_what_to_check(serve, make_source, caplog):
    fake = serve()
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ConnectorError) as raised:
        make_source(fake, client_secret="not-the-secret-0123").read()
    message = str(raised.value)
    assert message.startswith("OneRoster API: reading orgs failed: HTTP 401")
    assert "check token_url, client_id and client_secret" in message
    assert raised.value.file == "orgs"
    assert "http" not in message and "127.0.0.1" not in message
    for text in (message, caplog.text):
        assert "not-the-secret-0123" not in text and SECRET not in text


def test_secrets_and_student_names_stay_out_of_logs(serve, make_source, district, caplog):
    fake = serve()
    caplog.set_level(logging.DEBUG)
    make_source(fake, page_size=20).read()
    assert caplog.records, "the read logs what it did"
    assert SECRET not in caplog.text
    token = next(iter(fake.tokens))
    assert token not in caplog.text
    informative = " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    for student in district.students.slice(0, 5).to_pylist():
        for value in (student["given_name"], student["family_name"], student["source_id"], student["sis_id"]):
            assert value not in informative


def test_without_demographics_the_core_scope_is_asked_for(serve, make_source):
    fake = serve()
    extract = make_source(fake, demographics=False).read()
    assert "demographics" not in extract.streams
    assert fake.pages("demographics") == 0
    [(_, scopes)] = fake.tokens.values()
    assert scopes == {f"{V1P2}roster-core.readonly"}


def test_a_scope_that_does_not_cover_demographics_names_the_fix(serve, make_source):
    fake = serve()
    with pytest.raises(ConnectorError) as raised:
        make_source(fake, scope=f"{V1P2}roster-core.readonly").read()
    assert raised.value.file == "demographics"
    assert "HTTP 403" in str(raised.value)
    assert f"ask the SIS for the scope {V1P2}roster-core.readonly, or set demographics: false" in str(
        raised.value
    )


# -- OAuth 1.0a -------------------------------------------------------------------------------------------


def test_oauth1_base_string_is_the_specs_own_example():
    """OAuth Core 1.0a, appendix A.5.1 (its token is just another parameter to the base string)."""
    params = {
        "file": "vacation.jpg",
        "size": "original",
        "oauth_consumer_key": "dpf43f3p2l4k3l03",
        "oauth_token": "nnch734d00sl2jdk",
        "oauth_nonce": "kllo9940pd9333jh",
        "oauth_timestamp": "1191242096",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_version": "1.0",
    }
    assert base_string("get", "HTTP://Photos.example.net:80/photos", params.items()) == (
        "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03"
        "%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096"
        "%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal"
    )
    spaced = base_string("GET", "https://sis.example.org:8443/a", [("filter", "x y"), ("b", "~!")])
    assert spaced == "GET&https%3A%2F%2Fsis.example.org%3A8443%2Fa&b%3D~%2521%26filter%3Dx%2520y"


def test_oauth1_signs_with_the_client_secret_and_an_empty_token_secret():
    """RFC 5849 3.4.2: key = secret & token secret; OneRoster has no token, so the key ends in '&'."""
    expected = base64.b64encode(hmac.new(b"s%26cret&", b"GET&x&y", hashlib.sha1).digest()).decode()
    assert sign("GET&x&y", "s&cret") == expected


def test_oauth1_signing_survives_a_retry_that_repeats_its_nonce(serve, make_source):
    """urllib3 resends a dropped request with the same header; the service refuses the used nonce (401)
    and the connector signs afresh."""
    fake = serve(version="1.1", oauth1=True)
    fake.inject(Fault(FaultKind.DROP, path="users"))
    extract = make_source(fake, auth="oauth1", page_size=100).read()
    assert ids(extract.streams["users"]) == sorted(user["sourcedId"] for user in fake.data["users"])
    assert fake.pages("users") == 3  # dropped, repeated (refused), signed again
    assert fake.count("POST", *TOKEN_PATH) == 0


def test_oauth1_refused_names_the_clock(serve, make_source):
    fake = serve(version="1.1", oauth1=True)
    with pytest.raises(ConnectorError, match="this machine's clock is right") as raised:
        make_source(fake, auth="oauth1", client_secret="wrong-secret").read()
    assert "HTTP 401" in str(raised.value) and "wrong-secret" not in str(raised.value)
