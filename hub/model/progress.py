"""Progress monitoring between diagnostics: the points observed, and each placement's goal and signal.

Points come in from three kinds of source (the tutors' per-session mastery checks, the vendors' growth
checks between windows, a district's curriculum-based measures); the hub sets a goal and an aimline for
each placement and judges the points against it every night.

A mastery check is stored once, on its attendance row (``session_attendance.mastery_percent``, with the
session's ``subject`` and ``canonical_domain``): it was the night's second-largest write, the same facts a
second time. Every other point is stored in ``stored_progress_point``; the SQL view ``progress_point``
shows both, one row per point with every field, as connectors hand points in and the steps read them.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import SOURCE_ID, Base, TenantRow, ViewBase

STORED_POINTS = "stored_progress_point"
"""The table of the points not made from a session log's mastery checks."""


class PointFields(TenantRow):
    """One observed score of one student on one measure and day, as its source reported it.

    ``source_id`` is the source's own key for the observation (a repeat updates, never duplicates).
    ``measure`` names what was measured ("mastery_check", "iready_growth_monitoring", "orf_wcpm"); scores
    of different measures are never compared with one another.
    """

    person_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    subject: Mapped[str | None] = mapped_column(String(8))  # ela | math; null when the source cannot say
    canonical_domain: Mapped[str | None] = mapped_column(String(64))
    measure: Mapped[str] = mapped_column(String(64))
    observed_on: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    goal_score: Mapped[float | None] = mapped_column(Float)  # a goal the source set itself, if any
    source: Mapped[str] = mapped_column(String(32))  # session_log | iready | progress_csv | ...


class StoredProgressPoint(PointFields, Base):
    """A point as a connector or the progress step handed it in (never a session log's mastery check)."""

    __tablename__ = STORED_POINTS
    __table_args__ = (
        Index("ix_stored_progress_point_person", "district_id", "person_source_id", "observed_on"),
    )


CHECK_PREFIX = "mastery_check:"
"""The view's ``source_id`` of a mastery check: this prefix and its attendance's id. A stored point may not
begin so (``hub.warehouse.slots`` refuses it): the view would show two rows under one key."""


class ProgressPoint(PointFields, ViewBase):
    """Every point, as the view ``progress_point`` shows it: the stored points, and one per session
    attendance whose mastery check made one (``source_id`` = ``mastery_check:`` + the attendance's id)."""

    __tablename__ = "progress_point"
    __table_args__ = ({"info": {"shows": (STORED_POINTS, "session_attendance", "tutoring_session")}},)


class ProgressGoal(TenantRow, Base):
    """A placement's goal for its cycle, the aimline to it, and tonight's reading of the points against it.

    ``source_id`` = the membership's source_id. The aimline runs from (``baseline_date``,
    ``baseline_score``) to (``goal_date``, ``goal_score``); ``rate_of_improvement`` is the least-squares
    slope per week of the ``points`` observed since the baseline, and ``trend_at_goal`` that line's value
    on ``goal_date`` (where the trend would end); ``signal`` is the decision rule's verdict:
    on_track, adjust (points below the aimline), raise_goal (points above it) or too_few_points.
    """

    __tablename__ = "progress_goal"
    __table_args__ = (Index("ix_progress_goal_person", "district_id", "person_source_id"),)

    membership_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    group_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    person_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    subject: Mapped[str] = mapped_column(String(8))
    school_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    cycle_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    canonical_domain: Mapped[str | None] = mapped_column(String(64))
    measure: Mapped[str] = mapped_column(String(64))
    goal_basis: Mapped[str] = mapped_column(Text)  # why this goal: "Geometry to grade level (scale 480)"
    baseline_date: Mapped[date] = mapped_column(Date)
    baseline_score: Mapped[float] = mapped_column(Float)
    goal_date: Mapped[date] = mapped_column(Date)
    goal_score: Mapped[float] = mapped_column(Float)
    aimline_per_week: Mapped[float] = mapped_column(Float)
    points: Mapped[int] = mapped_column(Integer)
    latest_date: Mapped[date | None] = mapped_column(Date)
    latest_score: Mapped[float | None] = mapped_column(Float)
    rate_of_improvement: Mapped[float | None] = mapped_column(Float)  # per week; null below two points
    trend_at_goal: Mapped[float | None] = mapped_column(Float)  # the trend line on goal_date; null likewise
    signal: Mapped[str] = mapped_column(String(16))
    signal_reason: Mapped[str] = mapped_column(Text)
    signal_since: Mapped[date | None] = mapped_column(Date)  # the night the signal last changed
    evaluated_on: Mapped[date] = mapped_column(Date)
