"""The shared tutoring data model: SQLAlchemy tables, and Arrow schemas of the same."""

from hub.model.arrow import arrow_schema, conform, model_tables, sql_table, stored_tables, students_of
from hub.model.assessment import AssessmentResult, LessonEvidence, SkillGap
from hub.model.base import Base, ViewBase
from hub.model.domains import SLOTS, DomainResult, ResultDomains
from hub.model.ops import ConnectorState, StepState, SyncReject, SyncRun
from hub.model.progress import ProgressGoal, ProgressPoint, StoredProgressPoint
from hub.model.push import PushLog, PushTarget
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
from hub.model.tutoring import (
    Cycle,
    GroupMembership,
    SessionAttendance,
    TierAssignment,
    TutoringGroup,
    TutoringReview,
    TutoringSession,
    TutorProfile,
    UnplacedEntrant,
)

__all__ = [
    "SLOTS",
    "AcademicSession",
    "AssessmentResult",
    "Base",
    "ConnectorState",
    "Course",
    "Cycle",
    "Demographics",
    "District",
    "DomainResult",
    "Enrollment",
    "GroupMembership",
    "LessonEvidence",
    "Person",
    "PersonIdentifier",
    "PersonRole",
    "ProgressGoal",
    "ProgressPoint",
    "PushLog",
    "PushTarget",
    "ResultDomains",
    "School",
    "Section",
    "SessionAttendance",
    "SkillGap",
    "StepState",
    "StoredProgressPoint",
    "SyncReject",
    "SyncRun",
    "TierAssignment",
    "TutorProfile",
    "TutoringGroup",
    "TutoringReview",
    "TutoringSession",
    "UnplacedEntrant",
    "ViewBase",
    "arrow_schema",
    "conform",
    "model_tables",
    "sql_table",
    "stored_tables",
    "students_of",
]
