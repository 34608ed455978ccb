"""The warehouse: one SQL database (SQLite embedded, PostgreSQL in production) holding the shared model.

``Warehouse.apply`` is the only way a sync writes roster or result rows: one transaction per district and
connector, so a night's data lands completely or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlalchemy import ColumnElement, Connection, Engine, Select, and_, func, insert, select, text, update

from hub.connector import Issue, NormalizedBatch
from hub.model import ConnectorState, District, SyncRun, sql_table, stored_tables
from hub.warehouse import bulk, child_reads
from hub.warehouse.apply import ApplyResult, apply_batch
from hub.warehouse.engine import create_warehouse_engine, migrate
from hub.warehouse.guard import DeletionGuardError, PlannedDeletion
from hub.warehouse.statements import TableChange, WarehouseError
from hub.warehouse.statistics import refresh_statistics
from hub.warehouse.steps import StepRecord, load_step, save_step

__all__ = [
    "ApplyResult",
    "DeletionGuardError",
    "PlannedDeletion",
    "StepRecord",
    "SyncSummary",
    "TableChange",
    "Warehouse",
    "WarehouseError",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SyncSummary:
    run_id: int
    result: ApplyResult


class Warehouse:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_warehouse_engine(url)
        migrate(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()
        if path := child_reads.database_file(self.engine):
            child_reads.close(path)

    def register_district(self, district_id: str, name: str, timezone: str) -> None:
        """Add the district, or bring its name and zone up to date. One statement: the first steps of a
        new district's night start at once on several workers, and a look-then-insert lets two insert."""
        with self.engine.begin() as connection:
            connection.execute(
                text(
                    f"INSERT INTO {District.__tablename__} (district_id, name, timezone) "
                    "VALUES (:district, :name, :zone) ON CONFLICT (district_id) "
                    "DO UPDATE SET name = excluded.name, timezone = excluded.timezone"
                ),
                {"district": district_id, "name": name, "zone": timezone},
            )

    def apply(
        self,
        district_id: str,
        connector: str,
        batch: NormalizedBatch,
        *,
        state: Mapping[str, Any] | None = None,
        max_delete_fraction: float = 0.10,
        allow_deletions: bool = False,
        extra_issues: Iterable[Issue] = (),
        inputs: Mapping[str, Any] | None = None,
    ) -> SyncSummary:
        """Apply a connector's ``batch`` atomically, keeping its ``state`` (its cursor) with the rows;
        refused or failed runs are recorded, then the error is re-raised.

        ``inputs`` (what the batch was read from: file hashes, settings) is recorded in the same commit, so
        that a later night can skip the same inputs only once they have really been applied; an apply
        without ``inputs`` forgets the last ones.
        """

        def applied(connection: Connection) -> dict[str, str]:
            previous = _load_state(connection, district_id, connector)
            return previous.fingerprints if previous else {}

        def keep(connection: Connection, result: ApplyResult, run_id: int) -> None:
            _save_state(
                connection,
                district_id,
                connector,
                dict(state or {}),
                result.fingerprints,
                dict(inputs or {}),
            )

        return self._apply(
            district_id,
            connector,
            batch,
            applied,
            keep,
            max_delete_fraction=max_delete_fraction,
            allow_deletions=allow_deletions,
            issues=[*extra_issues, *batch.issues],
        )

    def apply_step(
        self,
        district_id: str,
        step: str,
        batch: NormalizedBatch,
        *,
        policy_key: str | None = None,
        summary: Mapping[str, Any] | None = None,
    ) -> SyncSummary:
        """Apply rows a step of the night derived, recording in its ``step_state`` row the run, the policy
        and ``summary`` in the same transaction. Removals are the point of a rebuild, never guarded."""

        def applied(connection: Connection) -> dict[str, str]:
            return load_step(connection, district_id, step).fingerprints

        def keep(connection: Connection, result: ApplyResult, run_id: int) -> None:
            fingerprints = {**applied(connection), **result.fingerprints}  # a step may write in parts
            changes: dict[str, Any] = {"through_run": run_id, "fingerprints": fingerprints}
            if policy_key is not None:
                changes["policy_key"] = policy_key
            if summary is not None:
                changes["summary"] = dict(summary)
            save_step(connection, district_id, step, **changes)

        return self._apply(
            district_id, step, batch, applied, keep, max_delete_fraction=1.0, issues=list(batch.issues)
        )

    def _apply(
        self,
        district_id: str,
        writer: str,
        batch: NormalizedBatch,
        applied: Callable[[Connection], dict[str, str]],
        keep: Callable[[Connection, ApplyResult, int], None],
        *,
        max_delete_fraction: float,
        allow_deletions: bool = False,
        issues: list[Issue],
    ) -> SyncSummary:
        try:
            with self.engine.begin() as connection:
                run_id = _open_run(connection, district_id, writer)  # the stamp of every row written
                result = apply_batch(
                    connection,
                    district_id,
                    batch,
                    applied(connection),
                    run_id,
                    max_delete_fraction=max_delete_fraction,
                    allow_deletions=allow_deletions,
                )
                issues += result.issues
                _close_run(connection, district_id, run_id, "committed", result, None, issues)
                keep(connection, result, run_id)
        except DeletionGuardError as error:
            self._record_failure(district_id, writer, "refused", str(error), issues)
            raise
        except Exception as error:
            self._record_failure(district_id, writer, "failed", f"{type(error).__name__}: {error}", issues)
            raise
        log.info("district %s: %s applied (run %s)", district_id, writer, run_id)
        refresh_statistics(self.engine, result.changes)
        return SyncSummary(run_id, result)

    def _record_failure(
        self, district_id: str, connector: str, outcome: str, message: str, issues: list[Issue]
    ) -> None:
        with self.engine.begin() as connection:
            run_id = _open_run(connection, district_id, connector)
            _close_run(connection, district_id, run_id, outcome, None, message, issues)

    def read(
        self,
        table: str,
        district_id: str,
        *,
        active_only: bool = True,
        columns: Sequence[str] | None = None,
        where: ColumnElement[bool] | None = None,
    ) -> pa.Table:
        """One district's rows of ``table``; ``columns`` and ``where`` narrow the read in SQL."""
        with self.engine.connect() as connection:
            return bulk.read(
                connection,
                sql_table(table),
                district_id,
                active_only=active_only,
                columns=columns,
                where=where,
            )

    def query(self, query: Select) -> pa.Table:
        """The rows of a Core ``select`` (which must name its district) as Arrow."""
        with self.engine.connect() as connection:
            return bulk.read_query(connection, query)

    def step_record(self, district_id: str, step: str) -> StepRecord:
        """What ``step`` last did for the district (empty before it first ran)."""
        with self.engine.connect() as connection:
            return load_step(connection, district_id, step)

    def record_step(self, district_id: str, step: str, **changes: Any) -> None:
        """Set fields of the step's record without writing rows (its checks, a summary)."""
        with self.engine.begin() as connection:
            save_step(connection, district_id, step, **changes)

    def changed_after(self, district_id: str, run_id: int, tables: Collection[str]) -> bool:
        """Whether a committed sync after ``run_id`` changed any of ``tables``: what a step deriving rows
        from those tables asks (with its own last write's run) before redoing them. A view among
        ``tables`` stands for the tables it shows."""
        stored = stored_tables(tables)
        committed = and_(SyncRun.district_id == district_id, SyncRun.outcome == "committed")
        with self.engine.connect() as connection:
            later = connection.execute(select(SyncRun.counts).where(committed, SyncRun.run_id > run_id))
            return any(
                sum(counts[table].get(kind, 0) for kind in ("inserted", "updated", "deleted")) > 0
                for (counts,) in later
                for table in stored
                if table in counts
            )

    def last_committed_run(self, district_id: str, writer: str | None = None) -> int:
        """The district's newest committed sync run, or ``writer``'s (0 before any): a mark to ask
        ``changed_after`` from."""
        committed = and_(SyncRun.district_id == district_id, SyncRun.outcome == "committed")
        if writer is not None:
            committed = and_(committed, SyncRun.connector == writer)
        with self.engine.connect() as connection:
            return connection.execute(select(func.max(SyncRun.run_id)).where(committed)).scalar_one() or 0

    def connector_state(self, district_id: str, connector: str) -> dict[str, Any]:
        with self.engine.connect() as connection:
            row = _load_state(connection, district_id, connector)
            return dict(row.state) if row else {}

    def applied_inputs(self, district_id: str, connector: str) -> dict[str, Any]:
        """The ``inputs`` recorded with ``connector``'s last committed apply ({} if none)."""
        with self.engine.connect() as connection:
            row = _load_state(connection, district_id, connector)
            return dict(row.inputs or {}) if row else {}

    def count(self, table: str, district_id: str, *, active_only: bool = True) -> int:
        model = sql_table(table)
        query = select(func.count()).select_from(model).where(model.c.district_id == district_id)
        if active_only and "status" in model.c:
            query = query.where(model.c.status == "active")
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one()


