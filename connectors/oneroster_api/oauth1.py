"""OAuth 1.0a request signing (RFC 5849, HMAC-SHA1), the way OneRoster 1.1 services sign each request.

Two-legged, as OneRoster uses it: the client key and secret sign every request, no token is involved. The
standard library does it (hmac, hashlib), so no new dependency. The signature covers the method, the URL
and its query (limit, offset, filter), a nonce and a timestamp: a machine whose clock is off is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import requests
from pydantic import SecretStr
from requests.auth import AuthBase

_DEFAULT_PORTS = {"http": 80, "https": 443}


def percent(value: str) -> str:
    """RFC 5849 3.6: everything but ``A-Z a-z 0-9 - . _ ~`` escaped, spaces as %20."""
    return quote(value, safe="")


def base_string(method: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """RFC 5849 3.4.1: the method, the URL without query, and every parameter, encoded and sorted."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{parts.port}"
    uri = f"{parts.scheme.lower()}://{host}{parts.path or '/'}"
    encoded = sorted((percent(name), percent(value)) for name, value in params)
    normalized = "&".join(f"{name}={value}" for name, value in encoded)
    return "&".join(percent(part) for part in (method.upper(), uri, normalized))


def sign(base: str, client_secret: str) -> str:
    """HMAC-SHA1 of the base string, keyed by the client secret and the (empty) token secret."""
    key = f"{percent(client_secret)}&".encode()
    return base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()


def query_params(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


class OAuth1(AuthBase):
    """Signs each request in an ``Authorization: OAuth ...`` header.

    urllib3 retries a throttled or failed request with the headers it had, so with the same nonce, and a
    service that remembers nonces refuses the repeat with a 401: that 401 is answered by signing afresh
    and sending once more. A second 401 is the caller's to see (a wrong secret, or a clock that is off).
    """

    def __init__(
        self,
        client_id: str,
        client_secret: SecretStr,
        *,
        clock: Callable[[], float] = time.time,
        nonce: Callable[[], str] = lambda: secrets.token_hex(16),
    ) -> None:
        self._client_id = client_id
        self._secret = client_secret
        self._clock = clock
        self._nonce = nonce

    def __repr__(self) -> str:
        return f"OAuth1(client_id={self._client_id!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.register_hook("response", self._sign_again_on_401)
        return self._sign(request)

    def _sign(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        oauth = {
            "oauth_consumer_key": self._client_id,
            "oauth_nonce": self._nonce(),
            "oauth_signature_method": "HMAC-SHA1",
            "oauth_timestamp": str(int(self._clock())),
            "oauth_version": "1.0",
        }
        url = request.url or ""
        base = base_string(request.method or "GET", url, [*query_params(url), *oauth.items()])
        oauth["oauth_signature"] = sign(base, self._secret.get_secret_value())
        request.headers["Authorization"] = "OAuth " + ", ".join(
            f'{name}="{percent(value)}"' for name, value in oauth.items()
        )
        return request

    def _sign_again_on_401(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        if response.status_code != 401:
            return response
        response.close()
        again = self._sign(response.request.copy())
        retried: requests.Response = response.connection.send(again, **kwargs)  # type: ignore[attr-defined]
        retried.history.append(response)
        return retried
