"""Each step's own record per district (``step_state``): read, and updated field by field.

A step writes its row in the same transaction as the rows it derives, so that what it says it did and what
is stored never disagree after a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from hub.model import StepState


@dataclass(frozen=True, slots=True)
class StepRecord:
    """What a step of the night last did for one district; empty before it first ran."""

    policy_key: str | None = None
    """the settings the step's derived rows were made under, as one string"""
    through_run: int | None = None
    """the sync run of the step's own last write: changes committed after it are news to the step"""
    fingerprints: dict[str, str] = field(default_factory=dict)
    """per table it writes, the fingerprint of what it last wrote (an unchanged rebuild writes nothing)"""
    summary: dict[str, Any] = field(default_factory=dict)
    """what the step keeps of its outcome (a settled summary, the last boundary decided)"""
    checks: dict[str, bool] = field(default_factory=dict)
    """its blocking checks, as they last came out"""
    ran_at: datetime | None = None


def load_step(connection: Connection, district_id: str, step: str) -> StepRecord:
    row = connection.execute(
        select(
            StepState.policy_key,
            StepState.through_run,
            StepState.fingerprints,
            StepState.summary,
            StepState.checks,
            StepState.ran_at,
        ).where(StepState.district_id == district_id, StepState.step == step)
    ).first()
    if row is None:
        return StepRecord()
    return StepRecord(
        row.policy_key,
        row.through_run,
        dict(row.fingerprints),
        dict(row.summary),
        dict(row.checks),
        row.ran_at,
    )


def save_step(connection: Connection, district_id: str, step: str, **changes: Any) -> None:
    """Set the given fields of the step's row (``StepRecord``'s names), creating it if need be."""
    where = (StepState.district_id == district_id, StepState.step == step)
    exists = connection.execute(select(StepState.step).where(*where)).first() is not None
    values = {**changes, "ran_at": func.now()}
    if exists:
        connection.execute(update(StepState).where(*where).values(**values))
    else:
        empty = {"fingerprints": {}, "summary": {}, "checks": {}}
        connection.execute(
            insert(StepState).values(district_id=district_id, step=step, **{**empty, **values})
        )
