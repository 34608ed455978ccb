"""Declarative base and the key every row carries.

Every table starts with ``district_id``: nothing is ever read or written without naming the district, and
the primary keys of tenant tables begin with it, so one district's rows sit together in every index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, MetaData, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SOURCE_ID = String(255)  # OneRoster sourcedIds are at most 255 characters

# JSONB on PostgreSQL: plain json has no equality operator, and the upsert compares every column.
JSON_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TenantRow:
    """Columns shared by every synced entity: the tenant key, its id at the source, and its lifecycle.

    Rows are never hard-deleted by a sync: a record that leaves the source is marked ``deleted`` so that
    tutoring history that points at it (a student who moved away mid-cycle) keeps its meaning.
    """

    district_id: Mapped[str] = mapped_column(String(64), primary_key=True, sort_order=-2)
    source_id: Mapped[str] = mapped_column(SOURCE_ID, primary_key=True, sort_order=-1)
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    source_modified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Stamped:
    """Rows that carry the sync run which last inserted, changed or marked them deleted.

    A derived step keeps its output from night to night and redoes only the students whose input rows
    carry a run after its own last write (``hub.pipeline.gaps``): a night's cost then follows what changed,
    not the size of the district's history. Rows written before a table was stamped hold null.
    """

    sync_run_id: Mapped[int | None] = mapped_column(Integer)


STAMP = "sync_run_id"
"""The column of ``Stamped`` rows."""

SYNC_COLUMNS = ("district_id", "status", "synced_at", STAMP)
"""Columns the warehouse fills in itself; a connector's normalized tables leave them out."""


class ViewBase(DeclarativeBase):
    """Views over the tables (``Base``): readable like a table, written through the table they show.

    Kept out of ``Base.metadata`` so that ``create_all`` and Alembic's comparisons see only real tables;
    the migration that stores a view's table creates the view.
    """

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
