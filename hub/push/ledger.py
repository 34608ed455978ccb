"""Reads and writes of the push ledger (hub.model.push), one small transaction per target.

Writing each target's row right after its send, rather than once at the end, bounds what a killed run can
lose to the one target in flight; PUT semantics make re-sending that one an update, not a duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from hub.connector import PushOutcome
from hub.model import PushLog, PushTarget


@dataclass(frozen=True, slots=True)
class Address:
    """One target in one destination: a rendering of a report kind for one target."""

    kind: str
    target: str
    content_type: str


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

    def unchanged(self, targets: Sequence[tuple[Address, str]]) -> None:
        """Log that each target already holds its content (address, hash); no request was made, so one
        insert logs them all (a district's night leaves thousands of reports unchanged)."""
        if not targets:
            return
        now = datetime.now(UTC)
        rows = [self._log(address, digest, PushOutcome.UNCHANGED, at=now) for address, digest in targets]
        with self.engine.begin() as connection:
            connection.execute(insert(PushLog), rows)

    def sent(
        self,
        address: Address,
        content_hash: str,
        outcome: PushOutcome,
        attempt: int,
        error: str | None = None,
    ) -> None:
        """Record one send: a success moves the confirmed hash, a failure leaves it for the next run."""
        now = datetime.now(UTC)
        failed = outcome is PushOutcome.FAILED
        state = {"last_outcome": outcome.value, "last_pushed_at": now, "attempts": attempt if failed else 0}
        if not failed:
            state["content_hash"] = content_hash
        key = (
            PushTarget.district_id == self.district_id,
            PushTarget.destination == self.destination,
            PushTarget.kind == address.kind,
            PushTarget.target == address.target,
            PushTarget.content_type == address.content_type,
        )
        with self.engine.begin() as connection:
            if connection.execute(update(PushTarget).where(*key).values(**state)).rowcount == 0:
                connection.execute(
                    insert(PushTarget).values(
                        district_id=self.district_id,
                        destination=self.destination,
                        kind=address.kind,
                        target=address.target,
                        content_type=address.content_type,
                        **state,
                    )
                )
            connection.execute(
                insert(PushLog).values(self._log(address, content_hash, outcome, attempt, error, now))
            )

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
