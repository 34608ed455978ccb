"""What every fake OneRoster 1.2 service on loopback shares: OAuth 2 client credentials and imsx errors.

``POST /oauth/token`` (HTTP Basic client auth, form ``grant_type=client_credentials`` and ``scope``) hands
out bearer tokens that expire; any other request needs a live one. Errors carry the ``imsx_StatusInfo``
body the specification gives. The gradebook fake (``testkit.fakes.oneroster_gradebook``) and the
rostering fake (``testkit.fakes.oneroster_api``) add their own endpoints and scope rules on top, so
neither has to be the other.
"""

from __future__ import annotations

import base64
import secrets
import time

from testkit.fakes.server import FakeServer, Fault, FaultKind, Reply, Request, Route

TOKEN_PATH = ("oauth", "token")


def imsx(status: int, minor: str, description: str) -> Reply:
    return Reply(
        status,
        {
            "imsx_codeMajor": "failure",
            "imsx_severity": "error",
            "imsx_description": description,
            "imsx_CodeMinor": {
                "imsx_codeMinorField": [
                    {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": minor}
                ]
            },
        },
    )


class FakeProvider(FakeServer):
    """The token endpoint and bearer check; subclasses add routes and refine ``authorize``."""

    def __init__(
        self,
        client_id: str = "tutorhub",
        client_secret: str = "fake-client-secret",
        *,
        token_lifetime: int = 3600,
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.tokens: dict[str, tuple[float, set[str]]] = {}  # token -> (expires at, scopes)

    @property
    def token_url(self) -> str:
        return f"{self.url}/{'/'.join(TOKEN_PATH)}"

    def expire_tokens(self) -> None:
        """Every token handed out so far stops working, as when a provider revokes them early."""
        with self.lock:
            self.tokens = {token: (0.0, scopes) for token, (_, scopes) in self.tokens.items()}

    # -- FakeServer hooks -------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [("POST", TOKEN_PATH, self._token)]

    def authorize(self, request: Request) -> Reply | None:
        if request.segments == TOKEN_PATH:
            return None  # client auth is checked by the token route itself
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        with self.lock:
            expires_at, _ = self.tokens.get(token, (0.0, set()))
        if scheme.lower() != "bearer" or time.time() >= expires_at:
            return imsx(401, "unauthorisedrequest", "missing, unknown or expired access token")
        return None

    def scopes(self, request: Request) -> set[str]:
        """The scopes of the bearer token ``request`` carries (empty when it carries none)."""
        token = (request.headers.get("Authorization") or "").partition(" ")[2]
        with self.lock:
            return self.tokens.get(token, (0.0, set()))[1]

    def not_found(self) -> Reply:
        return imsx(404, "unknownobject", "no such object")

    def fault_reply(self, fault: Fault) -> Reply:
        if fault.kind is FaultKind.THROTTLE_429:
            return imsx(429, "server_busy", "too many requests")
        if fault.kind is FaultKind.THROTTLE_403:
            return imsx(403, "forbidden", "forbidden")
        return imsx(500, "internal_server_error", "internal server error")

    # -- routes -----------------------------------------------------------------------------------------
    def _token(self, request: Request) -> Reply:
        scheme, _, encoded = (request.headers.get("Authorization") or "").partition(" ")
        try:
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            client_id, secret = "", ""
        if scheme.lower() != "basic" or (client_id, secret) != (self.client_id, self.client_secret):
            return Reply(401, {"error": "invalid_client"}, {"WWW-Authenticate": "Basic"})
        form = request.form()
        if form.get("grant_type") != "client_credentials":
            return Reply(400, {"error": "unsupported_grant_type"})
        scopes = set(form.get("scope", "").split())
        token = secrets.token_urlsafe(24)
        self.tokens[token] = (time.time() + self.token_lifetime, scopes)
        answer = {"access_token": token, "token_type": "bearer", "expires_in": self.token_lifetime}
        return Reply(200, {**answer, "scope": " ".join(sorted(scopes))})
