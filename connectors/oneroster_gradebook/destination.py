"""The OneRoster 1.2 gradebook destination: one line item per class report, one result per student.

Everything is a ``PUT`` with a sourcedId the hub derives (see payloads), never a ``POST`` that lets the
server allocate one, so sending again after a timeout or a crash updates instead of duplicating. Skills go
as learning objectives; a provider that refuses them (400/422) is asked again without, and the connector
remembers not to send them for the rest of the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, ClassVar

import requests

from connectors.oneroster_gradebook import payloads
from connectors.oneroster_gradebook.config import GradebookConfig
from hub.connector import DestinationConnector, PushOutcome, PushResult, RenderedReport
from hub.http import HttpError, build_session, send
from hub.oauth import ClientCredentials
from hub.push import SummaryError, student_statuses

REFUSED = (400, 422)


class GradebookDestination(DestinationConnector):
    name = "oneroster_gradebook"
    accepts = ("teacher",)
    content_types: ClassVar[tuple[str, ...]] = ("application/json",)  # it sends the summary, one rendering
    config_model = GradebookConfig
    config: GradebookConfig

    def __init__(self, config: GradebookConfig) -> None:
        super().__init__(config)
        self.api = f"{config.base_url}{payloads.GRADEBOOK}"
        self.session: requests.Session = build_session(config.http)
        self.session.auth = ClientCredentials(
            config.token_url, config.client_id, config.client_secret, config.scope, config.http
        )
        self.category_id = payloads.sourced_id(config.district_id, "category", config.category_title)
        self._category_ready = False
        self._objectives = {"lineItems": True, "results": True}  # False once the provider refused them

    def push(self, reports: Sequence[RenderedReport]) -> list[PushResult]:
        return [self._push(report) for report in reports]

    def _push(self, report: RenderedReport) -> PushResult:
        district, summary = self.config.district_id, dict(report.summary)
        try:
            students = student_statuses(report)
            school = summary.get("school")
            if not isinstance(school, str) or not school:
                raise SummaryError(
                    f"{report.kind} report for {report.target}: summary has no 'school' sourcedId"
                )
            self._ensure_category()
            common = {"base_url": self.config.base_url, "class_id": report.target, "summary": summary}
            line_item_id = payloads.sourced_id(district, report.target, report.kind)
            skills = sorted({skill for student in students for skill in student.skills})
            line_item = partial(
                payloads.line_item,
                line_item_id,
                school_id=school,
                category_id=self.category_id,
                title=report.title,
                skills=skills,
                **common,
            )
            status = self._put("lineItems", line_item_id, line_item)
            for student in students:
                result_id = payloads.sourced_id(district, report.target, report.kind, student.student)
                result = partial(
                    payloads.result, result_id, line_item_id=line_item_id, student=student, **common
                )
                self._put("results", result_id, result)
        except (HttpError, SummaryError) as error:
            return PushResult(report.target, PushOutcome.FAILED, str(error))
        outcome = PushOutcome.CREATED if status == 201 else PushOutcome.UPDATED
        return PushResult(report.target, outcome, f"{len(students)} result(s)")

    def _ensure_category(self) -> None:
        if not self._category_ready:
            body = payloads.category(self.category_id, self.config.category_title)
            send(
                self.session,
                "PUT",
                f"{self.api}/categories/{self.category_id}",
                what="category PUT",
                json=body,
            )
            self._category_ready = True

    def _put(self, collection: str, sourced: str, build: Callable[..., dict[str, Any]]) -> int:
        """PUT one object; if the provider refuses its learning objectives, once more without them."""
        url, what = f"{self.api}/{collection}/{sourced}", f"{collection} PUT"
        source = self.config.learning_objective_source if self._objectives[collection] else None
        payload = build(objectives_source=source)
        response = send(self.session, "PUT", url, what=what, ok=(200, 201, *REFUSED), json=payload)
        sent_objectives = "learningObjectiveSet" in next(iter(payload.values()))
        if response.status_code in REFUSED and sent_objectives:
            self._objectives[collection] = False
            response = send(self.session, "PUT", url, what=what, json=build(objectives_source=None))
        elif response.status_code in REFUSED:
            raise HttpError(
                what, f"HTTP {response.status_code} {_code_minor(response)}", response.status_code
            )
        return response.status_code


def _code_minor(response: requests.Response) -> str:
    """The imsx code minor of an error (``invaliddata``, ...): an enum, so safe to log, unlike the text."""
    try:
        fields = response.json()["imsx_CodeMinor"]["imsx_codeMinorField"]
        return ", ".join(str(field["imsx_codeMinorFieldValue"]) for field in fields)
    except (ValueError, KeyError, TypeError):
        return ""
