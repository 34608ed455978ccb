"""Push: rendered reports out to each district's own destinations, exactly once per content, audited."""

from hub.push.driver import (
    PushError,
    PushRecord,
    PushRefused,
    content_hash,
    push_report_parts,
    push_reports,
)
from hub.push.ledger import Address
from hub.push.summary import StudentStatus, SummaryError, student_statuses

__all__ = [
    "Address",
    "PushError",
    "PushRecord",
    "PushRefused",
    "StudentStatus",
    "SummaryError",
    "content_hash",
    "push_report_parts",
    "push_reports",
    "student_statuses",
]
