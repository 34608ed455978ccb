"""hub.http against a real loopback server: what is retried, what is not, timeouts, pacing, safe errors."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from hub.http import BearerToken, HttpError, HttpSettings, build_session, is_throttled, send
from testkit.fakes.server import FakeServer, Fault, FaultKind, Reply, Request, Route


class Echo(FakeServer):
    """Answers every PUT/GET/POST under /things/<id>; a 403 on /forbidden; headers set per test."""

    def __init__(self) -> None:
        super().__init__()
        self.extra_headers: dict[str, str] = {}
        self.raw_paths: list[str] = []

    def routes(self) -> list[Route]:
        return [
            ("GET", ("things", ":id"), self._thing),
            ("PUT", ("things", ":id"), self._thing),
            ("POST", ("things",), lambda request: Reply(201, {"made": True})),
            ("GET", ("forbidden",), lambda request: Reply(403, "Forbidden")),
        ]

    def _thing(self, request: Request, id: str) -> Reply:
        self.raw_paths.append(request.raw_path)
        return Reply(200, {"id": id})

    def decorate(self, reply: Reply) -> None:
        for name, value in self.extra_headers.items():
            reply.headers.setdefault(name, value)


@pytest.fixture
def echo() -> Iterator[Echo]:
    with Echo() as server:
        yield server


def test_500_then_success_is_retried_inside_one_call(echo: Echo, fast_http: HttpSettings) -> None:
    echo.inject(Fault(FaultKind.ERROR_500), Fault(FaultKind.ERROR_500))
    response = send(
        build_session(fast_http), "PUT", f"{echo.url}/things/1", what="thing PUT", data={"a": "1"}
    )
    assert response.json() == {"id": "1"}
    assert echo.count("PUT", "things", "1") == 3


def test_canvas_403_throttle_is_retried_but_a_plain_403_is_not(echo: Echo, fast_http: HttpSettings) -> None:
    session = build_session(fast_http)
    echo.inject(Fault(FaultKind.THROTTLE_403, retry_after=None))
    echo.extra_headers = {"X-Rate-Limit-Remaining": "0.0"}  # Canvas marks its throttle with an empty bucket
    assert send(session, "GET", f"{echo.url}/things/1", what="thing").status_code == 200
    assert echo.count("GET", "things", "1") == 2

    echo.extra_headers = {"X-Rate-Limit-Remaining": "550.0"}
    with pytest.raises(HttpError) as refused:
        send(session, "GET", f"{echo.url}/forbidden", what="forbidden thing")
    assert refused.value.status == 403
    assert echo.count("GET", "forbidden") == 1  # a permission refusal comes back at once


def test_retry_after_is_honoured(echo: Echo, fast_http: HttpSettings) -> None:
    settings = fast_http.model_copy(update={"retry_after_max": 300.0})
    echo.inject(Fault(FaultKind.THROTTLE_429, retry_after=1))
    started = time.monotonic()
    send(build_session(settings), "GET", f"{echo.url}/things/1", what="thing")
    assert time.monotonic() - started >= 1.0
    assert echo.count("GET", "things", "1") == 2


def test_every_request_has_a_timeout_and_a_slow_answer_is_retried(
    echo: Echo, fast_http: HttpSettings
) -> None:
    echo.inject(Fault(FaultKind.SLOW, delay=2.0))
    started = time.monotonic()
    send(build_session(fast_http), "PUT", f"{echo.url}/things/1", what="thing PUT", data={"a": "1"})
    assert time.monotonic() - started < 1.5  # the read timeout (0.3 s) cut the wait short
    assert echo.count("PUT", "things", "1") == 2


def test_spent_retries_give_a_safe_message(echo: Echo, fast_http: HttpSettings) -> None:
    echo.inject(*[Fault(FaultKind.SLOW, delay=2.0)] * 3)
    settings = fast_http.model_copy(update={"retries": 2})
    with pytest.raises(HttpError) as failed:
        send(build_session(settings), "GET", f"{echo.url}/things/S-0042", what="thing")
    assert str(failed.value) == "thing: timed out, retries spent"
    assert "S-0042" not in str(failed.value)
    assert echo.count("GET", "things", "S-0042") == 3


def test_post_is_not_retried(echo: Echo, fast_http: HttpSettings) -> None:
    echo.inject(Fault(FaultKind.ERROR_500))
    with pytest.raises(HttpError) as failed:
        send(build_session(fast_http), "POST", f"{echo.url}/things", what="thing create")
    assert failed.value.status == 500
    assert echo.count("POST", "things") == 1


def test_connection_dropped_before_the_answer_is_retried(echo: Echo, fast_http: HttpSettings) -> None:
    echo.inject(Fault(FaultKind.DROP))
    send(build_session(fast_http), "PUT", f"{echo.url}/things/1", what="thing PUT", data={"a": "1"})
    assert echo.count("PUT", "things", "1") == 2


def test_connection_dropped_mid_answer_is_a_failure(echo: Echo, fast_http: HttpSettings) -> None:
    echo.inject(Fault(FaultKind.DROP_MID))
    with pytest.raises(HttpError, match="connection dropped mid-response"):
        send(build_session(fast_http), "PUT", f"{echo.url}/things/1", what="thing PUT", data={"a": "1"})


def test_low_rate_limit_remaining_slows_the_client(echo: Echo, fast_http: HttpSettings) -> None:
    settings = fast_http.model_copy(update={"rate_limit_low_water": 100.0, "rate_limit_max_pause": 0.4})
    session = build_session(settings)
    echo.extra_headers = {"X-Rate-Limit-Remaining": "500.0"}
    started = time.monotonic()
    send(session, "GET", f"{echo.url}/things/1", what="thing")
    relaxed = time.monotonic() - started
    echo.extra_headers = {"X-Rate-Limit-Remaining": "0.0"}
    started = time.monotonic()
    send(session, "GET", f"{echo.url}/things/1", what="thing")
    assert time.monotonic() - started >= 0.4 > relaxed


def test_url_goes_out_with_its_escapes(echo: Echo, fast_http: HttpSettings) -> None:
    send(build_session(fast_http), "GET", f"{echo.url}/things/ALG%2E101%2F2", what="thing")
    assert echo.raw_paths == ["/things/ALG%2E101%2F2"]


def test_bearer_token_is_sent_and_never_shown(echo: Echo, fast_http: HttpSettings) -> None:
    token = BearerToken(SecretStr("sekrit-token"))
    session = build_session(fast_http)
    session.auth = token
    response = send(session, "GET", f"{echo.url}/things/1", what="thing")
    assert response.request.headers["Authorization"] == "Bearer sekrit-token"
    assert "sekrit" not in repr(token) + repr(session.headers)


def test_throttle_recognised_by_status_header_or_body() -> None:
    assert is_throttled(429, {})
    assert is_throttled(403, {"X-Rate-Limit-Remaining": "0.0"})
    assert is_throttled(403, {}, b"403 Forbidden (Rate Limit Exceeded)\n")
    assert not is_throttled(403, {"X-Rate-Limit-Remaining": "12.5"}, b"unauthorized")
    assert not is_throttled(500, {"X-Rate-Limit-Remaining": "0.0"})


def test_settings_refuse_unknown_keys() -> None:
    with pytest.raises(ValueError, match="retrys"):
        HttpSettings.model_validate({"retrys": 3})


def test_urllib3_retry_warnings_withhold_the_path(
    echo: Echo, fast_http: HttpSettings, caplog: pytest.LogCaptureFixture
) -> None:
    echo.inject(Fault(FaultKind.DROP))
    with caplog.at_level("DEBUG"):
        send(build_session(fast_http), "PUT", f"{echo.url}/things/S-0042", what="thing PUT", data={"a": "1"})
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert any("Retrying" in message and "<path withheld>" in message for message in warnings)
    assert not any("S-0042" in message for message in warnings)
