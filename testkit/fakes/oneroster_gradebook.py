"""A fake OneRoster 1.2 gradebook provider on loopback: the PUT endpoints, behind OAuth 2 client credentials.

``PUT`` of categories, lineItems and results under ``/ims/oneroster/gradebook/v1p2`` (with the
gradebook.createput scope) answers 201 on create and 200 on update, checks the required fields and that
the path's sourcedId is the body's; ``GET`` of one object reads it back. Tokens and ``imsx_StatusInfo``
errors are the shared ``testkit.fakes.oneroster_provider``'s. ``accepts_learning_objectives=False`` plays a
provider that answers 422 to them.
"""

from __future__ import annotations

from typing import Any

from testkit.fakes.oneroster_provider import TOKEN_PATH, FakeProvider, imsx
from testkit.fakes.server import NotFound, Reply, Request, Route

__all__ = ["GRADEBOOK", "TOKEN_PATH", "FakeGradebook"]

GRADEBOOK = ("ims", "oneroster", "gradebook", "v1p2")
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


class FakeGradebook(FakeProvider):
    def __init__(
        self,
        client_id: str = "tutorhub",
        client_secret: str = "fake-client-secret",
        *,
        token_lifetime: int = 3600,
        accepts_learning_objectives: bool = True,
    ) -> None:
        super().__init__(client_id, client_secret, token_lifetime=token_lifetime)
        self.accepts_learning_objectives = accepts_learning_objectives
        self.objects: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in ENVELOPE}

    # -- FakeServer hooks -------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        routes = super().routes()
        for collection in ENVELOPE:
            routes.append(("PUT", (*GRADEBOOK, collection, ":sourced_id"), self._put(collection)))
            routes.append(("GET", (*GRADEBOOK, collection, ":sourced_id"), self._get(collection)))
        return routes

    def authorize(self, request: Request) -> Reply | None:
        refusal = super().authorize(request)
        if refusal is None and request.method == "PUT" and CREATEPUT not in self.scopes(request):
            return imsx(403, "forbidden", "token lacks the gradebook.createput scope")
        return refusal

    # -- routes -----------------------------------------------------------------------------------------
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