def _load_state(connection: Connection, district_id: str, connector: str) -> Any:
    return connection.execute(
        select(ConnectorState.state, ConnectorState.fingerprints, ConnectorState.inputs).where(
            ConnectorState.district_id == district_id, ConnectorState.connector == connector
        )
    ).first()


def _save_state(
    connection: Connection,
    district_id: str,
    connector: str,
    state: dict[str, Any],
    fingerprints: dict[str, str],
    inputs: dict[str, Any],
) -> None:
    values = {"state": state, "fingerprints": fingerprints, "inputs": inputs}
    exists = _load_state(connection, district_id, connector) is not None
    if exists:
        connection.execute(
            update(ConnectorState)
            .where(ConnectorState.district_id == district_id, ConnectorState.connector == connector)
            .values(**values)
        )
    else:
        connection.execute(
            insert(ConnectorState).values(district_id=district_id, connector=connector, **values)
        )


def _open_run(connection: Connection, district_id: str, writer: str) -> int:
    """The run's row, taken when its apply starts: its id stamps the rows the apply writes
    (``hub.model.base.Stamped``). Inside the apply's transaction, so a run that fails leaves no row of it."""
    return connection.execute(
        insert(SyncRun)
        .values(district_id=district_id, connector=writer, outcome="applying", counts={})
        .returning(SyncRun.run_id)
    ).scalar_one()


