"""The push ledger: what each destination target last received, and an append-only log of every decision.

A target is one rendering of one report in one destination of one district. ``push_target.content_hash`` is
the hash of the content the server last *confirmed*: a failed send never moves it, so the next run sends
again; an unchanged hash means no request at all. ``push_log`` is only ever inserted into.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import SOURCE_ID, Base

CONTENT_HASH = String(64)  # sha256, hex


class PushTarget(Base):
    """The last confirmed content of one target, and how the latest send went."""

    __tablename__ = "push_target"

    district_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    destination: Mapped[str] = mapped_column(String(64), primary_key=True)  # hub.yaml connector name
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)  # report kind: teacher, school, ...
    target: Mapped[str] = mapped_column(SOURCE_ID, primary_key=True)  # the report's address
    content_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_hash: Mapped[str | None] = mapped_column(CONTENT_HASH)  # null until a send succeeds
    last_outcome: Mapped[str] = mapped_column(String(16))  # created | updated | unchanged | failed
    last_pushed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # sends since the last success; 0 = in step


class PushLog(Base):
    """One decision about one target in one run: sent (and how it went) or left alone as unchanged."""

    __tablename__ = "push_log"
    __table_args__ = (Index("ix_push_log_target", "district_id", "destination", "target"),)

    log_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    district_id: Mapped[str] = mapped_column(String(64))
    destination: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(SOURCE_ID)
    content_type: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(CONTENT_HASH)
    outcome: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    error: Mapped[str | None] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer)  # n-th send since the last success; 0 = not sent
