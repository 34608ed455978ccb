"""Tutoring decisions and delivery: tiers, groups, memberships, cycles, sessions and attendance."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import SOURCE_ID, Base, TenantRow


class TierAssignment(TenantRow, Base):
    """MTSS tier of one student in one subject and window. ``source_id`` = person:subject:year:window."""

    __tablename__ = "tier_assignment"
    __table_args__ = (Index("ix_tier_assignment_window", "district_id", "school_year", "window", "subject"),)

    person_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    school_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    grade: Mapped[str | None] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(8))
    school_year: Mapped[int] = mapped_column(Integer)
    window: Mapped[str] = mapped_column(String(8))
    tier: Mapped[int] = mapped_column(Integer)  # 1, 2, 3
    result_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    basis: Mapped[str] = mapped_column(Text)  # why: "i-Ready Math: 2 Grade Levels Below (scale 431)"


class TutorProfile(TenantRow, Base):
    """A tutor's capacity and subjects (``source_id`` is the tutor's person source_id)."""

    __tablename__ = "tutor_profile"

    subjects: Mapped[str] = mapped_column(String(64))  # comma-joined: "ela,math"
    max_groups: Mapped[int] = mapped_column(Integer)
    school_source_ids: Mapped[str | None] = mapped_column(Text)  # comma-joined; null = any school


class Cycle(TenantRow, Base):
    """A 6-8 week progress-monitoring window; entry and exit decisions are made at its boundaries."""

    __tablename__ = "cycle"

    school_year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the school year
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)


class TutoringGroup(TenantRow, Base):
    """At most a handful of students with one shared primary skill gap and one steady tutor."""

    __tablename__ = "tutoring_group"

    school_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    subject: Mapped[str] = mapped_column(String(8))
    canonical_domain: Mapped[str] = mapped_column(String(64))
    grades: Mapped[str] = mapped_column(String(32))  # comma-joined CEDS codes
    tutor_person_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    cycle_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    formed_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)  # set when its last student has exited


class GroupMembership(TenantRow, Base):
    """A student's time in a group: entry date and evidence, exit date and reason (history is kept)."""

    __tablename__ = "group_membership"
    __table_args__ = (
        Index("ix_group_membership_group", "district_id", "group_source_id"),
        Index("ix_group_membership_person", "district_id", "person_source_id"),
    )

    group_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    person_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    subject: Mapped[str] = mapped_column(String(8))
    entry_date: Mapped[date] = mapped_column(Date)
    entry_result_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    entry_evidence: Mapped[str] = mapped_column(Text)
    exit_date: Mapped[date | None] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(Text)
    # the first day of this stretch of tutoring in the subject: a move to another group keeps it
    tutored_since: Mapped[date | None] = mapped_column(Date)
    # the test an exit was judged on: re-entry waits for a different one
    exit_result_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)


class TutoringReview(TenantRow, Base):
    """A boundary's review of a student who served the review limit without meeting an exit criterion.

    ``source_id`` = membership source_id + ":" + review date. The evidence people weigh sits beside the
    recommended ``action`` (continue, intensify, change_focus, refer) and what the hub did (``outcome``:
    stays or exited, by the district's ``review_action``).
    """

    __tablename__ = "tutoring_review"
    __table_args__ = (Index("ix_tutoring_review_person", "district_id", "person_source_id"),)

    membership_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    group_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    person_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    subject: Mapped[str] = mapped_column(String(8))
    school_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    cycle_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    review_date: Mapped[date] = mapped_column(Date)
    tutored_since: Mapped[date] = mapped_column(Date)
    cycles_served: Mapped[int] = mapped_column(Integer)
    canonical_domain: Mapped[str | None] = mapped_column(String(64))
    baseline_result_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    baseline_score: Mapped[float | None] = mapped_column(Float)
    latest_result_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    latest_score: Mapped[float | None] = mapped_column(Float)
    latest_test: Mapped[str | None] = mapped_column(String(64))  # "i-Ready 2025-26 winter"
    percent_progress_typical: Mapped[float | None] = mapped_column(Float)
    sessions_scheduled: Mapped[int] = mapped_column(Integer)
    sessions_attended: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # continue | intensify | change_focus | refer
    reason: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))  # stays | exited


class UnplacedEntrant(TenantRow, Base):
    """A student who met the entry criteria at a boundary and was not placed, with the reason.

    ``source_id`` = person:subject:boundary date. ``reason_code``: no_tutor_capacity, awaiting_new_test.
    """

    __tablename__ = "unplaced_entrant"

    person_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    subject: Mapped[str] = mapped_column(String(8))
    school_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    grade: Mapped[str | None] = mapped_column(String(8))
    canonical_domain: Mapped[str] = mapped_column(String(64))
    boundary_date: Mapped[date] = mapped_column(Date)
    reason_code: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)


class TutoringSession(TenantRow, Base):
    """One session as the tutor logged it (``source_id`` is the log's session id: a repeat updates)."""

    __tablename__ = "tutoring_session"
    __table_args__ = (Index("ix_tutoring_session_group", "district_id", "group_source_id", "session_date"),)

    session_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[str | None] = mapped_column(String(8))  # HH:MM, local to the district
    minutes: Mapped[int] = mapped_column(Integer)
    tutor_person_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    group_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    skills_covered: Mapped[str | None] = mapped_column(Text)  # comma-joined canonical domains
    standards: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    # what a mastery check at the session is on (see connectors.session_log.mastery): the subject every
    # covered skill shares, and the skill when it covered exactly one
    subject: Mapped[str | None] = mapped_column(String(8))
    canonical_domain: Mapped[str | None] = mapped_column(String(64))


class SessionAttendance(TenantRow, Base):
    """One student at one session. ``source_id`` = session id + ":" + person source_id.

    ``mastery_percent`` is the progress point the check made (percent correct), null when it made none (no
    check, one that does not read, a student not there); the view ``progress_point`` shows it as a point.
    """

    __tablename__ = "session_attendance"
    __table_args__ = (
        Index("ix_session_attendance_session", "district_id", "session_source_id"),
        Index("ix_session_attendance_person", "district_id", "person_source_id"),
    )

    session_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    person_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    attendance: Mapped[str] = mapped_column(String(16))  # present | absent | excused | tardy
    minutes_present: Mapped[int] = mapped_column(Integer)
    mastery_check: Mapped[str | None] = mapped_column(String(64))
    mastery_percent: Mapped[float | None] = mapped_column(Float)
