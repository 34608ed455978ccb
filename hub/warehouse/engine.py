"""Opening the warehouse: one engine per URL, schema brought to head by Alembic before first use."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from hub.warehouse import sqlite_stage

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x7475746F72  # "tutor": the advisory lock key that serialises migrations


def create_warehouse_engine(url: str) -> Engine:
    """An engine tuned for bulk work: SQLite in WAL mode with a long busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        # A transaction's scratch files can only be detached once it is over (hub.warehouse.sqlite_stage).
        event.listen(engine, "checkin", lambda dbapi, record: sqlite_stage.release(dbapi, record.info))
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    return create_engine(url, pool_pre_ping=True)


def _sqlite_begin(connection: Connection) -> None:
    """pysqlite's own transaction handling defers BEGIN; take it over so a transaction is a transaction.
    The scratch files of the connection's last transaction go first."""
    sqlite_stage.release(connection.connection.driver_connection, connection.connection.info)  # type: ignore[arg-type]
    connection.exec_driver_sql("BEGIN")


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None  # autocommit at the driver; SQLAlchemy's "begin" issues BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA temp_store=FILE")  # staging tables of a large district stay out of memory
    cursor.execute("PRAGMA cache_size=-200000")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision; safe to call on every start, also from many processes
    at once (the first nights of districts sharing one PostgreSQL warehouse, on several workers).

    Every step of the night opens the warehouse, so a database already at head costs one read of its
    ``alembic_version``: Alembic's environment is only set up when there is something to upgrade.
    """
    with engine.connect() as connection:
        if _stored_heads(connection) == script_heads():
            return
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # one migrator at a time; the others then find head
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        command.upgrade(alembic_config(connection), "head")


@cache
def script_heads() -> frozenset[str]:
    """The newest revision(s) of the hub's migration scripts, read from disk once per process."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def _stored_heads(connection: Connection) -> frozenset[str]:
    """The revision(s) the database says it is at (none before the first migration)."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def alembic_config(connection: Connection | None = None) -> Config:
    """The hub's Alembic configuration, run on ``connection`` when given: what ``migrate`` upgrades with,
    and what a migration's test puts a database at an older revision with."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config
