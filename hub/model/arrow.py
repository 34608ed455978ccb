"""Arrow schemas derived from the SQLAlchemy tables, so the two never drift apart."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, Numeric, Table

from hub.model.base import SYNC_COLUMNS, Base, ViewBase


def arrow_type(sql_type: object) -> pa.DataType:
    """The Arrow type a connector must produce for a column of this SQL type."""
    if isinstance(sql_type, Boolean):
        return pa.bool_()
    if isinstance(sql_type, DateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(sql_type, Date):
        return pa.date32()
    if isinstance(sql_type, Integer):
        return pa.int64()
    if isinstance(sql_type, Float | Numeric):
        return pa.float64()
    if isinstance(sql_type, JSON):
        return pa.string()  # JSON text
    return pa.string()


def sql_table(name: str) -> Table:
    """The model's table ``name``, or its view of that name (read like a table; see hub.model.domains)."""
    found = Base.metadata.tables.get(name)
    if found is None:
        found = ViewBase.metadata.tables.get(name)
    if found is None:
        raise KeyError(f"no table {name!r} in the shared model")
    return found


def stored_tables(names: Iterable[str]) -> set[str]:
    """The tables ``names`` are stored in: a view's tables (its ``shows``) in its place, a table itself.

    What a sync run counts is the rows of tables, so a step reading a view asks whether those moved."""
    return {stored for name in names for stored in sql_table(name).info.get("shows", (name,))}


def model_tables() -> set[str]:
    """Every name a connector may hand rows in under: the tables and the views written through one."""
    return set(Base.metadata.tables) | set(ViewBase.metadata.tables)


@cache
def arrow_schema(name: str) -> pa.Schema:
    """Schema of the rows a connector hands in for ``name``: every column but the warehouse's own."""
    table = sql_table(name)
    return pa.schema(
        [
            pa.field(column.name, arrow_type(column.type), nullable=column.nullable or not column.primary_key)
            for column in table.columns
            if column.name not in SYNC_COLUMNS
        ]
    )


def conform_present(name: str, table: pa.Table) -> pa.Table:
    """Cast the columns of ``table`` that the model of ``name`` has to its types; the rest go."""
    schema = arrow_schema(name)
    fields = [field for field in schema if field.name in table.column_names]
    columns = [table.column(field.name).cast(field.type) for field in fields]
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def conform(name: str, table: pa.Table) -> pa.Table:
    """Cast ``table`` to the model schema of ``name``: missing optional columns become null, extras go."""
    schema = arrow_schema(name)
    columns = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def students_of(person: pa.Table) -> pa.Table:
    """The rows of a ``person`` table whose primary role is student: whom tiers, impact and reports count."""
    return person.filter(pc.equal(person["role"], "student"))
