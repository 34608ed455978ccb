"""A push that finds the very set its destination confirmed last time sends nothing and reads no body.

Each test pushes a kept rendered set (real Parquet, a real files destination, a real SQLite ledger) through
``push_district`` as the night's push step does, and checks when the push takes the set as confirmed and
when it must plan, hash and send as before: a changed report, a failed send, a ledger changed by hand.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from sqlalchemy import delete

from hub.connector import PushOutcome, RenderedReport
from hub.model import PushTarget
from hub.pipeline.context import DistrictRun
from hub.pipeline.delivery import RENDERED, push_district, reports_dir
from hub.pipeline.rendered_store import rendered_table
from hub.plugins import installed
from hub.settings import load_hub_config

KEPT = "as confirmed last time, unchanged"


@pytest.fixture
def run(tmp_path: Path):
    files = {"name": "share", "type": "files", "settings": {"directory": str(tmp_path / "share")}}
    district = {"id": "d1", "name": "D1", "connectors": [files]}
    config = tmp_path / "hub.yaml"
    config.write_text(yaml.safe_dump({"data_dir": "data", "districts": [district]}), encoding="utf-8")
    hub = load_hub_config(config)
    opened = DistrictRun(hub, hub.district("d1"), installed())
    yield opened
    opened.close()


def keep(run: DistrictRun, bodies: dict[tuple[str, str], bytes]) -> None:
    """A rendered set as the reports step keeps it."""
    reports = [
        RenderedReport(kind, target, target, "text/html", body) for (kind, target), body in bodies.items()
    ]
    reports_dir(run).mkdir(parents=True, exist_ok=True)
    pq.write_table(rendered_table(reports), reports_dir(run) / RENDERED)


def push(run: DistrictRun, caplog: pytest.LogCaptureFixture) -> tuple[dict[str, PushOutcome], bool]:
    """Each target's outcome, and whether the push took the set as confirmed."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="hub.pipeline.delivery"):
        [records] = push_district(run).values()
    outcomes = {record.target: record.outcome for record in records}
    return outcomes, any(KEPT in message for message in caplog.messages)


SET = {("teacher", "S-1"): b"<p>one</p>", ("teacher", "S-2"): b"<p>two</p>", ("tutor", "T-1"): b"<p>t</p>"}


def test_a_set_confirmed_whole_is_taken_as_sent(run: DistrictRun, caplog: pytest.LogCaptureFixture) -> None:
    keep(run, SET)
    assert push(run, caplog) == (dict.fromkeys(["S-1", "S-2", "T-1"], PushOutcome.CREATED), False)
    outcomes, kept = push(run, caplog)
    assert kept and outcomes == dict.fromkeys(["S-1", "S-2", "T-1"], PushOutcome.UNCHANGED)
    keep(run, {**SET, ("teacher", "S-2"): b"<p>two, changed</p>"})
    outcomes, kept = push(run, caplog)
    assert not kept and outcomes["S-2"] is PushOutcome.UPDATED and outcomes["S-1"] is PushOutcome.UNCHANGED
    assert (
        run.hub.data_dir.parent / "share" / "d1" / "teacher-S-2.html"
    ).read_bytes() == b"<p>two, changed</p>"
    assert push(run, caplog)[1]


def test_a_failed_send_is_sent_again_on_the_rerun(
    run: DistrictRun, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    keep(run, SET)
    page = tmp_path / "share" / "d1" / "tutor-T-1.html"
    page.mkdir(parents=True)  # a folder where the tutor's page goes: its send fails
    outcomes, kept = push(run, caplog)
    assert outcomes["T-1"] is PushOutcome.FAILED and not kept
    page.rmdir()
    outcomes, kept = push(run, caplog)
    assert not kept and outcomes["T-1"] is PushOutcome.CREATED
    assert page.read_bytes() == b"<p>t</p>"
    assert push(run, caplog)[1]


def test_a_ledger_changed_since_is_planned_again(run: DistrictRun, caplog: pytest.LogCaptureFixture) -> None:
    keep(run, SET)
    push(run, caplog)
    with run.warehouse.engine.begin() as connection:  # an operator clears one target to have it sent again
        connection.execute(delete(PushTarget).where(PushTarget.target == "S-1"))
    outcomes, kept = push(run, caplog)
    assert not kept and outcomes["S-1"] is PushOutcome.UNCHANGED  # its file already holds these bytes
    assert push(run, caplog)[1]
