"""Alembic environment: always run on a connection the hub hands in (see hub.warehouse.engine.migrate)."""

from alembic import context

from hub.model import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
