"""Diagnostic results from every vendor, in one shape (see README, "One assessment model")."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import JSON_DOCUMENT, SOURCE_ID, Base, Stamped, TenantRow


class AssessmentResult(TenantRow, Stamped, Base):
    """One test one student took. ``source_id`` is stable across re-exports of the same test.

    ``person_source_id`` is null while the vendor's student id matches nobody on the roster; such rows are
    kept and matched again on every sync, so they load by themselves when the roster catches up.
    """

    __tablename__ = "assessment_result"
    __table_args__ = (
        Index("ix_assessment_result_person", "district_id", "person_source_id", "subject"),
        Index("ix_assessment_result_window", "district_id", "school_year", "window"),
    )

    vendor: Mapped[str] = mapped_column(String(32))  # iready | nwea_map | ...
    vendor_student_id: Mapped[str] = mapped_column(String(255))
    person_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    match_status: Mapped[str] = mapped_column(String(16))  # matched | unmatched | ambiguous
    subject: Mapped[str] = mapped_column(String(8))  # ela | math
    # The vendor's scale where a subject has several (MAP Course: Reading, Language Usage); else null.
    measure: Mapped[str | None] = mapped_column(String(64))
    school_year: Mapped[int] = mapped_column(Integer)  # the year the school year ends, as in OneRoster
    window: Mapped[str] = mapped_column(String(8))  # fall | winter | spring | summer
    test_date: Mapped[date | None] = mapped_column(Date)
    student_grade: Mapped[str | None] = mapped_column(String(8))  # CEDS code at test time
    vendor_school_id: Mapped[str | None] = mapped_column(String(255))
    scale_score: Mapped[float | None] = mapped_column(Float)
    standard_error: Mapped[float | None] = mapped_column(Float)
    percentile: Mapped[int | None] = mapped_column(Integer)
    placement: Mapped[str | None] = mapped_column(String(64))  # the vendor's own words
    grade_levels_below: Mapped[int | None] = mapped_column(Integer)  # 0 = on or above; 3 = three or more
    proficiency_band: Mapped[int | None] = mapped_column(Integer)  # 1 (lowest) .. 5, mapping per vendor
    lexile_or_quantile: Mapped[str | None] = mapped_column(String(32))
    typical_growth: Mapped[float | None] = mapped_column(Float)
    stretch_growth: Mapped[float | None] = mapped_column(Float)
    growth_to_date: Mapped[float | None] = mapped_column(Float)
    percent_progress_typical: Mapped[float | None] = mapped_column(Float)
    percent_progress_stretch: Mapped[float | None] = mapped_column(Float)
    conditional_growth_index: Mapped[float | None] = mapped_column(Float)
    conditional_growth_percentile: Mapped[int | None] = mapped_column(Integer)
    duration_minutes: Mapped[float | None] = mapped_column(Float)
    rapid_guessing_percent: Mapped[float | None] = mapped_column(Float)
    rushed: Mapped[bool] = mapped_column(Boolean, default=False)
    vendor_most_recent: Mapped[bool | None] = mapped_column(Boolean)  # i-Ready flag / MAP GrowthMeasureYN
    is_test_of_record: Mapped[bool] = mapped_column(Boolean, default=False)
    extras: Mapped[dict | None] = mapped_column(JSON_DOCUMENT)  # district-appended columns, kept verbatim


class SkillGap(TenantRow, Base):
    """A diagnosed gap: one student, subject, canonical domain and window. ``severity`` 1 (mild) .. 3.

    No index beside the primary key, which begins with the student (``person:subject:domain:year:window``):
    the table is rebuilt in bulk and read whole, and a person index cost on every insert (revision 0010).
    """

    __tablename__ = "skill_gap"

    person_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    subject: Mapped[str] = mapped_column(String(8))
    canonical_domain: Mapped[str] = mapped_column(String(64))
    school_year: Mapped[int] = mapped_column(Integer)
    window: Mapped[str] = mapped_column(String(8))
    severity: Mapped[int] = mapped_column(Integer)
    domain_score: Mapped[float | None] = mapped_column(Float)  # breaks ties between equally severe gaps
    evidence_result_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    evidence: Mapped[str] = mapped_column(Text)  # e.g. "i-Ready Phonics: 2 Grade Levels Below (scale 412)"


class LessonEvidence(TenantRow, Base):
    """Skills practised: lessons passed and not passed per student, subject, school year and domain.

    From i-Ready's Personalized Instruction by Lesson export; evidence beside the diagnostic, not a score.
    """

    __tablename__ = "lesson_evidence"
    __table_args__ = (Index("ix_lesson_evidence_person", "district_id", "person_source_id", "subject"),)

    vendor: Mapped[str] = mapped_column(String(32))
    vendor_student_id: Mapped[str] = mapped_column(String(255))
    person_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    match_status: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(8))
    school_year: Mapped[int] = mapped_column(Integer)
    vendor_domain: Mapped[str] = mapped_column(String(255))
    canonical_domain: Mapped[str | None] = mapped_column(String(64))
    lessons_passed: Mapped[int] = mapped_column(Integer)
    lessons_not_passed: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[float | None] = mapped_column(Float)
    first_lesson_date: Mapped[date | None] = mapped_column(Date)
    last_lesson_date: Mapped[date | None] = mapped_column(Date)
