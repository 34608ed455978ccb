"""Roster entities, after OneRoster's, under the hub's names (a OneRoster *class* is a ``section``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import SOURCE_ID, Base, TenantRow


class District(Base):
    """A tenant, as configured in hub.yaml (not a roster row)."""

    __tablename__ = "district"

    district_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64))


class School(TenantRow, Base):
    """An org: school, or the district/department orgs a roster carries (``org_type`` says which)."""

    __tablename__ = "school"

    name: Mapped[str] = mapped_column(String(255))
    org_type: Mapped[str] = mapped_column(String(32))
    identifier: Mapped[str | None] = mapped_column(String(255))
    parent_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)


class AcademicSession(TenantRow, Base):
    __tablename__ = "academic_session"

    title: Mapped[str] = mapped_column(String(255))
    session_type: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    parent_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    school_year: Mapped[str | None] = mapped_column(String(4))


class Course(TenantRow, Base):
    __tablename__ = "course"

    title: Mapped[str] = mapped_column(String(255))
    course_code: Mapped[str | None] = mapped_column(String(255))
    school_year_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    org_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    grades: Mapped[str | None] = mapped_column(String(255))  # comma-joined CEDS codes
    subjects: Mapped[str | None] = mapped_column(Text)
    subject_codes: Mapped[str | None] = mapped_column(Text)


class Section(TenantRow, Base):
    """A class as scheduled: one teacher's period of a course (OneRoster ``class``)."""

    __tablename__ = "section"

    title: Mapped[str] = mapped_column(String(255))
    class_code: Mapped[str | None] = mapped_column(String(255))
    class_type: Mapped[str | None] = mapped_column(String(32))
    course_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    school_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    term_source_ids: Mapped[str | None] = mapped_column(Text)  # comma-joined
    grades: Mapped[str | None] = mapped_column(String(255))
    subjects: Mapped[str | None] = mapped_column(Text)
    subject_codes: Mapped[str | None] = mapped_column(Text)
    periods: Mapped[str | None] = mapped_column(String(255))
    location: Mapped[str | None] = mapped_column(String(255))


class Person(TenantRow, Base):
    """Anyone on the roster. ``role`` is the primary role: student, teacher, tutor, administrator, aide..."""

    __tablename__ = "person"
    __table_args__ = (Index("ix_person_district_role", "district_id", "role"),)

    role: Mapped[str] = mapped_column(String(32))
    username: Mapped[str | None] = mapped_column(String(255))
    given_name: Mapped[str | None] = mapped_column(String(255))
    family_name: Mapped[str | None] = mapped_column(String(255))
    middle_name: Mapped[str | None] = mapped_column(String(255))
    preferred_given_name: Mapped[str | None] = mapped_column(String(255))
    identifier: Mapped[str | None] = mapped_column(String(255))  # the SIS's own id (often the LASID)
    email: Mapped[str | None] = mapped_column(String(255))
    grade: Mapped[str | None] = mapped_column(String(8))  # first CEDS grade code for students
    primary_school_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    enabled: Mapped[bool | None] = mapped_column(Boolean)


class PersonRole(TenantRow, Base):
    """A person's role at an org (OneRoster 1.2 roles.csv; 1.1 users.orgSourcedIds + role).

    ``source_id`` is ``<person>:<org>:<role>`` when the source has no id of its own for the pairing.
    """

    __tablename__ = "person_role"
    __table_args__ = (Index("ix_person_role_person", "district_id", "person_source_id"),)

    person_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    org_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    role: Mapped[str] = mapped_column(String(32))
    role_type: Mapped[str] = mapped_column(String(16))  # primary | secondary


class Enrollment(TenantRow, Base):
    __tablename__ = "enrollment"
    __table_args__ = (
        Index("ix_enrollment_section", "district_id", "section_source_id"),
        Index("ix_enrollment_person", "district_id", "person_source_id"),
    )

    section_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    school_source_id: Mapped[str | None] = mapped_column(SOURCE_ID)
    person_source_id: Mapped[str] = mapped_column(SOURCE_ID)
    role: Mapped[str] = mapped_column(String(32))
    is_primary: Mapped[bool | None] = mapped_column(Boolean)
    begin_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class Demographics(TenantRow, Base):
    """One row per person (``source_id`` is the person's). Subgroup flags are null where unknown."""

    __tablename__ = "demographics"

    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(16))
    american_indian_or_alaska_native: Mapped[bool | None] = mapped_column(Boolean)
    asian: Mapped[bool | None] = mapped_column(Boolean)
    black_or_african_american: Mapped[bool | None] = mapped_column(Boolean)
    native_hawaiian_or_other_pacific_islander: Mapped[bool | None] = mapped_column(Boolean)
    white: Mapped[bool | None] = mapped_column(Boolean)
    two_or_more_races: Mapped[bool | None] = mapped_column(Boolean)
    hispanic_or_latino: Mapped[bool | None] = mapped_column(Boolean)
    english_learner: Mapped[bool | None] = mapped_column(Boolean)
    disability: Mapped[bool | None] = mapped_column(Boolean)  # students with disabilities (SWD)
    economically_disadvantaged: Mapped[bool | None] = mapped_column(Boolean)


class PersonIdentifier(Base):
    """Each external id a person is known by: SIS id, state id, username, vendor ids.

    Diagnostics are matched to the roster through this table, by a configured precedence of id types.
    One value can (wrongly) name two people; the key allows it so that matching can call it ambiguous.
    """

    __tablename__ = "person_identifier"
    __table_args__ = (Index("ix_person_identifier_lookup", "district_id", "id_type", "value"),)

    district_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_source_id: Mapped[str] = mapped_column(SOURCE_ID, primary_key=True)
    id_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), primary_key=True)
