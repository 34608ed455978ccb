"""The Canvas REST calls the destination makes, each one request (or one paginated walk) through hub.http."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import requests

from connectors.canvas.config import CanvasConfig
from hub.http import BearerToken, HttpError, build_session, send

PER_PAGE = 100  # Canvas's default is 10; larger pages mean fewer requests against the rate limit


def sis_segment(prefix: str, sis_id: str) -> str:
    """``sis_course_id:<id>`` with the id percent-escaped, dots too, as Canvas's object-id rules ask."""
    return f"{prefix}:{quote(sis_id, safe='').replace('.', '%2E')}"


class CanvasClient:
    def __init__(self, config: CanvasConfig) -> None:
        self.api = f"{config.base_url}/api/v1"
        self.session: requests.Session = build_session(config.http)
        self.session.auth = BearerToken(config.token)

    def close(self) -> None:
        self.session.close()

    def course(self, sis_course_id: str) -> str:
        return f"{self.api}/courses/{sis_segment('sis_course_id', sis_course_id)}"

    def put_page(self, course: str, url: str, fields: dict[str, str]) -> dict[str, Any]:
        """Create or update the page at ``url`` (Canvas's PUT is an upsert by url)."""
        data = {f"wiki_page[{name}]": value for name, value in fields.items()}
        return send(self.session, "PUT", f"{course}/pages/{url}", what="page update", data=data).json()

    def students(self, course: str) -> dict[str, int]:
        """SIS user id -> Canvas user id of the course's students (column data takes Canvas ids only)."""
        url = f"{course}/users?enrollment_type%5B%5D=student&per_page={PER_PAGE}"
        return {
            user["sis_user_id"]: user["id"]
            for user in self._walk(url, "course users")
            if user.get("sis_user_id")
        }

    def find_column(self, course: str, title: str) -> int | None:
        url = f"{course}/custom_gradebook_columns?include_hidden=true&per_page={PER_PAGE}"
        return next((c["id"] for c in self._walk(url, "gradebook columns") if c["title"] == title), None)

    def create_column(self, course: str, title: str) -> int:
        """Not retried (a second POST could make a second column); the next run's look finds one made."""
        data = {"column[title]": title, "column[read_only]": "true", "column[hidden]": "false"}
        response = send(
            self.session, "POST", f"{course}/custom_gradebook_columns", what="column create", data=data
        )
        return response.json()["id"]

    def column_data(self, course: str, column_id: int) -> dict[int, str]:
        url = f"{course}/custom_gradebook_columns/{column_id}/data?per_page={PER_PAGE}"
        return {datum["user_id"]: datum["content"] for datum in self._walk(url, "column data")}

    def put_datum(self, course: str, column_id: int, user_id: int, content: str) -> None:
        """Set one student's cell; blank content deletes it."""
        url = f"{course}/custom_gradebook_columns/{column_id}/data/{user_id}"
        send(self.session, "PUT", url, what="column data update", data={"column_data[content]": content})

    def _walk(self, url: str, what: str) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list, following ``Link: rel="next"`` as an opaque URL."""
        next_url: str | None = url
        while next_url:
            response = send(self.session, "GET", next_url, what=what, ok=(200,))
            items = response.json()
            if not isinstance(items, list):
                raise HttpError(what, "answer is not a list")
            yield from items
            next_url = response.links.get("next", {}).get("url")
