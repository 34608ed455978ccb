"""A fake OneRoster rostering service on loopback, serving the collections it is given as Python dicts.

The shared fake provider (``testkit.fakes.oneroster_provider``: the OAuth 2 token endpoint, bearer tokens
that expire, ``imsx_StatusInfo`` error bodies, scripted faults such as 429 with Retry-After, 500s and
dropped connections, each limited to a path by a regular expression) plus the rostering service:

- ``GET /ims/oneroster/rostering/v1p2/<collection>`` (``/ims/oneroster/v1p1/...`` for 1.1) for orgs,
  academicSessions, courses, classes, users, enrollments and demographics, answering ``{"users": [...]}``;
- ``limit`` (default 100) / ``offset`` paging with ``X-Total-Count`` and a ``Link`` header (first, last,
  prev, next), each header switchable off, and ``max_limit`` to cap pages as Ed-Fi's provider does;
- ``filter=<field><op>'<value>'`` on a top-level field (``=``, ``!=``, ``>``, ``>=``, ``<``, ``<=``, ``~``),
  400 ``invalid_filter_field`` on anything else;
- a token must carry a roster scope (demographics: roster.readonly or roster-demographics.readonly), else
  403; ``token_uses`` makes each token answer that many requests and then 401 as if it had expired;
- ``oauth1=True`` checks OAuth 1.0a signatures instead (key, timestamp within five minutes, unused nonce).
"""

from __future__ import annotations

import hmac
import operator
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote, urlencode

from connectors.oneroster_api.binding import API_PATHS, COLLECTIONS, SCOPE_PREFIXES, Version
from connectors.oneroster_api.oauth1 import base_string, sign
from testkit.fakes.oneroster_provider import FakeProvider, imsx
from testkit.fakes.server import Reply, Request, Route

DEFAULT_LIMIT = 100
_FILTER = re.compile(r"^(?P<field>\w+)(?P<op>>=|<=|!=|=|>|<|~)'(?P<value>[^']*)'$")
_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "~": lambda have, want: want in have,
}
_OAUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')
_CLOCK_SKEW = 300  # seconds an OAuth 1.0a timestamp may be off


