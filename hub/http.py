"""The one HTTP layer every destination uses: retries, backoff and timeouts from urllib3, not from a loop.

``build_session`` returns a ``requests.Session`` whose every request

- has a (connect, read) timeout, even when the caller forgets one;
- is retried by urllib3's ``Retry`` on connection errors, read timeouts and 429/500/502/503/504, with
  exponential backoff plus jitter, honouring ``Retry-After`` (capped);
- treats Canvas's older throttle answer, 403 with ``X-Rate-Limit-Remaining`` at zero, like a 429, while an
  ordinary 403 (a permission refusal) comes back at once;
- slows down when ``X-Rate-Limit-Remaining`` runs low, so a long push stays under the server's bucket.

Only idempotent methods are retried (GET, PUT, DELETE, ...): a POST that timed out may have been applied,
and sending it again could create a duplicate. Errors leave this module as ``HttpError``, whose message
names the operation and the status but never the URL (URLs carry SIS ids) nor any credential.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping
from types import TracebackType
from typing import Any, Self

import requests
from pydantic import BaseModel, ConfigDict, Field, SecretStr
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3 import BaseHTTPResponse
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError, ResponseError
from urllib3.util.retry import Retry

from hub.errors import HubError

__all__ = ["BearerToken", "HttpError", "HttpSettings", "build_session", "is_throttled", "send"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({403, 429, 500, 502, 503, 504})  # 403 only when it is a throttle, see below
USER_AGENT = "tutorhub/0.1 (+https://github.com/tutorhub)"


class HttpSettings(BaseModel):
    """Timeouts, retries and pacing; the defaults suit a nightly push, tests shrink them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connect_timeout: float = Field(5.0, gt=0)
    read_timeout: float = Field(30.0, gt=0)
    retries: int = Field(5, ge=0, description="per request, across all causes")
    backoff_factor: float = Field(0.5, ge=0, description="sleep factor * 2**(n-1) before try n+1")
    backoff_jitter: float = Field(0.5, ge=0, description="plus up to this many random seconds")
    backoff_max: float = Field(60.0, ge=0)
    retry_after_max: float = Field(300.0, ge=0, description="a longer Retry-After is cut to this")
    rate_limit_low_water: float = Field(
        100.0, ge=0, description="below this X-Rate-Limit-Remaining, pause before the next request"
    )
    rate_limit_max_pause: float = Field(2.0, ge=0, description="pause when the bucket is empty")


def is_throttled(status: int, headers: Mapping[str, str], body: bytes = b"") -> bool:
    """429, or Canvas's 403 "Rate Limit Exceeded" (its bucket header at or below zero, or that body)."""
    if status == 429:
        return True
    if status != 403:
        return False
    remaining = _float(headers.get("X-Rate-Limit-Remaining"))
    return (remaining is not None and remaining <= 0) or b"Rate Limit Exceeded" in body


class ThrottleRetry(Retry):
    """urllib3's Retry, taught that a 403 is retried only when it is a throttle.

    ``Retry.is_retry`` sees the status code alone, so 403 sits in the forcelist and ``increment``, which
    sees the response headers, gives up at once on a 403 that is not a throttle. With
    ``raise_on_status=False`` urllib3 then hands that 403 back unchanged.
    """

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if response is not None and response.status == 403 and not is_throttled(403, response.headers):
            raise MaxRetryError(_pool, url or "", ResponseError("403 is a refusal, not a throttle"))  # type: ignore[arg-type]
        return super().increment(method, url, response, error, _pool, _stacktrace)


class TimeoutAdapter(HTTPAdapter):
    """An adapter that puts a timeout on every request that does not bring its own."""

    def __init__(self, timeout: tuple[float, float], **kwargs: Any) -> None:
        self.timeout = timeout
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, *args, **kwargs)


