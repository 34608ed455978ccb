"""The Canvas destination: the teacher report as a wiki page in the course, plus an optional gradebook column.

Each report's ``target`` is the SIS id of a Canvas course (the OneRoster class sourcedId, which is what a
Canvas SIS import uses as course id). The page lives at ``<page_url_prefix>-<kind>`` and keeps one title, so
a weekly push updates the same page instead of creating one per week. With ``gradebook_column`` on, each
student in ``summary["students"]`` gets a <= 255-character status in a read-only column; cells of students
no longer listed are cleared.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from connectors.canvas.client import CanvasClient
from connectors.canvas.config import CanvasConfig
from hub.connector import DestinationConnector, PushOutcome, PushResult, RenderedReport
from hub.http import HttpError
from hub.push import StudentStatus, SummaryError, student_statuses

CELL_MAX = 255


class CanvasDestination(DestinationConnector):
    name = "canvas"
    accepts = ("teacher",)
    content_types: ClassVar[tuple[str, ...]] = ("text/html",)
    config_model = CanvasConfig
    config: CanvasConfig

    def __init__(self, config: CanvasConfig) -> None:
        super().__init__(config)
        self.client = CanvasClient(config)
        self._columns: dict[str, int] = {}  # course -> column id, found or made once per run

    def push(self, reports: Sequence[RenderedReport]) -> list[PushResult]:
        return [self._push(report) for report in reports]

    def _push(self, report: RenderedReport) -> PushResult:
        try:
            statuses = student_statuses(report) if self.config.gradebook_column else []
            course = self.client.course(report.target)
            page = self.client.put_page(
                course,
                f"{self.config.page_url_prefix}-{report.kind}",
                {
                    "title": self.config.page_title,
                    "body": report.body.decode("utf-8"),
                    "published": str(self.config.publish_pages).lower(),
                    "editing_roles": "teachers",
                    "notify_of_update": "false",
                },
            )
            detail = self._fill_column(course, statuses) if self.config.gradebook_column else ""
        except (HttpError, SummaryError, UnicodeDecodeError) as error:
            return PushResult(report.target, PushOutcome.FAILED, str(error))
        # Canvas answers 200 to both; a page whose timestamps agree was made by this very request.
        created = page.get("created_at") is not None and page.get("created_at") == page.get("updated_at")
        return PushResult(report.target, PushOutcome.CREATED if created else PushOutcome.UPDATED, detail)

    def _fill_column(self, course: str, statuses: list[StudentStatus]) -> str:
        """Bring the column to the statuses given, one request per cell that differs; returns a note."""
        students = self.client.students(course)
        column_id = self._column(course)
        current = self.client.column_data(course, column_id)
        wanted = {students[s.student]: _cell(s.status) for s in statuses if s.student in students}
        for user_id, content in wanted.items():
            if current.get(user_id) != content:
                self.client.put_datum(course, column_id, user_id, content)
        for user_id in current.keys() - wanted.keys():
            self.client.put_datum(course, column_id, user_id, "")
        missing = len(statuses) - len(wanted)
        return (
            f"{missing} student(s) not enrolled in the Canvas course; their cells were left out"
            if missing
            else ""
        )

    def _column(self, course: str) -> int:
        if course not in self._columns:
            title = self.config.column_title
            found = self.client.find_column(course, title)
            self._columns[course] = found if found is not None else self.client.create_column(course, title)
        return self._columns[course]


def _cell(status: str) -> str:
    return status if len(status) <= CELL_MAX else status[: CELL_MAX - 1] + "…"