class FakeRostering(FakeProvider):
    def __init__(
        self,
        data: Mapping[str, list[Any]],
        *,
        version: Version = "1.2",
        client_id: str = "tutorhub",
        client_secret: str = "fake-client-secret",
        oauth1: bool = False,
        max_limit: int | None = None,
        link_header: bool = True,
        total_header: bool = True,
        token_uses: int | None = None,
    ) -> None:
        super().__init__(client_id, client_secret)
        self.data = {collection: list(objects) for collection, objects in data.items()}
        self.version = version
        self.base = tuple(API_PATHS[version].strip("/").split("/"))
        self.oauth1 = oauth1
        self.max_limit = max_limit
        self.link_header = link_header
        self.total_header = total_header
        self.token_uses = token_uses
        self.queries: list[tuple[str, dict[str, str]]] = []  # (collection, query) of every collection GET
        self._uses: Counter[str] = Counter()
        self._nonces: set[str] = set()

    def pages(self, collection: str) -> int:
        """GET requests that reached ``collection``, retries included."""
        return self.count("GET", *self.base, collection)

    # -- FakeServer hooks -------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        listing = [("GET", (*self.base, name), self._listing(name)) for name in COLLECTIONS]
        return [*super().routes(), *listing]

    def authorize(self, request: Request) -> Reply | None:
        if request.segments[: len(self.base)] != self.base:
            return super().authorize(request)
        if self.oauth1:
            return self._check_signature(request)
        refusal = super().authorize(request)
        if refusal is not None:
            return refusal
        token = (request.headers.get("Authorization") or "").partition(" ")[2]
        with self.lock:
            self._uses[token] += 1
            worn_out = self.token_uses is not None and self._uses[token] > self.token_uses
        scopes = self.scopes(request)
        if worn_out:
            return imsx(401, "unauthorisedrequest", "expired access token")
        if not scopes & self._scopes_for(request.segments[-1]):
            return imsx(403, "forbidden", "token lacks a roster scope for this collection")
        return None

    # -- routes -----------------------------------------------------------------------------------------
    def _listing(self, collection: str) -> Callable[[Request], Reply]:
        def answer(request: Request) -> Reply:
            query = {name: values[-1] for name, values in request.query.items()}
            self.queries.append((collection, query))
            try:
                limit, offset = int(query.get("limit", DEFAULT_LIMIT)), int(query.get("offset", 0))
            except ValueError:
                return imsx(400, "invaliddata", "limit and offset must be whole numbers")
            if limit < 1 or offset < 0:
                return imsx(400, "invaliddata", "limit must be at least 1 and offset at least 0")
            limit = min(limit, self.max_limit or limit)
            objects = self.data.get(collection, [])
            if "filter" in query:
                kept = _filtered(objects, query["filter"])
                if kept is None:
                    return imsx(400, "invalid_filter_field", "filter is not <field><op>'<value>'")
                objects = kept
            headers = {"X-Total-Count": str(len(objects))} if self.total_header else {}
            if self.link_header:
                headers["Link"] = self._links(request, query, offset, limit, len(objects))
            return Reply(200, {collection: objects[offset : offset + limit]}, headers)

        return answer

    def _links(self, request: Request, query: dict[str, str], offset: int, limit: int, total: int) -> str:
        """RFC 8288 ``Link``: first and last always, prev and next where there is such a page."""
        last = max(0, (total - 1) // limit * limit)
        pages = {"first": 0, "last": last}
        if offset > 0:
            pages["prev"] = max(0, offset - limit)
        if offset + limit < total:
            pages["next"] = offset + limit
        here = f"{self.url}{request.raw_path}"
        return ", ".join(
            f'<{here}?{urlencode({**query, "limit": limit, "offset": start})}>; rel="{rel}"'
            for rel, start in pages.items()
        )

    def _scopes_for(self, collection: str) -> set[str]:
        prefix = SCOPE_PREFIXES[self.version]
        names = ["roster.readonly", "roster-demographics.readonly"]
        if collection != "demographics":
            names.append("roster-core.readonly")
        return {f"{prefix}{name}" for name in names}

    def _check_signature(self, request: Request) -> Reply | None:
        scheme, _, rest = (request.headers.get("Authorization") or "").partition(" ")
        oauth = {name: unquote(value) for name, value in _OAUTH_PARAM.findall(rest)}
        try:
            age = abs(time.time() - int(oauth.get("oauth_timestamp", "")))
        except ValueError:
            age = float("inf")
        with self.lock:
            replayed = oauth.get("oauth_nonce") in self._nonces
            self._nonces.add(oauth.get("oauth_nonce", ""))
        query = [(name, value) for name, values in request.query.items() for value in values]
        signed = [(name, value) for name, value in oauth.items() if name != "oauth_signature"]
        expected = sign(
            base_string(request.method, f"{self.url}{request.raw_path}", [*query, *signed]),
            self.client_secret,
        )
        if (
            scheme != "OAuth"
            or oauth.get("oauth_consumer_key") != self.client_id
            or age > _CLOCK_SKEW
            or replayed
            or not hmac.compare_digest(expected, oauth.get("oauth_signature", ""))
        ):
            return imsx(401, "unauthorisedrequest", "OAuth 1.0a signature, key, timestamp or nonce refused")
        return None


def _filtered(objects: list[Any], expression: str) -> list[Any] | None:
    """The objects the one-clause filter keeps; None when the filter is not one this fake reads."""
    clause = _FILTER.match(expression)
    if clause is None:
        return None
    test = _OPERATORS[clause["op"]]
    field, value = clause["field"], clause["value"]
    return [
        item
        for item in objects
        if isinstance(item, dict) and isinstance(item.get(field), str) and test(item[field], value)
    ]
