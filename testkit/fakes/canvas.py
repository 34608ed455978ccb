"""A fake Canvas on loopback that speaks the slice of the REST API the Canvas destination uses.

Pages (upsert by url), course users, custom gradebook columns and their data, addressed by Canvas ids or
``sis_course_id:`` / ``sis_user_id:`` as Canvas does; Bearer auth (401 with ``WWW-Authenticate`` on a wrong
token); ``Link`` pagination with a default page size of 10; ``X-Rate-Limit-Remaining`` and
``X-Request-Cost`` on every answer; throttles as 403 "Rate Limit Exceeded" (or 429) when a fault says so.
State lives in memory. The demo starts one; the tests start many.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from typing import Any
from urllib.parse import urlencode

from testkit.fakes.server import FakeServer, Fault, FaultKind, NotFound, Reply, Request, Route

CONTENT_MAX = 255  # CustomGradebookColumnDatum validates content length against Canvas's string limit
PER_PAGE_MAX = 100


@dataclass
class FakeCourse:
    canvas_id: int
    sis_course_id: str
    students: dict[int, str] = field(default_factory=dict)  # Canvas user id -> SIS user id


class FakeCanvas(FakeServer):
    def __init__(self, token: str = "fake-canvas-token", *, create_unknown_courses: bool = False) -> None:
        """``create_unknown_courses`` makes a course on first sight of its SIS id (the demo's Canvas knows
        every section); otherwise an unknown SIS id is a 404, as in Canvas."""
        super().__init__()
        self.token = token
        self.create_unknown_courses = create_unknown_courses
        self.rate_limit_remaining = 700.0
        self.courses: dict[int, FakeCourse] = {}
        self.users: dict[int, str] = {}  # Canvas user id -> SIS user id
        self.pages: dict[tuple[int, str], dict[str, Any]] = {}
        self.columns: dict[int, list[dict[str, Any]]] = {}  # course id -> columns
        self.column_data: dict[tuple[int, int], str] = {}  # (column id, user id) -> content
        self._ids = count(101)

    # -- setting up and looking in ----------------------------------------------------------------------
    def add_course(self, sis_course_id: str, student_sis_ids: list[str] | tuple[str, ...] = ()) -> int:
        """A course with its students enrolled; users are created on first sight of their SIS id."""
        course = FakeCourse(next(self._ids), sis_course_id)
        by_sis = {sis: user_id for user_id, sis in self.users.items()}
        for sis in student_sis_ids:
            user_id = by_sis.get(sis) or next(self._ids)
            self.users[user_id] = sis
            course.students[user_id] = sis
        self.courses[course.canvas_id] = course
        return course.canvas_id

    def page(self, sis_course_id: str, url: str) -> dict[str, Any] | None:
        return self.pages.get((self._course(f"sis_course_id:{sis_course_id}").canvas_id, url))

    def column_contents(self, sis_course_id: str, title: str) -> dict[str, str]:
        """SIS user id -> content of the named column in that course."""
        course = self._course(f"sis_course_id:{sis_course_id}")
        column = next(c for c in self.columns.get(course.canvas_id, []) if c["title"] == title)
        return {
            self.users[user_id]: content
            for (column_id, user_id), content in self.column_data.items()
            if column_id == column["id"]
        }

    # -- FakeServer hooks -------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        course = ("api", "v1", "courses", ":course")
        columns = (*course, "custom_gradebook_columns")
        return [
            ("GET", ("api", "v1", "users", ":user"), self._get_user),
            ("GET", (*course, "users"), self._list_users),
            ("GET", (*course, "pages", ":url"), self._get_page),
            ("PUT", (*course, "pages", ":url"), self._put_page),
            ("GET", columns, self._list_columns),
            ("POST", columns, self._create_column),
            ("GET", (*columns, ":column", "data"), self._list_data),
            ("PUT", (*columns, ":column", "data", ":user"), self._put_datum),
        ]

    def authorize(self, request: Request) -> Reply | None:
        if request.headers.get("Authorization") == f"Bearer {self.token}":
            return None
        return Reply(
            401,
            {"errors": [{"message": "Invalid access token."}]},
            {"WWW-Authenticate": 'Bearer realm="canvas-lms"'},
        )

    def not_found(self) -> Reply:
        return Reply(404, {"errors": [{"message": "The specified resource does not exist."}]})

    def fault_reply(self, fault: Fault) -> Reply:
        if fault.kind is FaultKind.THROTTLE_403:
            return Reply(403, "403 Forbidden (Rate Limit Exceeded)\n", {"X-Rate-Limit-Remaining": "0.0"})
        if fault.kind is FaultKind.THROTTLE_429:
            return Reply(
                429, "429 Too Many Requests (Rate Limit Exceeded)\n", {"X-Rate-Limit-Remaining": "0.0"}
            )
        return Reply(500, {"errors": [{"message": "An error occurred."}]})

    def decorate(self, reply: Reply) -> None:
        reply.headers.setdefault("X-Rate-Limit-Remaining", f"{self.rate_limit_remaining:.1f}")
        reply.headers.setdefault("X-Request-Cost", "0.02")

    # -- routes -----------------------------------------------------------------------------------------
    def _course(self, ref: str) -> FakeCourse:
        if ref.startswith("sis_course_id:"):
            sis = ref.removeprefix("sis_course_id:")
            found = next((c for c in self.courses.values() if c.sis_course_id == sis), None)
        else:
            found = self.courses.get(int(ref)) if ref.isdigit() else None
        if found is None and self.create_unknown_courses and ref.startswith("sis_course_id:"):
            found = self.courses[self.add_course(ref.removeprefix("sis_course_id:"))]
        if found is None:
            raise NotFound
        return found

    def _user_json(self, user_id: int) -> dict[str, Any]:
        sis = self.users[user_id]
        return {"id": user_id, "name": f"Student {user_id}", "sis_user_id": sis, "login_id": sis.lower()}

    def _get_user(self, request: Request, user: str) -> Reply:
        if user.startswith("sis_user_id:"):
            sis = user.removeprefix("sis_user_id:")
            user_id = next((uid for uid, s in self.users.items() if s == sis), None)
        else:
            user_id = int(user) if user.isdigit() and int(user) in self.users else None
        if user_id is None:
            raise NotFound
        return Reply(200, self._user_json(user_id))

    def _list_users(self, request: Request, course: str) -> Reply:
        found = self._course(course)
        return self._paged(request, [self._user_json(user_id) for user_id in sorted(found.students)])

    def _get_page(self, request: Request, course: str, url: str) -> Reply:
        page = self.pages.get((self._course(course).canvas_id, url))
        if page is None:
            raise NotFound
        return Reply(200, page)

    def _put_page(self, request: Request, course: str, url: str) -> Reply:
        found = self._course(course)
        form = request.form()
        now = datetime.now(UTC).isoformat()
        page = self.pages.get((found.canvas_id, url))
        created = page is None
        if page is None:
            title = url.replace("-", " ").title()
            page = {"page_id": next(self._ids), "url": url, "title": title, "body": "", "created_at": now}
        page["updated_at"] = now  # equal to created_at only on the answer that created the page
        page["title"] = form.get("wiki_page[title]", page["title"])
        page["body"] = form.get("wiki_page[body]", page["body"])
        page["editing_roles"] = form.get("wiki_page[editing_roles]", page.get("editing_roles", "teachers"))
        page["published"] = (
            form.get("wiki_page[published]", str(page.get("published", False)).lower()) == "true"
        )
        self.pages[(found.canvas_id, url)] = page
        self.record_write("page", f"{found.sis_course_id}/{url}", created)
        return Reply(200, page)

    def _list_columns(self, request: Request, course: str) -> Reply:
        hidden = request.query.get("include_hidden", ["false"])[-1] == "true"
        columns = [
            c for c in self.columns.get(self._course(course).canvas_id, []) if hidden or not c["hidden"]
        ]
        return self._paged(request, columns)

    def _create_column(self, request: Request, course: str) -> Reply:
        found = self._course(course)
        form = request.form()
        if not form.get("column[title]"):
            return Reply(400, {"errors": {"title": [{"message": "can't be blank"}]}})
        existing = self.columns.setdefault(found.canvas_id, [])
        column = {
            "id": next(self._ids),
            "title": form["column[title]"],
            "position": len(existing) + 1,
            "hidden": form.get("column[hidden]") == "true",
            "read_only": form.get("column[read_only]") == "true",
            "teacher_notes": form.get("column[teacher_notes]") == "true",
        }
        existing.append(column)
        self.record_write("column", f"{found.sis_course_id}/{column['title']}", True)
        return Reply(200, column)

    def _column(self, course: str, column: str) -> tuple[FakeCourse, int]:
        found = self._course(course)
        ids = {c["id"] for c in self.columns.get(found.canvas_id, [])}
        if not column.isdigit() or int(column) not in ids:
            raise NotFound
        return found, int(column)

    def _list_data(self, request: Request, course: str, column: str) -> Reply:
        _, column_id = self._column(course, column)
        data = [
            {"content": content, "user_id": user_id}
            for (cid, user_id), content in sorted(self.column_data.items())
            if cid == column_id
        ]
        return self._paged(request, data)

    def _put_datum(self, request: Request, course: str, column: str, user: str) -> Reply:
        found, column_id = self._column(course, column)
        if not user.isdigit() or int(user) not in found.students:
            raise NotFound  # column data takes Canvas ids only; a sis_user_id: here misses, as in Canvas
        form = request.form()
        if "column_data[content]" not in form:
            return Reply(400, {"errors": [{"message": "column_data[content] is required"}]})
        content = form["column_data[content]"]
        if len(content) > CONTENT_MAX:
            return Reply(
                400, {"errors": {"content": [{"message": "is too long (maximum is 255 characters)"}]}}
            )
        key = (column_id, int(user))
        created = key not in self.column_data
        if content:
            self.column_data[key] = content
        else:
            self.column_data.pop(key, None)  # "Setting this to blank will delete the datum object."
        self.record_write("column_data", f"{column_id}/{user}", created)
        return Reply(200, {"content": content, "user_id": int(user)})

    def _paged(self, request: Request, items: list[Any]) -> Reply:
        """One page of ``items`` and the ``Link`` header Canvas sends (current, next, first, last)."""
        per_page = min(int(request.query.get("per_page", ["10"])[-1]), PER_PAGE_MAX)
        page = int(request.query.get("page", ["1"])[-1])
        last = max(1, -(-len(items) // per_page))
        query = {key: values for key, values in request.query.items() if key not in ("page", "per_page")}

        def link(number: int) -> str:
            params = urlencode({**query, "page": number, "per_page": per_page}, doseq=True)
            return f"<{self.url}{request.raw_path}?{params}>"

        rels = {"current": page, "first": 1, "last": last}
        if page < last:
            rels["next"] = page + 1
        if page > 1:
            rels["prev"] = page - 1
        header = ",".join(f'{link(number)}; rel="{rel}"' for rel, number in rels.items())
        return Reply(200, items[(page - 1) * per_page : page * per_page], {"Link": header})
