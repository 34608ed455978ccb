"""One collection's pages into rows: flattened objects kept, malformed ones rejected (with the collection,
the object's position, the JSON property and the reason), the newest ``dateLastModified`` noted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from connectors.oneroster.people import hub_role, pair_ids
from connectors.oneroster.report import FileLog
from connectors.oneroster_api.client import Page
from connectors.oneroster_api.cursor import Newest
from connectors.oneroster_api.flatten import Malformed, Role, Row, flatten, flatten_user
from connectors.oneroster_api.stream import StreamBuilder


@dataclass(slots=True)
class Collected:
    table: pa.Table
    lines: pa.ChunkedArray  # each row's position in the collection, 1 for its first object
    rejected_ids: dict[str, int]  # sourcedId -> position of the objects rejected here
    cursor: str | None
    roles: tuple[pa.Table, pa.ChunkedArray] | None = None  # 1.2 users: the roles stream, lines of the users


def collect(
    pages: Iterable[Page],
    columns: Sequence[str],
    log: FileLog,
    *,
    users: bool = False,
    role_columns: Sequence[str] | None = None,
) -> Collected:
    """``role_columns`` (1.2 users) asks for the users' roles as rows of the CSV binding's roles file."""
    rows_out, roles_out = StreamBuilder(columns), StreamBuilder(role_columns or ())
    newest, began, rejected, count, total = Newest(), None, {}, 0, None
    for page in pages:
        began = began or page.server_time
        total = page.total
        rows, lines, role_rows, role_lines = [], [], [], []
        for position, item in enumerate(page.objects, start=page.offset + 1):
            count += 1
            if isinstance(item, dict):
                newest.see(item.get("dateLastModified"))
            try:
                row, roles = flatten_user(item, columns) if users else (flatten(item, columns), [])
            except Malformed as problem:
                log.reject(position, problem.field, problem.value, "malformed_object", problem.reason)
                sourced = item.get("sourcedId") if isinstance(item, dict) else None
                if isinstance(sourced, str):
                    rejected.setdefault(sourced, position)
                continue
            rows.append(row)
            lines.append(position)
            if role_columns is not None:
                role_rows += [_role_row(row, role) for role in roles]
                role_lines += [position] * len(roles)
        rows_out.add(rows, lines)
        roles_out.add(role_rows, role_lines)
    log.report.rows = count
    if total is not None and count < total:
        log.warn(
            "short_collection", f"the service announced {total} objects (X-Total-Count) but sent {count}"
        )
    table, lines = rows_out.build()
    return Collected(
        table, lines, rejected, newest.cursor(began), _with_ids(*roles_out.build()) if role_columns else None
    )


def _role_row(user: Row, role: Role) -> Row:
    """A roles.csv row for one of the user's roles; REST roles have no sourcedId, see ``_with_ids``."""
    return {
        "status": user["status"],
        "dateLastModified": user["dateLastModified"],
        "userSourcedId": user["sourcedId"],
        "roleType": role.role_type,
        "role": role.role,
        "beginDate": role.begin_date,
        "endDate": role.end_date,
        "orgSourcedId": role.org,
        "userProfileSourcedId": role.user_profile,
    }


def _with_ids(roles: pa.Table, lines: pa.ChunkedArray) -> tuple[pa.Table, pa.ChunkedArray]:
    """``user:org:role`` (the hub's role), as the CSV connector keys a 1.1 user's org role, so both versions
    of the API key a role alike, and the same from night to night."""
    user, org, role = (
        pc.fill_null(roles.column(name), "") for name in ("userSourcedId", "orgSourcedId", "role")
    )
    ids = pair_ids(user.combine_chunks(), org.combine_chunks(), hub_role(role))
    return roles.set_column(roles.column_names.index("sourcedId"), "sourcedId", ids), lines
