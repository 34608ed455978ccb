"""OAuth 2 client credentials for requests (the 1EdTech security framework OneRoster 1.2 asks for), shared
by every connector that talks to such a service: the gradebook destination, the rostering source."""

from __future__ import annotations

import time
from typing import Any

import requests
from pydantic import SecretStr
from requests.auth import AuthBase

from hub.http import IDEMPOTENT_METHODS, HttpError, HttpSettings, build_session, send


class ClientCredentials(AuthBase):
    """A bearer token fetched once and reused until shortly before it expires.

    A 401 means the token was revoked or expired early: the request is sent once more with a fresh token,
    the way requests' own digest auth answers its challenge, and a second 401 is the caller's to see.
    """

    def __init__(
        self, token_url: str, client_id: str, client_secret: SecretStr, scope: str, http: HttpSettings
    ) -> None:
        self._token_url = token_url
        self._client = (client_id, client_secret)
        self._scope = scope
        # Asking for a token twice is harmless, so the token POST may be retried like a PUT.
        self._session = build_session(http, retry_methods=IDEMPOTENT_METHODS | {"POST"})
        self._token: str | None = None
        self._expires_at = 0.0

    def __repr__(self) -> str:
        return f"ClientCredentials(token_url={self._token_url!r}, client_id={self._client[0]!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._current()}"
        request.register_hook("response", self._refresh_on_401)
        return request

    def _current(self) -> str:
        if self._token is None or time.monotonic() >= self._expires_at:
            self._fetch()
        return self._token  # type: ignore[return-value]

    def _fetch(self) -> None:
        client_id, secret = self._client
        response = send(
            self._session,
            "POST",
            self._token_url,
            what="OAuth token request",
            ok=(200,),
            data={"grant_type": "client_credentials", "scope": self._scope},
            auth=(client_id, secret.get_secret_value()),
        )
        try:
            answer = response.json()
            token, lifetime = str(answer["access_token"]), float(answer.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise HttpError("OAuth token request", "answer has no access_token") from None
        self._token = token
        self._expires_at = time.monotonic() + lifetime - min(60.0, lifetime / 10)  # renew a little early

    def _refresh_on_401(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        if response.status_code != 401:
            return response
        response.content  # noqa: B018  read, so the connection goes back to the pool before the re-send
        response.close()
        self._fetch()
        again = response.request.copy()
        again.headers["Authorization"] = f"Bearer {self._token}"
        retried = response.connection.send(again, **kwargs)  # type: ignore[attr-defined]
        retried.history.append(response)
        retried.request = again
        return retried
