"""One REST object to one CSV-binding row: references to their sourcedId, arrays comma-joined, all as text.

The rows carry exactly the columns of the CSV binding's file for the version (plus ``metadata.*``), so the
CSV connector's checks and normalize step serve both bindings unchanged. Only the shape is judged here (an
object where text belongs, a reference without a sourcedId); values are judged by those checks.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from connectors.oneroster_api.binding import METADATA_PREFIX, MULTI_VALUED, json_name

Row = dict[str, str | None]
_SHOWN_CHARS = 200
_USER_ONLY_11 = ("role", "orgSourcedIds")  # 1.1's users.csv columns that JSON gives as role and orgs


class Malformed(Exception):
    """An object that cannot become a row; ``field`` is the JSON property at fault (None: all of it)."""

    def __init__(self, field: str | None, reason: str, value: Any = None) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason
        self.value = None if value is None else json.dumps(value, default=str)[:_SHOWN_CHARS]


@dataclass(frozen=True, slots=True)
class Role:
    """One of a user's roles, whichever shape the service sent it in (1.2 ``roles[]`` or 1.1 role + orgs)."""

    role_type: str | None
    role: str | None
    org: str | None
    begin_date: str | None = None
    end_date: str | None = None
    user_profile: str | None = None


def flatten(item: object, columns: Sequence[str]) -> Row:
    """The object as a row of ``columns`` (CSV names), plus one ``metadata.<key>`` column per extension."""
    found = _object(item)
    row = {
        column: _text(found.get(json_name(column)), json_name(column), column in MULTI_VALUED)
        for column in columns
    }
    row.update(_metadata(found.get("metadata")))
    return row


def flatten_user(item: object, columns: Sequence[str]) -> tuple[Row, list[Role]]:
    """A user's row and roles. 1.1 columns ``role`` and ``orgSourcedIds`` come from the roles, so a 1.1
    service that sends 1.2-shaped users (some do) reads the same as one that sends 1.1 shapes."""
    roles = user_roles(_object(item))
    row = flatten(item, [column for column in columns if column not in _USER_ONLY_11])
    if "role" in columns:
        main = next((role for role in roles if role.role_type == "primary"), roles[0] if roles else None)
        orgs = dict.fromkeys(org for org in [main.org if main else None, *(r.org for r in roles)] if org)
        row["role"] = main.role if main else None
        row["orgSourcedIds"] = ",".join(orgs) or None
    return row, roles


def user_roles(user: dict[str, Any]) -> list[Role]:
    entries = user.get("roles")
    if entries is None:  # 1.1: one role, held at each listed org, the first one primary
        role = _text(user.get("role"), "role", False)
        orgs = (_text(user.get("orgs"), "orgs", True) or "").split(",")
        return [
            Role("primary" if position == 0 else "secondary", role, org or None)
            for position, org in enumerate(orgs)
            if role is not None
        ]
    if not isinstance(entries, list):
        raise Malformed("roles", "roles is not an array", entries)
    roles = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise Malformed("roles", "a roles entry is not an object", entry)
        roles.append(
            Role(
                _text(entry.get("roleType"), "roles.roleType", False),
                _text(entry.get("role"), "roles.role", False),
                _text(entry.get("org"), "roles.org", False),
                _text(entry.get("beginDate"), "roles.beginDate", False),
                _text(entry.get("endDate"), "roles.endDate", False),
                _text(entry.get("userProfile"), "roles.userProfile", False),
            )
        )
    return roles


def _object(item: object) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise Malformed(None, f"is a JSON {type(item).__name__}, not an object", item)
    return item


def _text(value: Any, field: str, many: bool) -> str | None:
    """A JSON value as the CSV binding's text; blank is None, as the CSV reader reads an empty cell."""
    if isinstance(value, list):
        if not many:
            raise Malformed(field, f"{field} is an array where one value belongs", value)
        joined = ",".join(text for element in value if (text := _element(element, field)) is not None)
        return joined or None
    return _element(value, field)


def _element(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, dict):
        if field == "userIds":  # {"type": "SIS", "identifier": "1234"} is the CSV binding's {SIS:1234}
            kind, identifier = (_element(value.get(key), key) for key in ("type", "identifier"))
            return f"{{{kind or ''}:{identifier or ''}}}"
        sourced = value.get("sourcedId")
        if isinstance(sourced, str) and sourced:
            return sourced
        raise Malformed(field, f"{field} is a reference without a sourcedId", value)
    raise Malformed(field, f"{field} is an array inside an array", value)


def _metadata(metadata: Any) -> Row:
    """Extensions as ``metadata.<key>`` text; an object or array value is kept as its JSON text."""
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise Malformed("metadata", "metadata is not an object", metadata)
    return {
        f"{METADATA_PREFIX}{key}": json.dumps(value)
        if isinstance(value, dict | list)
        else _element(value, key)
        for key, value in metadata.items()
    }
