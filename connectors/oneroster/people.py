"""People: ``person``, ``person_role`` and ``person_identifier`` from users.csv (and 1.2's roles.csv).

1.1 puts a user's role and orgs on the user; 1.2 moves them to roles.csv, one row per user, org and role.
Either way a person gets one hub role (1.2's administrator kinds fold into ``administrator``), a first
grade and a primary school, and every id they are known by lands in ``person_identifier``.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.oneroster.batch import add_table, modified_at, renamed, split_deletions
from connectors.oneroster.columns import DIRECT
from connectors.oneroster.repeats import find_repeats
from connectors.oneroster.vocab import map_distinct
from hub.connector import NormalizedBatch, SyncMode
from hub.model import conform

_Column = pa.Array | pa.ChunkedArray
_ADMINISTRATORS = {"districtAdministrator", "siteAdministrator", "principal", "systemAdministrator"}
_SOURCE_ID_LENGTH = 255
_USER_ID = r"^\{(?P<type>[^{}:]+):(?P<value>[^{}]*)\}$"
# (id_type, users.csv column) for the ids that sit in a column of their own.
_ID_COLUMNS = (
    ("sourced_id", "sourcedId"),
    ("sis_id", "identifier"),
    ("username", "username"),
    ("email", "email"),
    ("master_id", "userMasterIdentifier"),
)


def add_people(
    batch: NormalizedBatch, streams: dict[str, pa.Table], modes: dict[str, str], version: str
) -> None:
    roles = None
    if version == "1.2" and "roles" in streams:  # a 1.2 delta may change roles without touching users
        roles_mode = SyncMode(modes["roles"])
        roles, deleted_roles = split_deletions(streams["roles"], roles_mode)
        pairs = renamed(roles, DIRECT["person_role"][1])
        pairs["role"] = hub_role(roles.column("role"))
        add_table(batch, "person_role", pairs, roles_mode, deleted_roles)
    users = streams.get("users")
    if users is None:
        return
    mode = SyncMode(modes["users"])
    live, deleted = split_deletions(users, mode)
    person = renamed(live, DIRECT["person"][1])
    person["grade"] = _first(live.column("grades"))
    if version != "1.2":
        person["role"] = hub_role(live.column("role"))
        person["primary_school_source_id"] = _first(live.column("orgSourcedIds"))
        gone = users.filter(pc.is_in(users.column("sourcedId"), value_set=pa.array(deleted, pa.string())))
        add_table(batch, "person_role", _org_roles(live), mode, _org_roles(gone)["source_id"].to_pylist())
    elif roles is not None:
        person["role"], role_org = _main_role(live, roles)
        person["primary_school_source_id"] = pc.coalesce(live.column("primaryOrgSourcedId"), role_org)
    else:  # no user got through without a role (references._users_need_roles): nothing to place
        person["role"] = pa.nulls(live.num_rows, pa.string())
    add_table(batch, "person", person, mode, deleted)
    batch.tables["person_identifier"] = conform("person_identifier", _identifiers(live))
    batch.modes["person_identifier"] = mode


def hub_role(roles: pa.ChunkedArray) -> pa.Array:
    """The hub's one role vocabulary: 1.2's four kinds of administrator are one, ``ext:tutor`` is a tutor."""

    def fold(role: str) -> tuple[str, None]:
        if role in _ADMINISTRATORS:
            return "administrator", None
        return ("tutor" if role.lower() == "ext:tutor" else role), None

    return map_distinct(roles.combine_chunks(), fold).values


def _first(values: pa.ChunkedArray) -> pa.Array:
    """First element of a comma-separated field."""
    return pc.utf8_trim_whitespace(pc.list_element(pc.split_pattern(values.combine_chunks(), ","), 0))


def _main_role(users: pa.Table, roles: pa.Table) -> tuple[pa.Array, pa.Array]:
    """Each user's role and its org: the role at the user's primary org, else a primary role, else the first.

    Ranks every roles.csv row in one vector (rank * rows + row number), then keeps each user's lowest.
    """
    count = roles.num_rows
    owner = pc.index_in(roles.column("userSourcedId"), value_set=users.column("sourcedId"))
    owners_primary_org = pc.take(users.column("primaryOrgSourcedId"), owner)
    off_primary_org = pc.fill_null(pc.not_equal(roles.column("orgSourcedId"), owners_primary_org), True)
    secondary = pc.not_equal(roles.column("roleType"), "primary")
    rank = pc.add(pc.multiply(pc.cast(off_primary_org, pa.int64()), 2), pc.cast(secondary, pa.int64()))
    score = pc.add(pc.multiply(rank, count), pa.array(np.arange(count, dtype=np.int64)))
    best = (
        pa.table({"user": roles.column("userSourcedId"), "score": score})
        .group_by("user", use_threads=False)
        .aggregate([("score", "min")])
    )
    chosen = pc.take(roles, pc.remainder(best.column("score_min"), count))
    position = pc.index_in(users.column("sourcedId"), value_set=best.column("user"))
    return pc.take(hub_role(chosen.column("role")), position), pc.take(
        chosen.column("orgSourcedId"), position
    )


def _org_roles(users: pa.Table) -> dict[str, pa.Array]:
    """1.1: one person_role per user and listed org; the first org listed is the primary one."""
    rows = users.filter(
        pc.and_(pc.is_valid(users.column("role")), pc.is_valid(users.column("orgSourcedIds")))
    )
    lists = pc.split_pattern(rows.column("orgSourcedIds").combine_chunks(), ",")
    orgs = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    owner = pc.list_parent_indices(lists)
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy()
    starts = np.cumsum(lengths) - lengths
    first = pa.array(np.arange(len(orgs)) == starts[owner.to_numpy()])
    person = pc.take(rows.column("sourcedId"), owner)
    role = pc.take(hub_role(rows.column("role")), owner)
    pairs = pa.table(
        {
            "source_id": pair_ids(person, orgs, role),
            "person_source_id": person,
            "org_source_id": orgs,
            "role": role,
            "role_type": pc.if_else(first, "primary", "secondary"),
            "source_modified_at": pc.take(rows.column("dateLastModified"), owner),
        }
    ).filter(pc.not_equal(orgs, ""))
    pairs = pairs.set_column(5, "source_modified_at", modified_at(pairs.column("source_modified_at")))
    return _first_of_each(pairs, "source_id")


def pair_ids(person: pa.Array, org: pa.Array, role: pa.Array) -> pa.Array:
    """``person:org:role``; hashed in the rare case it would not fit a source_id."""
    ids = pc.binary_join_element_wise(person, org, role, ":")
    too_long = pc.greater(pc.utf8_length(ids), _SOURCE_ID_LENGTH)
    if not pc.any(too_long).as_py():
        return ids
    hashed = [
        "sha256:" + hashlib.sha256(value.encode()).hexdigest() if len(value) > _SOURCE_ID_LENGTH else value
        for value in ids.to_pylist()
    ]
    return pa.array(hashed, pa.string())


def _first_of_each(table: pa.Table, key: str) -> dict[str, pa.ChunkedArray]:
    repeats = find_repeats(table.column(key))
    if repeats is not None:
        table = table.filter(pa.array(~np.isin(np.arange(table.num_rows), repeats.rows)))
    return {name: table.column(name) for name in table.column_names}


def _identifiers(users: pa.Table) -> pa.Table:
    """Every id a person is known by. Only userIds entries can repeat one (``{Local:1},{Local:1}``, or a
    ``{username:...}`` entry equal to the username column), so only they are checked for repeats."""
    person = users.column("sourcedId")
    columns = pa.concat_tables(
        [
            _id_rows(person, pa.repeat(id_type, users.num_rows), users.column(column))
            for id_type, column in _ID_COLUMNS
            if column in users.column_names
        ]
    )
    lists = pc.split_pattern(users.column("userIds").combine_chunks(), ",")
    entries = pc.extract_regex(pc.utf8_trim_whitespace(pc.list_flatten(lists)), _USER_ID)
    owner = pc.take(person, pc.list_parent_indices(lists))
    id_types = map_distinct(pc.struct_field(entries, "type"), lambda kind: (_id_type(kind), None)).values
    listed = _id_rows(owner, id_types, pc.struct_field(entries, "value"))
    clashing = pc.is_in(columns.column("id_type"), value_set=pc.unique(listed.column("id_type")))
    pool = pa.concat_tables([columns.filter(clashing), listed])  # column ids first: a repeat is a listed one
    keys = pc.binary_join_element_wise(*(pool.column(name) for name in pool.column_names), "\x1f")
    repeats = find_repeats(keys)
    if repeats is not None:
        drop = repeats.rows - (pool.num_rows - listed.num_rows)
        listed = listed.filter(pa.array(~np.isin(np.arange(listed.num_rows), drop)))
    return pa.concat_tables([columns, listed])


def _id_rows(person: _Column, id_type: _Column, value: _Column) -> pa.Table:
    rows = pa.table({"person_source_id": person, "id_type": id_type, "value": value})
    return rows.filter(pc.and_(pc.is_valid(rows.column("id_type")), pc.not_equal(rows.column("value"), "")))


def _id_type(kind: str) -> str:
    """A userIds type as an id_type: lower case, with the spellings of a state id made one."""
    lower = kind.strip().lower()
    return "state_id" if re.sub(r"[^a-z]", "", lower) in ("state", "stateid") else lower
