"""The push driver and its ledger, against a fake Canvas over loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from connectors.canvas import CanvasConfig, CanvasDestination
from connectors.files import FilesConfig, FilesDestination
from hub.connector import ConnectorConfig, DestinationConnector, PushOutcome, PushResult, RenderedReport
from hub.http import HttpSettings
from hub.model import PushLog, PushTarget
from hub.push import Address, PushError, PushRefused, push_report_parts, push_reports
from hub.warehouse import Warehouse
from testkit.fakes.canvas import FakeCanvas
from testkit.fakes.server import Fault, FaultKind

DISTRICT = "test_district"
TOKEN = "canvas-sekrit-token"


@pytest.fixture
def canvas() -> Iterator[FakeCanvas]:
    with FakeCanvas(token=TOKEN) as server:
        for course in ("ALG-1", "ALG-2", "BIO-1"):
            server.add_course(course, ["S-1001", "S-1002"])
        yield server


def destination(canvas: FakeCanvas, http: HttpSettings, district: str = DISTRICT) -> CanvasDestination:
    config = CanvasConfig(district_id=district, base_url=canvas.url, token=SecretStr(TOKEN), http=http)
    return CanvasDestination(config)


def page_puts(canvas: FakeCanvas) -> int:
    return sum(n for (method, path), n in canvas.requests.items() if method == "PUT" and "pages" in path)


def ledger(warehouse: Warehouse) -> dict[str, tuple[str | None, str, int]]:
    with warehouse.engine.connect() as connection:
        rows = connection.execute(select(PushTarget)).all()
    return {row.target: (row.content_hash, row.last_outcome, row.attempts) for row in rows}


def log_rows(warehouse: Warehouse) -> list[tuple[str, str, int, str | None]]:
    with warehouse.engine.connect() as connection:
        rows = connection.execute(select(PushLog).order_by(PushLog.log_id)).all()
    return [(row.target, row.outcome, row.attempt, row.error) for row in rows]


def test_unchanged_sends_nothing_and_changed_updates(warehouse, canvas, fast_http, make_report) -> None:
    connector = destination(canvas, fast_http)
    week1 = [make_report("ALG-1"), make_report("ALG-2")]
    first = push_reports(warehouse, DISTRICT, "canvas", connector, week1)
    assert [(r.action, r.outcome) for r in first] == [("create", PushOutcome.CREATED)] * 2
    assert page_puts(canvas) == 2

    again = push_reports(warehouse, DISTRICT, "canvas", connector, week1)
    assert [r.outcome for r in again] == [PushOutcome.UNCHANGED] * 2
    assert page_puts(canvas) == 2  # not one request

    week2 = [make_report("ALG-1", "<h1>week 2</h1>"), week1[1]]
    third = push_reports(warehouse, DISTRICT, "canvas", connector, week2)
    assert [(r.action, r.outcome) for r in third] == [
        ("update", PushOutcome.UPDATED),
        ("unchanged", PushOutcome.UNCHANGED),
    ]
    assert canvas.page("ALG-1", "tutorhub-teacher")["body"] == "<h1>week 2</h1>"
    assert canvas.write_counts("page", "create") == {"ALG-1/tutorhub-teacher": 1, "ALG-2/tutorhub-teacher": 1}
    assert ledger(warehouse)["ALG-1"] == (third[0].content_hash, "updated", 0)
    outcomes = [row[:2] for row in log_rows(warehouse)]
    assert outcomes == [(t, o) for o in ("created", "unchanged") for t in ("ALG-1", "ALG-2")] + [
        ("ALG-1", "updated"),
        ("ALG-2", "unchanged"),
    ]


def test_a_failed_send_keeps_the_old_hash_and_is_sent_again(
    warehouse, canvas, fast_http, make_report
) -> None:
    connector = destination(canvas, fast_http.model_copy(update={"retries": 1}))
    push_reports(warehouse, DISTRICT, "canvas", connector, [make_report("ALG-1")])
    confirmed = ledger(warehouse)["ALG-1"][0]

    canvas.inject(*[Fault(FaultKind.ERROR_500, path="pages")] * 2)
    week2 = [make_report("ALG-1", "<h1>week 2</h1>")]
    failed = push_reports(warehouse, DISTRICT, "canvas", connector, week2)
    assert failed[0].outcome is PushOutcome.FAILED
    assert failed[0].detail == "page update: HTTP 500 Internal Server Error"
    assert ledger(warehouse)["ALG-1"] == (confirmed, "failed", 1)  # the confirmed hash did not move

    retried = push_reports(warehouse, DISTRICT, "canvas", connector, week2)
    assert (retried[0].action, retried[0].outcome) == ("update", PushOutcome.UPDATED)
    assert ledger(warehouse)["ALG-1"] == (retried[0].content_hash, "updated", 0)
    assert log_rows(warehouse)[-2:] == [
        ("ALG-1", "failed", 1, "page update: HTTP 500 Internal Server Error"),
        ("ALG-1", "updated", 2, None),
    ]
    assert canvas.page("ALG-1", "tutorhub-teacher")["body"] == "<h1>week 2</h1>"


def test_dry_run_sends_nothing_and_writes_nothing(warehouse, canvas, fast_http, make_report) -> None:
    connector = destination(canvas, fast_http)
    push_reports(warehouse, DISTRICT, "canvas", connector, [make_report("ALG-1"), make_report("ALG-2")])
    requests_before, log_before = sum(canvas.requests.values()), log_rows(warehouse)

    reports = [make_report("ALG-1"), make_report("ALG-2", "<p>new</p>"), make_report("BIO-1")]
    plan = push_reports(warehouse, DISTRICT, "canvas", connector, reports, dry_run=True)
    assert [(r.target, r.action, r.bytes, r.outcome) for r in plan] == [
        ("ALG-1", "unchanged", 15, None),
        ("ALG-2", "update", 10, None),
        ("BIO-1", "create", 15, None),
    ]
    assert sum(canvas.requests.values()) == requests_before
    assert log_rows(warehouse) == log_before

    pushed = push_reports(warehouse, DISTRICT, "canvas", connector, reports)
    assert [r.content_hash for r in pushed] == [r.content_hash for r in plan]  # the plan is what happens
    assert [r.action for r in pushed] == [r.action for r in plan]


def test_a_destination_of_another_district_is_refused(warehouse, canvas, fast_http, make_report) -> None:
    other = destination(canvas, fast_http, district="other_district")
    with pytest.raises(PushRefused, match="belongs to district 'other_district', not 'test_district'"):
        push_reports(warehouse, DISTRICT, "canvas", other, [make_report("ALG-1")])
    with pytest.raises(PushRefused):
        push_reports(warehouse, DISTRICT, "canvas", other, [make_report("ALG-1")], dry_run=True)
    assert sum(canvas.requests.values()) == 0
    assert log_rows(warehouse) == []


class Unsure(DestinationConnector):
    """Settings not derived from hub.connector.DestinationConfig: the registry refuses it; built by hand,
    it still cannot say whose it is."""

    name = "unsure"
    accepts = ("teacher",)
    config_model = ConnectorConfig

    def push(self, reports: Sequence[RenderedReport]) -> list[PushResult]:
        raise AssertionError("must never be called")


def test_a_destination_that_does_not_name_its_district_is_refused(warehouse, make_report) -> None:
    with pytest.raises(PushRefused, match="does not name its district"):
        push_reports(warehouse, DISTRICT, "unsure", Unsure(ConnectorConfig()), [make_report("ALG-1")])


class Crashing(FilesDestination):
    """A destination with a bug: raises where it should answer FAILED."""

    def push(self, reports: Sequence[RenderedReport]) -> list[PushResult]:
        raise KeyError("S-1001")


def test_a_crashing_connector_is_recorded_as_failed(warehouse, tmp_path, make_report) -> None:
    connector = Crashing(FilesConfig(district_id=DISTRICT, directory=tmp_path))
    records = push_reports(warehouse, DISTRICT, "drop", connector, [make_report("ALG-1")])
    assert (records[0].outcome, records[0].detail) == (PushOutcome.FAILED, "connector error: KeyError")
    assert ledger(warehouse)["ALG-1"] == (None, "failed", 1)


def test_reports_the_destination_does_not_take_are_left_out(
    warehouse, canvas, fast_http, make_report
) -> None:
    reports = [
        make_report("ALG-1"),
        make_report("ALG-1", kind="teacher", content_type="text/csv"),
        make_report("north_high", kind="school"),
    ]
    records = push_reports(warehouse, DISTRICT, "canvas", destination(canvas, fast_http), reports)
    assert [(r.kind, r.target, r.content_type) for r in records] == [("teacher", "ALG-1", "text/html")]


def test_a_target_too_long_for_the_ledger_is_refused_before_any_send(
    warehouse, canvas, fast_http, make_report
) -> None:
    reports = [make_report("ALG-1"), make_report("X" * 256)]
    with pytest.raises(PushError, match="target is 256 characters long"):
        push_reports(warehouse, DISTRICT, "canvas", destination(canvas, fast_http), reports)
    assert sum(canvas.requests.values()) == 0


def test_two_reports_for_one_target_are_an_error(warehouse, canvas, fast_http, make_report) -> None:
    reports = [make_report("ALG-1"), make_report("ALG-1", "<p>other</p>")]
    with pytest.raises(PushError, match="1 target"):
        push_reports(warehouse, DISTRICT, "canvas", destination(canvas, fast_http), reports)
    assert sum(canvas.requests.values()) == 0


def test_parts_push_as_one_list_does(warehouse, canvas, fast_http, make_report) -> None:
    """A set pushed a part at a time sends, records and answers as the same set in one list."""
    reports = [make_report(course) for course in ("ALG-1", "ALG-2", "BIO-1")]
    reports.insert(1, make_report("north_high", kind="school"))  # not Canvas's: left out of its part
    addresses = [Address(r.kind, r.target, r.content_type) for r in reports]
    parts = [reports[:2], reports[2:3], [], reports[3:]]
    records = push_report_parts(
        warehouse, DISTRICT, "canvas", destination(canvas, fast_http), addresses, parts
    )
    assert [(r.target, r.outcome) for r in records] == [
        ("ALG-1", PushOutcome.CREATED),
        ("ALG-2", PushOutcome.CREATED),
        ("BIO-1", PushOutcome.CREATED),
    ]
    assert page_puts(canvas) == 3
    again = push_reports(warehouse, DISTRICT, "canvas", destination(canvas, fast_http), reports)
    assert [r.outcome for r in again] == [PushOutcome.UNCHANGED] * 3 and page_puts(canvas) == 3


class Counting(FilesDestination):
    """The files destination, counting how many reports each call hands it."""

    calls: list[int]

    def push(self, reports: Sequence[RenderedReport]) -> list[PushResult]:
        self.calls.append(len(reports))
        return super().push(reports)


def test_a_batch_of_sends_runs_on_across_parts(warehouse, tmp_path, make_report) -> None:
    """To a destination whose re-send is harmless, parts are sent in the batches one list would be: a
    part's end is no reason for another call and another ledger transaction."""
    connector = Counting(FilesConfig(district_id=DISTRICT, directory=tmp_path))
    connector.calls = []
    reports = [make_report(course) for course in ("ALG-1", "ALG-2", "BIO-1")]
    addresses = [Address(r.kind, r.target, r.content_type) for r in reports]
    records = push_report_parts(warehouse, DISTRICT, "drop", connector, addresses, [[r] for r in reports])
    assert connector.calls == [3]
    assert [r.outcome for r in records] == [PushOutcome.CREATED] * 3


