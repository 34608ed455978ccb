"""Moving Arrow tables in and out of SQL in bulk: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Table

from hub.model.arrow import arrow_type

SQLITE_BATCH_ROWS = 50_000


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load(connection: Connection, table_name: str, data: pa.Table) -> None:
    """Append ``data`` (columns named as the table's) to ``table_name`` in one bulk operation."""
    if data.num_rows == 0:
        return
    if connection.dialect.name == "postgresql":
        _copy_postgres(connection, table_name, data)
    else:
        _executemany(connection, table_name, data)


def _copy_postgres(connection: Connection, table_name: str, data: pa.Table) -> None:
    buffer = io.BytesIO()
    pacsv.write_csv(data, buffer, pacsv.WriteOptions(include_header=False))
    columns = ", ".join(_quote(name) for name in data.column_names)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {_quote(table_name)} ({columns}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(buffer.getbuffer())


def _sqlite_values(column: pa.ChunkedArray) -> list:
    """Python values stored the way SQLAlchemy's SQLite types store and read them back."""
    kind = column.type
    if pa.types.is_timestamp(kind):
        column = pc.strftime(column, format="%Y-%m-%d %H:%M:%S.%f")
    elif pa.types.is_date(kind):
        column = column.cast(pa.string())
    elif pa.types.is_boolean(kind):
        column = column.cast(pa.int8())
    return column.to_pylist()


def _executemany(connection: Connection, table_name: str, data: pa.Table) -> None:
    columns = ", ".join(_quote(name) for name in data.column_names)
    marks = ", ".join("?" for _ in data.column_names)
    sql = f"INSERT INTO {_quote(table_name)} ({columns}) VALUES ({marks})"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for start in range(0, data.num_rows, SQLITE_BATCH_ROWS):
        chunk = data.slice(start, SQLITE_BATCH_ROWS)
        cursor.executemany(sql, zip(*(_sqlite_values(col) for col in chunk.columns), strict=True))


def read(connection: Connection, table: Table, district_id: str, *, active_only: bool = True) -> pa.Table:
    """One district's rows of ``table`` as Arrow, typed as the model says."""
    names = [column.name for column in table.columns]
    mark = "%s" if connection.dialect.name == "postgresql" else "?"
    where = f"WHERE district_id = {mark}"
    if active_only and "status" in names:
        where += " AND status = 'active'"
    select = f"SELECT {', '.join(_quote(n) for n in names)} FROM {_quote(table.name)} {where}"
    schema = pa.schema([pa.field(c.name, arrow_type(c.type)) for c in table.columns])
    if connection.dialect.name == "postgresql":
        return _read_postgres(connection, select, district_id, schema)
    cursor = connection.exec_driver_sql(select, (district_id,))
    # Chunks, each turned into Arrow at once: Python tuples of a whole large table would not fit.
    batches = []
    while rows := cursor.fetchmany(SQLITE_BATCH_ROWS):
        columns = list(zip(*rows, strict=True))
        batches.append(
            pa.RecordBatch.from_arrays(
                [_from_sqlite(values, field.type) for field, values in zip(schema, columns, strict=True)],
                schema=schema,
            )
        )
    return pa.Table.from_batches(batches, schema=schema)


def _from_sqlite(values: tuple, kind: pa.DataType) -> pa.Array:
    if pa.types.is_timestamp(kind):
        text = pc.utf8_slice_codeunits(pa.array(values, pa.string()), 0, 19)
        return pc.strptime(text, "%Y-%m-%d %H:%M:%S", "us", error_is_null=True).cast(kind)
    if pa.types.is_date(kind):
        return pa.array(values, pa.string()).cast(kind)
    if pa.types.is_boolean(kind):
        return pa.array(values, pa.int8()).cast(kind)
    return pa.array(values, kind)


def _read_postgres(connection: Connection, select: str, district_id: str, schema: pa.Schema) -> pa.Table:
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute("SET LOCAL TIME ZONE 'UTC'")
    buffer = io.BytesIO()
    with cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv, HEADER true)", (district_id,)) as copy:
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    options = pacsv.ConvertOptions(
        column_types=schema,
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        true_values=["t"],
        false_values=["f"],
    )
    return pacsv.read_csv(buffer, convert_options=options)
