"""The shared tutoring data model: SQLAlchemy tables, and Arrow schemas of the same."""

from hub.model.arrow import arrow_schema, conform, sql_table
from hub.model.base import Base
from hub.model.ops import ConnectorState, SyncReject, SyncRun
from hub.model.roster import (
    AcademicSession,
    Course,
    Demographics,
    District,
    Enrollment,
    Person,
    PersonIdentifier,
    PersonRole,
    School,
    Section,
)

__all__ = [
    "AcademicSession",
    "Base",
    "ConnectorState",
    "Course",
    "Demographics",
    "District",
    "Enrollment",
    "Person",
    "PersonIdentifier",
    "PersonRole",
    "School",
    "Section",
    "SyncReject",
    "SyncRun",
    "arrow_schema",
    "conform",
    "sql_table",
]