def _pacer(settings: HttpSettings) -> Callable[..., None]:
    """Response hook: sleep in proportion to how empty the server's rate-limit bucket is.

    Canvas's bucket refills at a fixed rate; one client that waits a little when ``X-Rate-Limit-Remaining``
    is low is never throttled, which is cheaper than being throttled and backing off.
    """

    def pace(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        remaining = _float(response.headers.get("X-Rate-Limit-Remaining"))
        low_water = settings.rate_limit_low_water
        if remaining is not None and low_water > 0 and remaining < low_water:
            time.sleep(settings.rate_limit_max_pause * (1 - max(remaining, 0.0) / low_water))

    return pace


def build_session(
    settings: HttpSettings, *, retry_methods: Collection[str] = IDEMPOTENT_METHODS
) -> requests.Session:
    """A session with the retry, timeout and pacing policy above; pass ``retry_methods`` to add POST
    only where a repeat is harmless (an OAuth token request)."""
    retry = ThrottleRetry(
        total=settings.retries,
        connect=settings.retries,
        read=settings.retries,
        status=settings.retries,
        backoff_factor=settings.backoff_factor,
        backoff_jitter=settings.backoff_jitter,
        backoff_max=settings.backoff_max,
        retry_after_max=settings.retry_after_max,  # type: ignore[arg-type]
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset(retry_methods),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    adapter = TimeoutAdapter((settings.connect_timeout, settings.read_timeout), max_retries=retry)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    session.hooks["response"].append(_pacer(settings))
    return session


class BearerToken(AuthBase):
    """``Authorization: Bearer``, kept out of the session's headers so no dump of them shows it."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        return request

    def __repr__(self) -> str:
        return "BearerToken('**********')"


class HttpError(HubError):
    """A request that failed for good, retries spent; ``str`` is safe to log and to store."""

    def __init__(self, what: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{what}: {reason}")
        self.what = what
        self.reason = reason
        self.status = status


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    what: str,
    ok: Collection[int] = (200, 201),
    **kwargs: Any,
) -> requests.Response:
    """One request through the session; any status outside ``ok`` or any transport error is an HttpError.

    ``url`` goes out exactly as given: requests would turn an escaped ``%2E`` back into ``.``, and Canvas
    needs dots in SIS ids kept escaped (else ``.101`` reads as a format suffix). Callers escape their path
    segments and, when they pass ``params``, accept requests' own encoding of the query.
    """
    prepared = session.prepare_request(requests.Request(method, url, **kwargs))
    if "params" not in kwargs:
        prepared.url = url
    settings = session.merge_environment_settings(prepared.url, {}, None, None, None)
    try:
        response = session.send(prepared, **settings)
    except requests.RequestException as error:
        raise HttpError(what, _describe(error)) from None
    if response.status_code not in ok:
        raise HttpError(what, _describe_status(response), response.status_code)
    return response


def _describe(error: requests.RequestException) -> str:
    """What went wrong, from the exception's type and causes only: its message would quote the URL."""
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "connection dropped mid-response"
    if isinstance(error, requests.Timeout):
        return "timed out"
    reason = getattr(error.args[0], "reason", None) if error.args else None
    if isinstance(reason, ReadTimeoutError):
        return "timed out, retries spent"
    if isinstance(reason, ProtocolError):
        return "connection dropped, retries spent"
    if isinstance(error, requests.ConnectionError):
        return "could not connect, retries spent"
    return type(error).__name__


def _describe_status(response: requests.Response) -> str:
    if is_throttled(response.status_code, response.headers, response.content[:512]):
        return f"HTTP {response.status_code}, throttled (rate limit exceeded)"
    described = f"HTTP {response.status_code} {response.reason or ''}".rstrip()
    if response.status_code == 401 and response.headers.get("WWW-Authenticate", "").lower().startswith(
        "bearer"
    ):
        described += " (the token is invalid or has expired)"
    return described


class _WithholdPaths(logging.Filter):
    """urllib3 logs each retry at WARNING with the request path, and paths carry SIS and user ids: the
    message stays (operators should see retries), the path goes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO and isinstance(record.args, tuple):
            record.args = tuple(
                "<path withheld>" if isinstance(arg, str) and "/" in arg else arg for arg in record.args
            )
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_WithholdPaths())


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
