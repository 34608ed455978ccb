"""OneRoster 1.2 gradebook bodies, with sourcedIds derived from stable keys so that a repeat is an update.

A line item is one report kind for one class; a result is one student's status on that line item. Their
sourcedIds are uuid5 over (district, class, kind[, student]): the same report pushed again, by this run or a
rerun after a crash, lands on the same objects.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from hub.push import StudentStatus, SummaryError

NAMESPACE = uuid.UUID("5d6c3f0e-8a51-4f8e-9a57-2f1c1b7a9e10")  # tutorhub's, fixed forever
ROSTERING = "/ims/oneroster/rostering/v1p2"
GRADEBOOK = "/ims/oneroster/gradebook/v1p2"


def sourced_id(*key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, json.dumps(key)))  # JSON, so ("a/b", "c") and ("a", "b/c") differ


def _ref(base_url: str, service: str, collection: str, kind: str, sourced: str) -> dict[str, str]:
    return {"href": f"{base_url}{service}/{collection}/{sourced}", "sourcedId": sourced, "type": kind}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _day(value: object, default: date) -> date:
    if value is None:
        return default
    try:
        return date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SummaryError(f"summary date {value!r} is not an ISO date (YYYY-MM-DD)") from None


def category(sourced: str, title: str) -> dict[str, Any]:
    return {
        "category": {"sourcedId": sourced, "status": "active", "dateLastModified": _now(), "title": title}
    }


def line_item(
    sourced: str,
    *,
    base_url: str,
    class_id: str,
    school_id: str,
    category_id: str,
    title: str,
    summary: dict[str, Any],
    skills: Sequence[str],
    objectives_source: str | None,
) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    start = _day(summary.get("period_start"), today)
    body: dict[str, Any] = {
        "sourcedId": sourced,
        "status": "active",
        "dateLastModified": _now(),
        "title": title,
        "description": "Tutoring focus, kept up to date by tutorhub",
        "assignDate": f"{start.isoformat()}T00:00:00Z",
        "dueDate": f"{_day(summary.get('period_end'), start).isoformat()}T23:59:59Z",
        "class": _ref(base_url, ROSTERING, "classes", "class", class_id),
        "school": _ref(base_url, ROSTERING, "schools", "org", school_id),
        "category": _ref(base_url, GRADEBOOK, "categories", "category", category_id),
    }
    if objectives_source and skills:
        body["learningObjectiveSet"] = [{"source": objectives_source, "learningObjectiveIds": list(skills)}]
    return {"lineItem": body}


def result(
    sourced: str,
    *,
    base_url: str,
    line_item_id: str,
    class_id: str,
    student: StudentStatus,
    summary: dict[str, Any],
    objectives_source: str | None,
) -> dict[str, Any]:
    """``exempt``, so a tutoring status shows beside the grades without ever counting toward one."""
    today = datetime.now(UTC).date()
    body: dict[str, Any] = {
        "sourcedId": sourced,
        "status": "active",
        "dateLastModified": _now(),
        "lineItem": _ref(base_url, GRADEBOOK, "lineItems", "lineItem", line_item_id),
        "student": _ref(base_url, ROSTERING, "users", "user", student.student),
        "class": _ref(base_url, ROSTERING, "classes", "class", class_id),
        "scoreStatus": "exempt",
        "scoreDate": _day(summary.get("period_end"), today).isoformat(),
        "textScore": student.status,
        "comment": student.status,
    }
    if objectives_source and student.skills:
        results = [{"learningObjectiveId": skill, "textScore": "focus"} for skill in student.skills]
        body["learningObjectiveSet"] = [{"source": objectives_source, "learningObjectiveResults": results}]
    return {"result": body}
