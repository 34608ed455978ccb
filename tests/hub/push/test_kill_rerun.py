"""A push process killed mid-run: the rerun sends only what the ledger did not see confirmed.

The fake Canvas answers the first K page writes, then applies the next one and holds its answer; the
test SIGKILLs the pushing process while it waits. The in-flight page landed on the server but not in the
ledger, so the rerun sends it again, as a PUT that updates; every other page goes exactly once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import select

from connectors.canvas import CanvasConfig, CanvasDestination
from hub.connector import PushOutcome
from hub.model import PushLog, PushTarget
from hub.push import push_reports
from hub.warehouse import Warehouse
from testkit.fakes.canvas import FakeCanvas

TOKEN = "kill-test-token"
COURSES = [f"SEC-{n}" for n in range(1, 7)]
CONFIRMED_BEFORE_KILL = 3
CHILD = Path(__file__).with_name("push_child.py")


def test_rerun_after_kill_sends_only_what_was_missing(
    warehouse_url: str, tmp_path: Path, make_report
) -> None:
    warehouse = Warehouse(warehouse_url)
    reports = [make_report(course, f"<h1>{course}</h1>") for course in COURSES]
    reports_file = tmp_path / "reports.json"
    saved = [{**asdict(report), "body": report.body.decode()} for report in reports]
    reports_file.write_text(json.dumps(saved), encoding="utf-8")
    with FakeCanvas(token=TOKEN) as canvas:
        for course in COURSES:
            canvas.add_course(course)
        canvas.stall_after(CONFIRMED_BEFORE_KILL)
        child = subprocess.Popen(
            [sys.executable, str(CHILD), warehouse_url, canvas.url, TOKEN, str(reports_file)]
        )
        try:
            assert canvas.stalled.wait(timeout=30), "the push process never reached the held answer"
        finally:
            child.kill()
            child.wait(timeout=10)
        assert child.returncode == -9

        in_flight = COURSES[CONFIRMED_BEFORE_KILL]
        assert {key for _, key, _ in canvas.writes} == {f"{c}/tutorhub-teacher" for c in COURSES[:4]}
        with warehouse.engine.connect() as connection:
            confirmed = connection.execute(select(PushTarget.target, PushTarget.last_outcome)).all()
        assert sorted(confirmed) == [(c, "created") for c in COURSES[:CONFIRMED_BEFORE_KILL]]

        canvas.stall_after(None)
        config = CanvasConfig(district_id="test_district", base_url=canvas.url, token=SecretStr(TOKEN))
        rerun = push_reports(warehouse, "test_district", "canvas", CanvasDestination(config), reports)

        assert [r.outcome for r in rerun] == [PushOutcome.UNCHANGED] * 3 + [
            PushOutcome.UPDATED,  # the in-flight page: on the server already, so the re-send updates it
            PushOutcome.CREATED,
            PushOutcome.CREATED,
        ]
        assert canvas.write_counts("page", "create") == {f"{c}/tutorhub-teacher": 1 for c in COURSES}
        assert canvas.write_counts("page", "update") == {f"{in_flight}/tutorhub-teacher": 1}
        for course in COURSES:
            assert canvas.page(course, "tutorhub-teacher")["body"] == f"<h1>{course}</h1>"
    with warehouse.engine.connect() as connection:
        log = connection.execute(select(PushLog.target, PushLog.outcome).order_by(PushLog.log_id)).all()
        hashes = dict(connection.execute(select(PushTarget.target, PushTarget.content_hash)).all())
    assert [tuple(row) for row in log] == [(c, "created") for c in COURSES[:3]] + [
        (c, o) for c, o in zip(COURSES, ["unchanged"] * 3 + ["updated", "created", "created"], strict=True)
    ]
    assert hashes == {r.target: r.content_hash for r in rerun}
    warehouse.dispose()