def test_one_target_twice_across_parts_is_refused_before_any_send(
    warehouse, canvas, fast_http, make_report
) -> None:
    reports = [make_report("ALG-1"), make_report("ALG-2"), make_report("ALG-1", "<p>other</p>")]
    addresses = [Address(r.kind, r.target, r.content_type) for r in reports]
    connector = destination(canvas, fast_http)
    with pytest.raises(PushError, match="1 target"):
        push_report_parts(warehouse, DISTRICT, "canvas", connector, addresses, [reports[:2], reports[2:]])
    assert sum(canvas.requests.values()) == 0 and ledger(warehouse) == {}


def test_no_student_ids_or_secrets_in_logs(warehouse, canvas, fast_http, make_report, caplog) -> None:
    canvas.inject(Fault(FaultKind.DROP, path="data"), *[Fault(FaultKind.ERROR_500, path="ALG-2")] * 6)
    config = CanvasConfig(
        district_id=DISTRICT,
        base_url=canvas.url,
        token=SecretStr(TOKEN),
        gradebook_column=True,
        http=fast_http,
    )
    reports = [
        make_report(c, students={"S-1001": "phonics", "S-1002": "fractions"}) for c in ("ALG-1", "ALG-2")
    ]
    with caplog.at_level("INFO"):
        records = push_reports(warehouse, DISTRICT, "canvas", CanvasDestination(config), reports)
    assert [r.outcome for r in records] == [PushOutcome.CREATED, PushOutcome.FAILED]
    assert "1 failed" in caplog.text
    for secret_or_student in (TOKEN, "S-1001", "S-1002"):
        assert secret_or_student not in caplog.text
        assert secret_or_student not in repr(config) + str(config)
        assert all(secret_or_student not in str(row) for row in log_rows(warehouse))
