"""Moving Arrow tables in and out of SQL in bulk: COPY on PostgreSQL; on SQLite, an ADBC-written scratch
file copied in by ``INSERT ... SELECT`` (hub.warehouse.sqlite_stage), or executemany for a few rows."""

from __future__ import annotations

import gc
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import ColumnElement, Connection, Select, Table, select

from hub.model.arrow import arrow_type
from hub.warehouse import child_reads, sqlite_stage

BATCH_ROWS = 50_000  # rows converted at a time: a large table is never copied whole on its way in
SCRATCH_MIN_ROWS = 2_000
"""Below this many rows executemany is cheaper on SQLite than a scratch file, whose creation and ATTACH
cost about 1 ms CPU: at 1,500 attendance rows 3.3 against 3.4 ms, at 3,000 6.0 against 5.4 ms."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load(connection: Connection, table_name: str, data: pa.Table, order: pa.Array | None = None) -> None:
    """Append ``data`` (columns named as the table's) to ``table_name`` in one bulk operation, in the row
    ``order`` given (indices into ``data``) or as it stands."""
    if data.num_rows == 0:
        return
    columns = ", ".join(_quote(name) for name in data.column_names)
    chunks = (
        data.slice(start, BATCH_ROWS) if order is None else data.take(order.slice(start, BATCH_ROWS))
        for start in range(0, data.num_rows, BATCH_ROWS)
    )
    target = f"{_quote(table_name)} ({columns})"
    if connection.dialect.name == "postgresql":
        _copy_postgres(connection, target, chunks)
        return
    _load_sqlite(connection, target, data, chunks)


def _load_sqlite(connection: Connection, target: str, data: pa.Table, chunks: Iterator[pa.Table]) -> None:
    """Through a scratch file, the columns that hold one value throughout written into the SQL instead."""
    dbapi_connection: Any = connection.connection.driver_connection
    if data.num_rows < SCRATCH_MIN_ROWS or not sqlite_stage.has_free_slot(dbapi_connection):
        _executemany(connection, target, chunks)
        return
    literals = dict(zip(data.column_names, (_sqlite_literal(column) for column in data.columns), strict=True))
    bound = [name for name, literal in literals.items() if literal is None]
    if not bound:
        _executemany(connection, target, chunks)
        return
    sqlite_stage.copy_in(
        dbapi_connection,
        connection.connection.info,
        target,
        ", ".join(literal or _quote(name) for name, literal in literals.items()),
        _stored_table(data.select(bound).slice(0, 0)).schema,
        (batch for chunk in chunks for batch in _stored_table(chunk.select(bound)).to_batches()),
    )


class BlockLoad:
    """A stage loaded a block at a time (a table handed in blocks), in bulk. On SQLite the blocks are
    written to one scratch file, and the file, attached, is the stage itself (``close``): the rows are
    written once on their way to their table, not copied into a temporary table first (1.3 s CPU of 1.8 M
    attendance rows). Elsewhere (PostgreSQL; SQLite with no file left to attach) each block is copied or
    bound into the temporary table that ``make_stage`` makes."""

    def __init__(self, connection: Connection, schema: pa.Schema, make_stage: Callable[[], str]) -> None:
        self._connection = connection
        dbapi_connection: Any = connection.connection.driver_connection
        scratch = connection.dialect.name == "sqlite" and sqlite_stage.has_free_slot(dbapi_connection)
        self._scratch = (
            sqlite_stage.ScratchRows(_stored_table(schema.empty_table()).schema) if scratch else None
        )
        self._stage = "" if scratch else make_stage()
        self._target = "" if scratch else f"{_quote(self._stage)} ({', '.join(map(_quote, schema.names))})"

    def add(self, data: pa.Table) -> None:
        chunks = (data.slice(start, BATCH_ROWS) for start in range(0, data.num_rows, BATCH_ROWS))
        if self._connection.dialect.name == "postgresql":
            _copy_postgres(self._connection, self._target, chunks)
        elif self._scratch is None:
            _executemany(self._connection, self._target, chunks)
        else:
            self._scratch.append(batch for chunk in chunks for batch in _stored_table(chunk).to_batches())

    def discard(self) -> None:
        """Let go of what was written, unread: the apply failed before ``close``."""
        if self._scratch is not None:
            self._scratch.discard()

    def close(self) -> str:
        """Every block written: the stage that holds them, a temporary table or (SQLite) the scratch
        file's ``schema.rows``, which goes with the transaction (``sqlite_stage.release``)."""
        if self._scratch is None:
            return self._stage
        dbapi_connection: Any = self._connection.connection.driver_connection
        return self._scratch.attach(dbapi_connection, self._connection.connection.info)


def _copy_postgres(connection: Connection, target: str, chunks: Iterator[pa.Table]) -> None:
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {target} FROM STDIN (FORMAT csv)") as copy:
        for chunk in chunks:
            buffer = io.BytesIO()
            pacsv.write_csv(chunk, buffer, pacsv.WriteOptions(include_header=False))
            copy.write(buffer.getbuffer())


def _stored(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Values in the form SQLAlchemy's SQLite types store and read back: timestamps as
    'YYYY-MM-DD HH:MM:SS.ffffff' text, dates as ISO text, booleans as 0 and 1."""
    kind = column.type
    if pa.types.is_timestamp(kind):  # the model's timestamps are microseconds: Arrow's %S prints them
        return pc.strftime(column, format="%Y-%m-%d %H:%M:%S")
    if pa.types.is_date(kind):
        return column.cast(pa.string())
    if pa.types.is_boolean(kind):
        return column.cast(pa.int8())
    return column


def _stored_table(data: pa.Table) -> pa.Table:
    return pa.table([_stored(column) for column in data.columns], names=data.column_names)


def _sqlite_values(column: pa.ChunkedArray) -> list:
    return _stored(column).to_pylist()


def _executemany(connection: Connection, target: str, chunks: Iterator[pa.Table]) -> None:
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for chunk in chunks:
        literals = [_sqlite_literal(column) for column in chunk.columns]
        values = ", ".join("?" if literal is None else literal for literal in literals)
        bound = [
            _sqlite_values(column)
            for column, literal in zip(chunk.columns, literals, strict=True)
            if literal is None
        ]
        rows = zip(*bound, strict=True) if bound else [()] * chunk.num_rows
        cursor.executemany(f"INSERT INTO {target} VALUES ({values})", rows)


def _sqlite_literal(column: pa.ChunkedArray) -> str | None:
    """SQL text for a column that holds one value throughout (the district, a status, all null), else None.

    Such a column is written into the statement once instead of being bound on every row (binding is
    most of what an executemany costs) or written to every row of a scratch file. Found by comparing
    with the first value, not by counting distinct ones: hashing 1.9 M unique keys took 1.2 s CPU.
    """
    if column.null_count == len(column):
        return "NULL"
    if column.null_count or not pc.all(pc.equal(column, column[0])).as_py():
        return None
    [value] = _sqlite_values(column.slice(0, 1))
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return None  # a float's text form may not round-trip exactly; bind it


def read(
    connection: Connection,
    table: Table,
    district_id: str,
    *,
    active_only: bool = True,
    columns: Sequence[str] | None = None,
    where: ColumnElement[bool] | None = None,
) -> pa.Table:
    """One district's rows of ``table`` as Arrow, typed as the model says.

    ``columns`` and ``where`` narrow the read in SQL: a step that needs five columns of ten million rows,
    or the few rows in some state, should not carry the rest through Python.
    """
    query = select(*(table.c[name] for name in columns) if columns else table.c).where(
        table.c.district_id == district_id
    )
    if active_only and "status" in table.c:
        query = query.where(table.c.status == "active")
    if where is not None:
        query = query.where(where)
    return read_query(connection, query)


def read_query(connection: Connection, query: Select) -> pa.Table:
    """The rows of a Core ``select`` as Arrow, each column typed by its SQL type."""
    schema = pa.schema([pa.field(column.name, arrow_type(column.type)) for column in query.selected_columns])
    if connection.dialect.name == "postgresql":
        compiled = query.compile(connection, compile_kwargs={"render_postcompile": True})
        return _read_postgres(connection, str(compiled), compiled.params, schema)
    statement = str(query.compile(connection, compile_kwargs={"literal_binds": True}))
    path = child_reads.database_file(connection.engine)
    if path and child_reads.running_reader(path):
        read = _through_reader(path, statement, schema)
        if read is not None:
            return read
    # The driver's own cursor: SQLAlchemy's row processing costs more than the fetch itself here.
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(statement)
    # Chunks, each turned into Arrow at once: Python tuples of a whole large table would not fit.
    batches = []
    with _no_cycle_collection():
        while rows := cursor.fetchmany(BATCH_ROWS):
            if path and not batches and len(rows) == BATCH_ROWS:  # a large read: the reader process's
                cursor.close()
                read = _through_reader(path, statement, schema)
                if read is not None:
                    return read
                cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
                rows = cursor.execute(statement).fetchmany(BATCH_ROWS)
            values = list(zip(*rows, strict=True))
            batches.append(
                pa.RecordBatch.from_arrays(
                    [_from_sqlite(column, field.type) for field, column in zip(schema, values, strict=True)],
                    schema=schema,
                )
            )
    return pa.Table.from_batches(batches, schema=schema)


def _through_reader(path: str, statement: str, schema: pa.Schema) -> pa.Table | None:
    """The rows as the warehouse's reader process reads them, typed as the model says (as ``_from_sqlite``
    types the driver's values); None where no reader answers."""
    read = child_reads.read_large(path, statement, schema)
    if read is None:
        return None
    columns = [_typed(column, field.type) for column, field in zip(read.columns, schema, strict=True)]
    return pa.table(columns, schema=schema)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cyclic collector held off: fetched rows are tuples of plain values, never a cycle, yet a batch of
    them alive sets off collection after collection that walks them all again (a third of a large read)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _from_sqlite(values: tuple, kind: pa.DataType) -> pa.Array:
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return _typed(pa.array(values, pa.string()), kind)
    if pa.types.is_boolean(kind):
        return pa.array(values, pa.int8()).cast(kind)
    return pa.array(values, kind)


def _typed(stored: pa.Array | pa.ChunkedArray, kind: pa.DataType) -> pa.Array | pa.ChunkedArray:
    """Values as SQLite stores them (timestamps and dates as ISO text, booleans as integers) as ``kind``."""
    if pa.types.is_timestamp(kind):
        text = pc.utf8_slice_codeunits(stored, 0, 19)
        return pc.strptime(text, "%Y-%m-%d %H:%M:%S", "us", error_is_null=True).cast(kind)
    return stored if stored.type == kind else stored.cast(kind)


def _read_postgres(
    connection: Connection, statement: str, params: Mapping[str, Any], schema: pa.Schema
) -> pa.Table:
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute("SET LOCAL TIME ZONE 'UTC'")
    buffer = io.BytesIO()
    with cursor.copy(f"COPY ({statement}) TO STDOUT (FORMAT csv, HEADER true)", params) as copy:
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