def _close_run(
    connection: Connection,
    district_id: str,
    run_id: int,
    outcome: str,
    result: ApplyResult | None,
    message: str | None,
    issues: list[Issue],
) -> None:
    counts = {name: change.as_dict() for name, change in result.changes.items()} if result else {}
    connection.execute(
        update(SyncRun)
        .where(SyncRun.run_id == run_id)
        .values(outcome=outcome, counts=counts, message=message, finished_at=func.now())
    )
    if issues:
        rejects = pa.table(
            {
                "run_id": pa.array([run_id] * len(issues), pa.int64()),
                "district_id": pa.array([district_id] * len(issues), pa.string()),
                "file": pa.array([i.file for i in issues], pa.string()),
                "line": pa.array([i.line for i in issues], pa.int64()),
                "column": pa.array([i.column for i in issues], pa.string()),
                "value": pa.array([_kept(i.value) for i in issues], pa.string()),
                "kind": pa.array([i.kind for i in issues], pa.string()),
                "reason": pa.array([i.reason for i in issues], pa.string()),
                "severity": pa.array([i.severity for i in issues], pa.string()),
            }
        )
        bulk.load(connection, "sync_reject", rejects)


REJECT_VALUE_CHARS = 1_000
"""A rejected value is kept for the person who fixes the export, cut past this many characters: a 10 MB
cell or a whole broken row would otherwise be stored whole, once per night."""


def _kept(value: str | None) -> str | None:
    if value is None or len(value) <= REJECT_VALUE_CHARS:
        return value
    return f"{value[:REJECT_VALUE_CHARS]}… (cut; {len(value):,} characters in all)"
