"""A table's very first load with its secondary indexes built after the rows are in.

An index built once over the loaded rows is one sort; kept during the load it takes each row at a random
page. On SQLite, 1.9 M session attendance rows cost 8.5 s CPU and 19 s wall with the indexes kept against
6.6 s and 10.6 s built after. On PostgreSQL the same rows took 24-26 s into a table with its two secondary
indexes, against 11-12 s with the primary key alone and 7 s to build the two after (a loaded 2-core
machine): once the indexes outgrow the server's buffers every row costs a random page per index.

Only a table no district has written yet: otherwise the indexes serve other districts' readers, and
rebuilding them would cost the whole table. Both databases keep DDL in the apply's transaction, so a load
that fails leaves the indexes as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Table, text
from sqlalchemy.exc import OperationalError


@contextmanager
def indexes_after(connection: Connection, table: Table) -> Iterator[None]:
    """Around a first load of ``table``: its secondary indexes dropped before, built again after, when no
    district has rows in it (and, on PostgreSQL, no other transaction is using it)."""
    if connection.dialect.name == "postgresql":
        deferred = _drop_postgresql_indexes(connection, table)
    else:
        deferred = _drop_sqlite_indexes(connection, table)
    yield
    for definition in deferred:
        connection.exec_driver_sql(definition)


def _holds_rows(connection: Connection, table: Table) -> bool:
    return connection.exec_driver_sql(f'SELECT 1 FROM "{table.name}" LIMIT 1').first() is not None


def _drop_sqlite_indexes(connection: Connection, table: Table) -> list[str]:
    """SQLite writes one transaction at a time, so an empty table is empty for everyone until commit."""
    if _holds_rows(connection, table):
        return []
    indexes = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table.name,),
    ).all()
    for name, _ in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    return [definition for _, definition in indexes]


SECONDARY_INDEXES = text(
    "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
    "JOIN pg_class i ON i.oid = x.indexrelid "
    "WHERE x.indrelid = CAST(:table AS regclass) AND NOT x.indisprimary AND NOT x.indisunique "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) "
    "ORDER BY i.relname"
)
"""The indexes of a table that no key or constraint stands on: those a first load may go without."""


def _drop_postgresql_indexes(connection: Connection, table: Table) -> list[str]:
    """Dropping an index locks the table against every reader until the apply commits, and other
    districts' nights may be writing to it, uncommitted, unseen here. So the lock is only taken when it
    is free at once (``NOWAIT``: a night never waits on another's, so no two can deadlock), and given up
    again, with nothing dropped, if rows were committed before it was taken."""
    if _holds_rows(connection, table):
        return []
    attempt = connection.begin_nested()
    try:
        connection.exec_driver_sql(f'LOCK TABLE "{table.name}" IN ACCESS EXCLUSIVE MODE NOWAIT')
    except OperationalError:  # another transaction holds the table: load with the indexes kept
        attempt.rollback()
        return []
    if _holds_rows(connection, table):
        attempt.rollback()  # releases the lock: rolling back to the savepoint drops what was taken in it
        return []
    attempt.commit()
    indexes = connection.execute(SECONDARY_INDEXES, {"table": table.name}).all()
    for name, _ in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    return [definition for _, definition in indexes]
