"""The OneRoster 1.2 gradebook destination against the fake provider over real loopback HTTP."""

from __future__ import annotations

from connectors.oneroster_gradebook import GradebookDestination, payloads
from hub.connector import PushOutcome
from hub.plugins import discover
from testkit.fakes.oneroster_gradebook import GRADEBOOK, TOKEN_PATH
from testkit.fakes.server import Fault, FaultKind


def puts(gradebook, collection: str) -> int:
    return sum(
        n for (method, path), n in gradebook.requests.items() if method == "PUT" and collection in path
    )


def test_line_item_and_results_are_created_then_updated_under_stable_ids(
    gradebook, make_destination, class_report
) -> None:
    destination = make_destination()
    [created] = destination.push([class_report("CLS-1", 1, S_1="phonics", S_2="vocabulary")])
    [updated] = destination.push([class_report("CLS-1", 2, S_1="phonics", S_2="comprehension_literature")])
    assert (created.outcome, updated.outcome) == (PushOutcome.CREATED, PushOutcome.UPDATED)
    assert created.detail == "2 result(s)"

    line_item_id = payloads.sourced_id("north", "CLS-1", "teacher")
    assert list(gradebook.objects["lineItems"]) == [line_item_id]
    line_item = gradebook.objects["lineItems"][line_item_id]
    assert (line_item["title"], line_item["class"]["sourcedId"], line_item["school"]["sourcedId"]) == (
        "Tutoring, week 2",
        "CLS-1",
        "school-1",
    )
    assert line_item["assignDate"] == "2026-01-12T00:00:00Z"
    assert line_item["learningObjectiveSet"] == [
        {"source": "unknown", "learningObjectiveIds": ["comprehension_literature", "phonics"]}
    ]
    result = gradebook.objects["results"][payloads.sourced_id("north", "CLS-1", "teacher", "S-2")]
    assert (result["student"]["sourcedId"], result["scoreStatus"], result["textScore"]) == (
        "S-2",
        "exempt",
        "week 2: comprehension_literature",
    )
    assert result["scoreDate"] == "2026-01-16"
    assert result["learningObjectiveSet"][0]["learningObjectiveResults"][0]["learningObjectiveId"] == (
        "comprehension_literature"
    )
    assert len(gradebook.objects["results"]) == 2
    assert set(gradebook.write_counts("results", "create").values()) == {1}
    assert set(gradebook.write_counts("results", "update").values()) == {1}


def test_ids_differ_between_districts_and_report_kinds() -> None:
    ids = {
        payloads.sourced_id("north", "CLS-1", "teacher"),
        payloads.sourced_id("south", "CLS-1", "teacher"),
        payloads.sourced_id("north", "CLS-1", "tutor"),
        payloads.sourced_id("north", "CLS-1/teacher"),
    }
    assert len(ids) == 4


def test_one_token_serves_many_requests_and_a_401_refreshes_it_once(
    gradebook, make_destination, class_report
) -> None:
    destination = make_destination()
    destination.push([class_report("CLS-1", S_1="phonics"), class_report("CLS-2", S_3="geometry")])
    assert gradebook.count("POST", *TOKEN_PATH) == 1

    gradebook.expire_tokens()
    [result] = destination.push([class_report("CLS-1", 2, S_1="phonics")])
    assert result.outcome is PushOutcome.UPDATED
    assert gradebook.count("POST", *TOKEN_PATH) == 2
    line_item_id = payloads.sourced_id("north", "CLS-1", "teacher")
    assert gradebook.count("PUT", *GRADEBOOK, "lineItems", line_item_id) == 3  # 1 + (401, then again)


def test_wrong_client_secret_fails_without_showing_it(
    gradebook, make_destination, class_report, secret, caplog
) -> None:
    destination = make_destination(client_secret="not-the-secret")
    [result] = destination.push([class_report("CLS-1", S_1="phonics")])
    assert (result.outcome, result.detail) == (
        PushOutcome.FAILED,
        "OAuth token request: HTTP 401 Unauthorized",
    )
    assert gradebook.objects["lineItems"] == {}

    working = make_destination()
    gradebook.inject(Fault(FaultKind.ERROR_500, path="token"), Fault(FaultKind.DROP, path="results"))
    with caplog.at_level("DEBUG"):
        [pushed] = working.push([class_report("CLS-1", S_1="phonics")])
    assert pushed.outcome is PushOutcome.CREATED
    issued = list(gradebook.tokens)
    shown = repr(working.config) + str(working.config) + working.config.model_dump_json()
    shown += repr(working.session.auth) + caplog.text
    assert "Retrying" in caplog.text  # the retries were logged, and with them nothing secret
    for hidden in (secret, *issued):
        assert hidden not in shown


def test_provider_refusing_learning_objectives_is_asked_again_without_and_remembered(
    gradebook, make_destination, class_report
) -> None:
    gradebook.accepts_learning_objectives = False
    destination = make_destination()
    reports = [class_report("CLS-1", S_1="phonics", S_2="phonics"), class_report("CLS-2", S_3="geometry")]
    assert [r.outcome for r in destination.push(reports)] == [PushOutcome.CREATED] * 2
    assert all("learningObjectiveSet" not in body for body in gradebook.objects["lineItems"].values())
    assert len(gradebook.objects["results"]) == 3
    assert puts(gradebook, "lineItems") == 3  # refused once, then never offered again
    assert puts(gradebook, "results") == 4


def test_a_report_without_school_fails_before_any_request(gradebook, make_destination, class_report) -> None:
    [result] = make_destination().push([class_report("CLS-1", school=None, S_1="phonics")])
    assert result.outcome is PushOutcome.FAILED
    assert result.detail == "teacher report for CLS-1: summary has no 'school' sourcedId"
    assert gradebook.log == []


def test_a_token_without_the_createput_scope_is_refused(gradebook, make_destination, class_report) -> None:
    destination = make_destination(scope="https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly")
    [result] = destination.push([class_report("CLS-1", S_1="phonics")])
    assert (result.outcome, result.detail) == (PushOutcome.FAILED, "category PUT: HTTP 403 Forbidden")
    assert gradebook.count("PUT", *GRADEBOOK, "categories", destination.category_id) == 1  # not retried


def test_registered_through_the_entry_point() -> None:
    assert discover().get("oneroster_gradebook").cls is GradebookDestination
