"""A fake OneRoster 1.2 gradebook provider on loopback: OAuth 2 client credentials and the PUT endpoints.

``POST /oauth/token`` (HTTP Basic client auth, form ``grant_type=client_credentials`` and ``scope``) hands
out bearer tokens that expire; ``PUT`` of categories, lineItems and results under
``/ims/oneroster/gradebook/v1p2`` answers 201 on create and 200 on update, checks the required fields and
that the path's sourcedId is the body's; ``GET`` of one object reads it back. Errors carry the
``imsx_StatusInfo`` body. ``accepts_learning_objectives=False`` plays a provider that answers 422 to them.
"""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

from hub.push.fakeserver import FakeServer, Fault, FaultKind, NotFound, Reply, Request, Route

GRADEBOOK = ("ims", "oneroster", "gradebook", "v1p2")
TOKEN_PATH = ("oauth", "token")
CREATEPUT = "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput"
REQUIRED = {
    "categories": ("sourcedId", "status", "dateLastModified", "title"),
    "lineItems": (
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "assignDate",
        "dueDate",
        "class",
        "school",
        "category",
    ),
    "results": ("sourcedId", "status", "dateLastModified", "lineItem", "student", "scoreStatus", "scoreDate"),
}
ENVELOPE = {"categories": "category", "lineItems": "lineItem", "results": "result"}


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


class FakeGradebook(FakeServer):
    def __init__(
        self,
        client_id: str = "tutorhub",
        client_secret: str = "fake-client-secret",
        *,
        token_lifetime: int = 3600,
        accepts_learning_objectives: bool = True,
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.accepts_learning_objectives = accepts_learning_objectives
        self.tokens: dict[str, tuple[float, set[str]]] = {}  # token -> (expires at, scopes)
        self.objects: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in ENVELOPE}

    @property
    def token_url(self) -> str:
        return f"{self.url}/{'/'.join(TOKEN_PATH)}"

    def expire_tokens(self) -> None:
        """Every token handed out so far stops working, as when a provider revokes them early."""
        with self.lock:
            self.tokens = {token: (0.0, scopes) for token, (_, scopes) in self.tokens.items()}

    # -- FakeServer hooks -------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        routes: list[Route] = [("POST", TOKEN_PATH, self._token)]
        for collection in ENVELOPE:
            routes.append(("PUT", (*GRADEBOOK, collection, ":sourced_id"), self._put(collection)))
            routes.append(("GET", (*GRADEBOOK, collection, ":sourced_id"), self._get(collection)))
        return routes

    def authorize(self, request: Request) -> Reply | None:
        if request.segments == TOKEN_PATH:
            return None  # client auth is checked by the token route itself
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        with self.lock:
            expires_at, scopes = self.tokens.get(token, (0.0, set()))
        if scheme.lower() != "bearer" or time.time() >= expires_at:
            return imsx(401, "unauthorisedrequest", "missing, unknown or expired access token")
        if request.method == "PUT" and CREATEPUT not in scopes:
            return imsx(403, "forbidden", "token lacks the gradebook.createput scope")
        return None

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

    def _get(self, collection: str) -> Any:
        def get(request: Request, sourced_id: str) -> Reply:
            found = self.objects[collection].get(sourced_id)
            if found is None:
                raise NotFound
            return Reply(200, {ENVELOPE[collection]: found})

        return get

    def _put(self, collection: str) -> Any:
        def put(request: Request, sourced_id: str) -> Reply:
            try:
                body = request.json()[ENVELOPE[collection]]
            except (ValueError, KeyError, TypeError):
                return imsx(400, "invaliddata", f"body must be {{{ENVELOPE[collection]!r}: ...}}")
            missing = [name for name in REQUIRED[collection] if body.get(name) in (None, "")]
            if missing:
                return imsx(422, "invaliddata", f"missing required field(s): {', '.join(missing)}")
            if body["sourcedId"] != sourced_id:
                return imsx(400, "invaliddata", "sourcedId in the body differs from the path")
            if "learningObjectiveSet" in body and not self.accepts_learning_objectives:
                return imsx(422, "invaliddata", "learningObjectiveSet is not supported")
            problem = self._dangling(collection, body)
            if problem:
                return imsx(422, "invaliddata", problem)
            created = sourced_id not in self.objects[collection]
            self.objects[collection][sourced_id] = body
            self.record_write(collection, sourced_id, created)
            return Reply(201 if created else 200, {ENVELOPE[collection]: body})

        return put

    def _dangling(self, collection: str, body: dict[str, Any]) -> str | None:
        """A reference to a category or line item this provider does not hold."""
        refs = {"lineItems": ("category", "categories"), "results": ("lineItem", "lineItems")}
        if collection not in refs:
            return None
        field, target = refs[collection]
        sourced = (body.get(field) or {}).get("sourcedId")
        return None if sourced in self.objects[target] else f"{field} {sourced!r} is unknown"
