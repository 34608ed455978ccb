"""The Canvas destination against the fake Canvas over real loopback HTTP."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from connectors.canvas import CanvasConfig, CanvasDestination
from hub.connector import PushOutcome, RenderedReport
from hub.plugins import discover
from testkit.fakes.canvas import FakeCanvas
from testkit.fakes.server import Fault, FaultKind


def test_page_is_created_then_updated_in_place_addressed_by_escaped_sis_id(
    canvas, make_destination, teacher_report
) -> None:
    destination = make_destination()
    [created] = destination.push([teacher_report("ALG.101/2", "<h1>week 1</h1>")])
    [updated] = destination.push([teacher_report("ALG.101/2", "<h1>week 2</h1>")])
    assert (created.outcome, updated.outcome) == (PushOutcome.CREATED, PushOutcome.UPDATED)
    page = canvas.page("ALG.101/2", "tutorhub-teacher")
    assert page["body"] == "<h1>week 2</h1>"
    assert (page["title"], page["published"], page["editing_roles"]) == ("Tutoring focus", False, "teachers")
    assert len(canvas.pages) == 1
    assert ("PUT", "/api/v1/courses/sis_course_id:ALG%2E101%2F2/pages/tutorhub-teacher") in canvas.log


def test_publishing_and_url_prefix_are_settings(canvas, make_destination, teacher_report) -> None:
    make_destination(publish_pages=True, page_url_prefix="focus").push([teacher_report("BIO-7")])
    assert canvas.page("BIO-7", "focus-teacher")["published"] is True


def test_gradebook_column_holds_one_status_per_enrolled_student(
    canvas, make_destination, teacher_report
) -> None:
    destination = make_destination(gradebook_column=True)
    long_status = "phonics: " + "x" * 300
    [result] = destination.push(
        [teacher_report("ALG.101/2", S_1="fractions, 3 of 3", S_2=long_status, S_9="x")]
    )
    assert result.outcome is PushOutcome.CREATED
    assert result.detail == "1 student(s) not enrolled in the Canvas course; their cells were left out"
    cells = canvas.column_contents("ALG.101/2", "Tutoring focus")
    assert cells["S-1"] == "fractions, 3 of 3"
    assert len(cells["S-2"]) == 255 and cells["S-2"].endswith("…")
    assert set(cells) == {"S-1", "S-2"}
    [column] = canvas.columns[next(iter(canvas.courses))]
    assert (column["read_only"], column["hidden"]) == (True, False)


def test_column_is_made_once_and_only_changed_cells_are_written(
    canvas, make_destination, teacher_report
) -> None:
    make_destination(gradebook_column=True).push(
        [teacher_report("ALG.101/2", S_1="phonics", S_2="vocabulary")]
    )
    # A new run (a new connector) finds the column instead of making another.
    make_destination(gradebook_column=True).push([teacher_report("ALG.101/2", S_1="phonics", S_3="geometry")])
    assert canvas.write_counts("column", "create") == {"ALG.101/2/Tutoring focus": 1}
    assert canvas.column_contents("ALG.101/2", "Tutoring focus") == {"S-1": "phonics", "S-3": "geometry"}
    writes = [key for resource, key, _ in canvas.writes if resource == "column_data"]
    assert len(writes) == 4  # S-1, S-2 the first time; S-3 set and S-2 cleared the second; S-1 untouched


def test_students_are_resolved_across_pages_of_the_course_roster(
    canvas, make_destination, teacher_report
) -> None:
    students = [f"P-{n:03d}" for n in range(130)]
    canvas.add_course("BIG-1", students)
    report = RenderedReport(
        "teacher",
        "BIG-1",
        "t",
        "text/html",
        b"<p/>",
        {"students": [{"student": s, "status": "ok"} for s in students]},
    )
    [result] = make_destination(gradebook_column=True).push([report])
    assert (result.outcome, result.detail) == (PushOutcome.CREATED, "")
    assert (
        canvas.count("GET", "api", "v1", "courses", "sis_course_id:BIG-1", "users") == 2
    )  # 100 + 30, via Link
    assert len(canvas.column_contents("BIG-1", "Tutoring focus")) == 130


def test_unknown_course_and_wrong_token_fail_with_a_reason(canvas, make_destination, teacher_report) -> None:
    [unknown] = make_destination().push([teacher_report("NOPE-1")])
    assert (unknown.outcome, unknown.detail) == (PushOutcome.FAILED, "page update: HTTP 404 Not Found")
    wrong = make_destination(token=SecretStr("not-the-token"))
    [refused] = wrong.push([teacher_report("BIO-7")])
    assert (refused.outcome, refused.detail) == (
        PushOutcome.FAILED,
        "page update: HTTP 401 Unauthorized (the token is invalid or has expired)",
    )
    assert canvas.pages == {}


def test_a_malformed_summary_fails_before_any_request(canvas, make_destination) -> None:
    report = RenderedReport("teacher", "BIO-7", "t", "text/html", b"<p/>", {"students": "S-2"})
    [result] = make_destination(gradebook_column=True).push([report])
    assert result.outcome is PushOutcome.FAILED
    assert "summary: 'students' must be a list" in result.detail
    assert canvas.log == []


def test_token_never_shows_in_config_or_connector(make_destination, token) -> None:
    destination = make_destination()
    shown = repr(destination.config) + str(destination.config) + repr(destination.client.session.auth)
    shown += destination.config.model_dump_json()
    assert token not in shown


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("canvas.example.org", "starting with https://"),
        ("https://canvas.example.org/api/v1", "without /api/v1"),
    ],
)
def test_config_errors_say_what_is_expected(base_url: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CanvasConfig(district_id="north", base_url=base_url, token=SecretStr("t"))


def test_registered_through_the_entry_point() -> None:
    registry = discover()
    assert registry.get("canvas").cls is CanvasDestination
    assert registry.get("canvas").kind == "destination"


def test_throttling_past_every_retry_fails_and_says_so(canvas, make_destination, teacher_report) -> None:
    canvas.inject(*[Fault(FaultKind.THROTTLE_403, path="pages")] * 5)
    [result] = make_destination().push([teacher_report("BIO-7")])
    assert (result.outcome, result.detail) == (
        PushOutcome.FAILED,
        "page update: HTTP 403, throttled (rate limit exceeded)",
    )
    assert (
        canvas.count("PUT", "api", "v1", "courses", "sis_course_id:BIO-7", "pages", "tutorhub-teacher") == 5
    )


def test_demo_canvas_makes_courses_it_has_not_heard_of(teacher_report) -> None:
    with FakeCanvas(create_unknown_courses=True) as demo:
        config = CanvasConfig(district_id="demo", base_url=demo.url, token=SecretStr(demo.token))
        [result] = CanvasDestination(config).push([teacher_report("SEC-42")])
        assert result.outcome is PushOutcome.CREATED
        assert demo.page("SEC-42", "tutorhub-teacher") is not None
