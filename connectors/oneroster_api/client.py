"""Walking a OneRoster collection page by page through the hub's HTTP layer (hub.http: retries, backoff,
Retry-After, timeouts), and turning a failure into a message an IT person can act on.

Paging follows the reference's advice: ``Link: rel="next"`` when the service sends Link headers, else
``X-Total-Count``, else until an empty page. The offset moves by what a page held, not by what was asked
for, so a service that sends fewer objects than ``limit`` (Ed-Fi caps it) loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase

from connectors.oneroster_api.config import OneRosterApiConfig
from connectors.oneroster_api.cursor import server_time
from connectors.oneroster_api.oauth1 import OAuth1
from hub.connector import ConnectorError
from hub.http import HttpError, build_session, send
from hub.oauth import ClientCredentials

TOKEN_REQUEST = "OAuth token request"  # what ClientCredentials names its request in an HttpError


@dataclass(frozen=True, slots=True)
class Page:
    objects: list[Any]
    offset: int  # objects before this page in the walk
    total: int | None  # X-Total-Count, when sent
    server_time: datetime | None  # the service's clock (Date header)


class RosterClient:
    def __init__(self, config: OneRosterApiConfig) -> None:
        self.config = config
        self.session: requests.Session = build_session(config.http)
        self.session.auth = _authorizer(config)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> RosterClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def pages(self, collection: str, since: str | None = None) -> Iterator[Page]:
        """Every page of ``collection`` (changed after ``since``, when given); failures as ConnectorError."""
        try:
            yield from self._walk(collection, since)
        except HttpError as error:
            raise ConnectorError(_message(self.config, collection, error), file=collection) from None

    def _walk(self, collection: str, since: str | None) -> Iterator[Page]:
        url = f"{self.config.api_root}/{collection}"
        params = {"limit": str(self.config.page_size), "offset": "0"}
        if since is not None:
            params["filter"] = f"dateLastModified>'{since}'"
        what, offset, lead = f"{collection} page", 0, None
        response = send(self.session, "GET", url, what=what, ok=(200,), params=params)
        while True:
            objects = _envelope(response, collection)
            total = _count(response.headers.get("X-Total-Count"))
            yield Page(objects, offset, total, server_time(response.headers.get("Date")))
            if not objects:
                return
            if _lead(objects) is not None and _lead(objects) == lead:
                raise ConnectorError(
                    f"OneRoster API: {collection}: the service sent the same page twice; it may ignore "
                    "offset paging. Ask the SIS vendor, or try a larger page_size",
                    file=collection,
                )
            offset, lead = offset + len(objects), _lead(objects)
            if "Link" in response.headers:
                following = response.links.get("next", {}).get("url")
                if following is None:
                    return
                self._same_origin(following, collection)
                response = send(self.session, "GET", following, what=what, ok=(200,))
            elif total is not None and offset >= total:
                return
            else:
                params["offset"] = str(offset)
                response = send(self.session, "GET", url, what=what, ok=(200,), params=params)

    def _same_origin(self, url: str, collection: str) -> None:
        """Credentials go to the configured service only, never to a host a Link header names."""
        if urlsplit(url)[:2] != urlsplit(self.config.api_root)[:2]:
            raise ConnectorError(
                f"OneRoster API: {collection}: the next-page link points at another host; not followed",
                file=collection,
            )


def _authorizer(config: OneRosterApiConfig) -> AuthBase:
    if config.auth == "oauth1":
        return OAuth1(config.client_id, config.client_secret)
    return ClientCredentials(
        config.token_url or "", config.client_id, config.client_secret, config.scopes, config.http
    )


def _envelope(response: requests.Response, collection: str) -> list[Any]:
    """The page's objects: ``{"users": [...]}`` for /users, as the binding's collection envelopes go."""
    try:
        objects = response.json()[collection]
    except (ValueError, KeyError, TypeError):
        objects = None
    if not isinstance(objects, list):
        raise ConnectorError(
            f'OneRoster API: the answer for {collection} is not a OneRoster collection (no "{collection}" '
            "array); check base_url and version",
            file=collection,
        )
    return objects


def _lead(objects: list[Any]) -> object:
    return objects[0].get("sourcedId") if isinstance(objects[0], dict) else None


def _count(header: str | None) -> int | None:
    try:
        return int(header) if header is not None else None
    except ValueError:
        return None


def _message(config: OneRosterApiConfig, collection: str, error: HttpError) -> str:
    """What failed and what to check; never a URL (URLs carry ids) nor a credential."""
    if error.what == TOKEN_REQUEST:
        advice = "the token endpoint refused or failed; check token_url, client_id and client_secret"
    elif error.status == 401:
        advice = "the service refused the credentials; check client_id and client_secret"
        if config.auth == "oauth1":
            advice += ", and that this machine's clock is right (OAuth 1.0a signatures carry the time)"
    elif error.status == 403:
        advice = f"the credentials may not read {collection}; ask the SIS for the scope {config.scopes}"
        if collection == "demographics":
            advice += ", or set demographics: false"
    elif error.status == 404:
        advice = (
            f"the service has no {collection} at {config.version}'s base path; check base_url and version"
        )
    elif error.status in (400, 422):
        advice = "the service refused the query"
        if config.delta:
            advice += "; if it does not take filter=dateLastModified, set delta: false"
    else:
        advice = (
            "the service kept failing after retries; try again later, and tell the SIS vendor if it lasts"
        )
    return f"OneRoster API: reading {collection} failed: {error.reason}. {advice}"
