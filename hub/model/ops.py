"""The hub's own bookkeeping: what each sync did, what it rejected, where each connector left off, and what
each step of the night last did."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import JSON_DOCUMENT, Base


class SyncRun(Base):
    """One apply of one connector's batch to one district: committed, refused or failed."""

    __tablename__ = "sync_run"

    run_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    district_id: Mapped[str] = mapped_column(String(64), index=True)
    connector: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(16))  # committed | refused | failed
    counts: Mapped[dict] = mapped_column(JSON_DOCUMENT, default=dict)  # table -> {inserted, updated, ...}
    message: Mapped[str | None] = mapped_column(Text)


class SyncReject(Base):
    """A row a connector could not load, kept so the people who fix exports can see it."""

    __tablename__ = "sync_reject"
    __table_args__ = (Index("ix_sync_reject_run", "run_id"),)

    reject_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_run.run_id"))
    district_id: Mapped[str] = mapped_column(String(64))
    file: Mapped[str] = mapped_column(String(255))
    line: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(255))
    value: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))  # reject | warning


class ConnectorState(Base):
    """A connector's incremental cursor and the fingerprints of what it last applied, per district."""

    __tablename__ = "connector_state"

    district_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    connector: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[dict] = mapped_column(JSON_DOCUMENT, default=dict)
    fingerprints: Mapped[dict] = mapped_column(JSON_DOCUMENT, default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class StepState(Base):
    """What a step of the night last did for a district: enough to know when it has nothing to redo.

    A step deriving rows (tests of record, skill gaps, tiers, groups) keeps the policy it ran under and the
    sync run of its own last write: inputs changed by a later committed run mean the work is due again.
    ``checks`` are the step's blocking checks as they last came out (the push is held while one failed).
    """

    __tablename__ = "step_state"

    district_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    step: Mapped[str] = mapped_column(String(64), primary_key=True)
    policy_key: Mapped[str | None] = mapped_column(Text)
    through_run: Mapped[int | None] = mapped_column(Integer)
    fingerprints: Mapped[dict] = mapped_column(JSON_DOCUMENT, default=dict)
    summary: Mapped[dict] = mapped_column(JSON_DOCUMENT, default=dict)
    checks: Mapped[dict] = mapped_column(JSON_DOCUMENT, default=dict)
    ran_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
