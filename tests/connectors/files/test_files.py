"""The files destination: a folder per district, atomic writes, unchanged content left alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from connectors.files import FilesConfig, FilesDestination
from hub.connector import PushOutcome, RenderedReport
from hub.model import PushLog, PushTarget
from hub.plugins import discover
from hub.push import push_reports
from hub.warehouse import Warehouse


def report(target: str, body: bytes, content_type: str = "text/html", kind: str = "school") -> RenderedReport:
    return RenderedReport(kind, target, "School dashboard", content_type, body)


@pytest.fixture
def destination(tmp_path: Path) -> FilesDestination:
    return FilesDestination(FilesConfig(district_id="north", directory=tmp_path / "drop"))


def test_created_unchanged_updated(destination: FilesDestination, tmp_path: Path) -> None:
    first = destination.push(
        [report("lincoln-high", b"<h1>v1</h1>"), report("lincoln-high", b"a,b\n", "text/csv")]
    )
    assert [r.outcome for r in first] == [PushOutcome.CREATED, PushOutcome.CREATED]
    folder = tmp_path / "drop" / "north"
    assert sorted(p.name for p in folder.iterdir()) == ["school-lincoln-high.csv", "school-lincoln-high.html"]

    [same] = destination.push([report("lincoln-high", b"<h1>v1</h1>")])
    [changed] = destination.push([report("lincoln-high", b"<h1>v2</h1>")])
    assert (same.outcome, changed.outcome) == (PushOutcome.UNCHANGED, PushOutcome.UPDATED)
    assert (folder / "school-lincoln-high.html").read_bytes() == b"<h1>v2</h1>"
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]  # no temporary file left behind


def test_a_target_cannot_leave_the_district_folder(destination: FilesDestination, tmp_path: Path) -> None:
    [result] = destination.push([report("../../south/x", b"<p/>")])
    assert result.outcome is PushOutcome.CREATED
    assert [p.name for p in (tmp_path / "drop" / "north").iterdir()] == ["school-..%2F..%2Fsouth%2Fx.html"]
    assert sorted(p.name for p in (tmp_path / "drop").iterdir()) == ["north"]


def test_a_write_that_cannot_happen_is_a_failure_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "drop").write_text("a file where the folder should be")
    destination = FilesDestination(FilesConfig(district_id="north", directory=tmp_path / "drop"))
    [result] = destination.push([report("lincoln-high", b"<p/>")])
    assert result.outcome is PushOutcome.FAILED
    assert result.detail.startswith(("FileExistsError", "NotADirectoryError"))


def test_relative_directory_is_taken_from_the_config_folder(tmp_path: Path) -> None:
    config = FilesConfig.model_validate(
        {"directory": "reports"}, context={"base_dir": tmp_path, "district_id": "north"}
    )
    assert (config.directory, config.district_id) == (tmp_path / "reports", "north")


def test_through_the_driver_every_rendering_is_its_own_target(tmp_path: Path) -> None:
    warehouse = Warehouse(f"sqlite:///{tmp_path / 'warehouse.db'}")
    destination = FilesDestination(FilesConfig(district_id="north", directory=tmp_path / "drop"))
    renderings = [
        report("north", b"<h1>d</h1>", kind="district"),
        report("north", b"x\n", "text/csv", kind="district"),
        report("north", b"{}", "application/json", kind="district"),
        report("north", b"%PDF", "application/pdf", kind="district"),  # not a type this drop takes
    ]
    records = push_reports(warehouse, "north", "sftp_drop", destination, renderings)
    assert [(r.content_type, r.outcome) for r in records] == [
        ("text/html", PushOutcome.CREATED),
        ("text/csv", PushOutcome.CREATED),
        ("application/json", PushOutcome.CREATED),
    ]
    again = push_reports(warehouse, "north", "sftp_drop", destination, renderings)
    assert {r.outcome for r in again} == {PushOutcome.UNCHANGED}
    warehouse.dispose()


def test_registered_through_the_entry_point() -> None:
    assert discover().get("files").cls is FilesDestination


class _KilledDuringSecondBatch(FilesDestination):
    """The files destination in a push process that dies (SystemExit, as a kill leaves things) right after
    writing its second batch's files, before the driver records that batch in the ledger."""

    calls = 0

    def push(self, reports):  # type: ignore[no-untyped-def]
        results = super().push(reports)
        type(self).calls += 1
        if self.calls == 2:
            raise SystemExit("killed")
        return results


def test_a_push_killed_mid_batch_is_rerun_without_losing_or_doubling_a_send(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("hub.push.driver.BATCH", 3)  # three sends per ledger transaction
    warehouse = Warehouse(f"sqlite:///{tmp_path / 'warehouse.db'}")
    config = FilesConfig(district_id="north", directory=tmp_path / "drop")
    reports = [report(f"school-{n}", f"<h1>{n}</h1>".encode()) for n in range(8)]
    with pytest.raises(SystemExit):
        push_reports(warehouse, "north", "sftp_drop", _KilledDuringSecondBatch(config), reports)
    folder = tmp_path / "drop" / "north"
    assert len(list(folder.glob("*.html"))) == 6  # two batches written; only the first recorded
    with warehouse.engine.connect() as connection:
        recorded = connection.execute(select(PushTarget.target)).scalars().all()
    assert sorted(recorded) == [f"school-{n}" for n in range(3)]

    rerun = push_reports(warehouse, "north", "sftp_drop", FilesDestination(config), reports)
    outcomes = [r.outcome for r in rerun]
    # the recorded batch is not sent again; the unrecorded one is, onto the same files with the same bytes
    assert outcomes == [PushOutcome.UNCHANGED] * 6 + [PushOutcome.CREATED] * 2
    assert [r.action for r in rerun] == ["unchanged"] * 3 + ["create"] * 5
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {
        f"school-school-{n}.html": f"<h1>{n}</h1>".encode() for n in range(8)
    }  # every report once, whole, and no temporary file left behind
    with warehouse.engine.connect() as connection:
        hashes = dict(connection.execute(select(PushTarget.target, PushTarget.content_hash)).all())
        logged = connection.execute(select(PushLog.target).order_by(PushLog.log_id)).scalars().all()
    assert hashes == {r.target: r.content_hash for r in rerun}
    assert logged == [f"school-{n}" for n in range(3)] + [r.target for r in rerun]
    again = push_reports(warehouse, "north", "sftp_drop", FilesDestination(config), reports)
    assert {r.action for r in again} == {"unchanged"}
    warehouse.dispose()
