"""The delta cursor: per collection, the newest ``dateLastModified`` seen, kept in the connector's state.

The next night asks ``filter=dateLastModified>'<cursor>'``. A cursor is never later than the service's own
clock when the walk over that collection began: an object changed while the walk was under way, on a page
already read, may carry a time older than the newest one seen on later pages, and would otherwise be
skipped for ever. That clock is the first page's ``Date`` header, stamped to the second after its query
ran, so a minute is taken off it. A cursor a little early only means some objects are read again (an
upsert, harmless).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

_DATE_HEADER_SLACK = timedelta(minutes=1)


class Newest:
    """The latest ``dateLastModified`` among the objects of one walk."""

    def __init__(self) -> None:
        self.moment: datetime | None = None

    def see(self, value: object) -> None:
        moment = _moment(value)
        if moment is not None and (self.moment is None or moment > self.moment):
            self.moment = moment

    def cursor(self, began: datetime | None) -> str | None:
        """The cursor, in the spec's ``YYYY-MM-DDTHH:MM:SS.sssZ`` form; None when no object carried a time."""
        if self.moment is None:
            return None
        moment = self.moment if began is None else min(self.moment, began - _DATE_HEADER_SLACK)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def server_time(header: str | None) -> datetime | None:
    """An HTTP ``Date`` header as UTC time."""
    try:
        moment = parsedate_to_datetime(header) if header else None
    except (TypeError, ValueError):
        return None
    return None if moment is None else _utc(moment)


def cursors_to_use(state: Mapping[str, Any] | None, api: str) -> dict[str, str]:
    """The stored cursors, when they were taken from this same service (a new base_url starts over)."""
    if not state or state.get("api") != api:
        return {}
    return {name: value for name, value in (state.get("cursors") or {}).items() if isinstance(value, str)}


def advance(previous: Mapping[str, Any] | None, info: Mapping[str, Any]) -> dict[str, Any]:
    """The state after an applied read: its cursors, and the earlier ones where a collection brought none."""
    cursors = cursors_to_use(previous, info["api"])
    cursors.update({name: value for name, value in info["cursors"].items() if value})
    return {"api": info["api"], "cursors": cursors}


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return _utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
