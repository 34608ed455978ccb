"""Reads and writes of the push ledger (hub.model.push), one transaction per send or batch of sends.

Writing each target's row right after its send, rather than once at the end, bounds what a killed run can
lose to the one target in flight; PUT semantics make re-sending that one an update, not a duplicate. A
destination whose re-send is harmless (a file overwritten with the same bytes) sends a batch and records
it in one transaction: a killed run then re-sends at most that batch, and changes nothing by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, Update, bindparam, insert, select, update

from hub.connector import PushOutcome
from hub.model import PushLog, PushTarget


@dataclass(frozen=True, slots=True)
class Address:
    """One target in one destination: a rendering of a report kind for one target."""

    kind: str
    target: str
    content_type: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the ledger: a target left unchanged, or (``sent``) a send and how it went."""

    address: Address
    content_hash: str
    outcome: PushOutcome
    attempt: int = 0
    error: str | None = None
    sent: bool = False


@dataclass(frozen=True, slots=True)
class TargetState:
    content_hash: str | None  # last content the server confirmed; None if never
    attempts: int  # sends since the last success


class Ledger:
    def __init__(self, engine: Engine, district_id: str, destination: str) -> None:
        self.engine = engine
        self.district_id = district_id
        self.destination = destination

    def states(self) -> dict[Address, TargetState]:
        """Every target this destination of this district has been sent before."""
        query = select(
            PushTarget.kind,
            PushTarget.target,
            PushTarget.content_type,
            PushTarget.content_hash,
            PushTarget.attempts,
        ).where(PushTarget.district_id == self.district_id, PushTarget.destination == self.destination)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return {
            Address(r.kind, r.target, r.content_type): TargetState(r.content_hash, r.attempts) for r in rows
        }

    def record(self, entries: Sequence[Entry]) -> None:
        """Record sends and unchanged targets in one transaction, logged in the order given: each send's
        target row takes its outcome (and, unless it failed, its hash); every entry is logged."""
        if not entries:
            return
        now = datetime.now(UTC)
        with self.engine.begin() as connection:
            rows = [self._state(entry, now) for entry in entries if entry.sent]
            if rows:
                known = self._known(connection)
                fresh = [row for row in rows if _address_of(row) not in known]
                for failed in (False, True):  # a failure leaves the confirmed hash as it was
                    stored = [
                        {f"b_{name}": value for name, value in row.items()}
                        for row in rows
                        if _address_of(row) in known and ("content_hash" not in row) is failed
                    ]
                    if stored:
                        connection.execute(_UPDATE_KEEPING_HASH if failed else _UPDATE, stored)
                if fresh:  # one INSERT for many rows takes the same keys from each: a failure has no hash yet
                    connection.execute(insert(PushTarget), [{"content_hash": None, **row} for row in fresh])
            connection.execute(
                insert(PushLog),
                [self._log(e.address, e.content_hash, e.outcome, e.attempt, e.error, now) for e in entries],
            )

    def _known(self, connection: Connection) -> set[Address]:
        """The targets this destination of this district has a row for."""
        query = select(PushTarget.kind, PushTarget.target, PushTarget.content_type).where(
            PushTarget.district_id == self.district_id, PushTarget.destination == self.destination
        )
        return {Address(*row) for row in connection.execute(query)}

    def _state(self, entry: Entry, now: datetime) -> dict[str, object]:
        """The target row a send leaves: a success moves the confirmed hash, a failure counts an attempt."""
        failed = entry.outcome is PushOutcome.FAILED
        state: dict[str, object] = {
            "district_id": self.district_id,
            "destination": self.destination,
            "kind": entry.address.kind,
            "target": entry.address.target,
            "content_type": entry.address.content_type,
            "last_outcome": entry.outcome.value,
            "last_pushed_at": now,
            "attempts": entry.attempt if failed else 0,
        }
        if not failed:
            state["content_hash"] = entry.content_hash
        return state

    def _log(
        self,
        address: Address,
        content_hash: str,
        outcome: PushOutcome,
        attempt: int = 0,
        error: str | None = None,
        at: datetime | None = None,
    ) -> dict[str, object]:
        return {
            "district_id": self.district_id,
            "destination": self.destination,
            "kind": address.kind,
            "target": address.target,
            "content_type": address.content_type,
            "content_hash": content_hash,
            "outcome": outcome.value,
            "at": at or datetime.now(UTC),
            "error": error,
            "attempt": attempt,
        }


def _address_of(row: dict[str, object]) -> Address:
    return Address(str(row["kind"]), str(row["target"]), str(row["content_type"]))


def _update(columns: list[str]) -> Update:
    """An UPDATE of one target row by its key, run for many rows at once: every value is bound by its
    column's name prefixed ``b_`` (a bound name may not be a column's own in an UPDATE)."""
    table = PushTarget.__table__
    keys = ("district_id", "destination", "kind", "target", "content_type")
    return (
        update(table)
        .where(*(table.c[key] == bindparam(f"b_{key}") for key in keys))
        .values({column: bindparam(f"b_{column}") for column in columns})
    )


_UPDATE = _update(["content_hash", "last_outcome", "last_pushed_at", "attempts"])
_UPDATE_KEEPING_HASH = _update(["last_outcome", "last_pushed_at", "attempts"])
