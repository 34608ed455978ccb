"""Which failures may heal on their own, and so deserve a retry.

Everything else (a wrong setting, a missing or unreadable file, the match gate, the deletion guard) fails
the same way every time: retrying it only delays the message and buries it under copies of itself.
"""

from __future__ import annotations

import sqlite3

import requests
from sqlalchemy.exc import OperationalError

TRANSIENT_HTTP = frozenset({429, 500, 502, 503, 504})
LOCKED = ("database is locked", "deadlock detected", "could not obtain lock", "could not serialize access")


def is_transient(error: BaseException) -> bool:
    """Throttling, a server error, a timeout, a dropped connection or a locked database, anywhere in the
    chain of causes."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _transient_here(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _transient_here(error: BaseException) -> bool:
    if isinstance(error, requests.HTTPError):
        return error.response is not None and error.response.status_code in TRANSIENT_HTTP
    if isinstance(error, requests.Timeout | requests.ConnectionError | TimeoutError):
        return True
    if isinstance(error, OperationalError | sqlite3.OperationalError):
        return any(text in str(error).lower() for text in LOCKED)
    return False
