"""SQLite timestamps written by the bulk load lose the literal ".%f" they carried after their microseconds

The bulk load formatted timestamps with Arrow's ``%S`` (which already prints the microseconds) followed
by ``.%f``, so SQLite stored '2025-09-01 08:30:01.000000.%f': SQLAlchemy still read it, but SQLite's
own date functions (``datetime``, ``julianday``) gave null, so an analyst could not query the column. The
values are cut back to SQLAlchemy's form; the load writes that form from now on. PostgreSQL's columns are
typed and never held the suffix. Nothing to undo on downgrade: the older code reads both forms.

Revision ID: 0014_sqlite_timestamps
Revises: 0013_sync_run_stamps
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_sqlite_timestamps"
down_revision = "0013_sync_run_stamps"
branch_labels = None
depends_on = None

SUFFIX = ".%f"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    inspector = sa.inspect(bind)
    for table in inspector.get_table_names():
        for column in inspector.get_columns(table):
            if isinstance(column["type"], sa.DateTime):
                name = column["name"]
                op.execute(
                    sa.text(
                        f'UPDATE "{table}" SET "{name}" = substr("{name}", 1, length("{name}") - :cut) '
                        f'WHERE substr("{name}", -:cut) = :suffix'
                    ).bindparams(cut=len(SUFFIX), suffix=SUFFIX)
                )


def downgrade() -> None:
    pass
