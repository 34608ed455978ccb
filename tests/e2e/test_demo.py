"""The README's promise: `tutorhub demo` runs a whole night on a synthetic district and says where to look."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.demo_run import demo_environment, run_demo


@pytest.mark.slow
def test_demo_runs_the_whole_night(tmp_path: Path) -> None:
    tutorhub, env = demo_environment()
    directory = tmp_path / "demo"
    finished = run_demo(directory)
    output = finished.stdout
    assert finished.returncode == 0, output[-3000:] + finished.stderr[-3000:]
    assert "Traceback" not in output + finished.stderr
    # every stage landed rows
    counts = dict(re.findall(r"^\s+(\w+)\s+([\d,]+) rows$", output, flags=re.MULTILINE))
    for table in (
        "person",
        "enrollment",
        "assessment_result",
        "skill_gap",
        "tutoring_group",
        "session_attendance",
        "progress_point",
        "progress_goal",
    ):
        assert int(counts[table].replace(",", "")) > 0, table
    # pushed to the fake Canvas that the demo started and stopped
    pushed = int(re.search(r"Canvas pages pushed: (\d+)", output).group(1))
    assert pushed > 0
    # the school dashboard it points at exists and is a self-contained page
    dashboard = Path(re.search(r"a school dashboard: (\S+)", output).group(1))
    page = dashboard.read_text(encoding="utf-8")
    assert (
        page.startswith("<!DOCTYPE html>")
        and "<svg" in page
        and "http://" not in page.replace("http://www.w3.org", "")
    )
    # the printed commands name the venv's tutorhub, so they work without activating it
    assert f"        cd {directory}\n" in output
    for command in ("ui", "check", "sync", "push --dry-run"):
        assert f"        {tutorhub} {command} " in output, command
    _the_folder_stays_a_working_hub(tutorhub, directory, env)
    again = run_demo(directory)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert (
        f"    {directory} holds an earlier demo: replacing its exports, warehouse, reports and hub.yaml; "
        "keeping its Dagster run history (data/dagster)"
    ) in again.stdout
    runs = directory / "data" / "dagster" / "history" / "runs"
    assert len(list(runs.glob("*.db"))) >= 3  # the first demo, the sync in its folder, the second demo


def _the_folder_stays_a_working_hub(tutorhub: Path, directory: Path, env: dict[str, str]) -> None:
    """check, sync and push --dry-run run in the demo folder after the demo, its fake Canvas gone."""
    hub_yaml = (directory / "hub.yaml").read_text(encoding="utf-8")
    assert "schedule_status: stopped" in hub_yaml and "canvas" not in hub_yaml

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(tutorhub), *args], capture_output=True, text=True, env=env, timeout=600, cwd=directory
        )

    checked = run("check")
    assert (checked.returncode, checked.stdout) == (0, "demo: ready (6 connectors)\n"), checked.stderr
    data = directory / "data" / "demo"
    before = _stamps(data / "reports", data / "raw")
    synced = run("sync")
    assert synced.returncode == 0, synced.stdout[-3000:] + synced.stderr[-3000:]
    # nothing changed since the demo's night: no source read again, no report rendered or written again
    assert _stamps(data / "reports", data / "raw") == before
    assert synced.stdout.startswith("demo: ok (Dagster run ")
    assert "Traceback" not in synced.stdout + synced.stderr
    dry = run("push", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("demo -> sftp_drop: 0 create, 0 update, ")


def _stamps(*folders: Path) -> dict[Path, int]:
    """Every file under ``folders`` with the time it was last written."""
    return {
        path: path.stat().st_mtime_ns for folder in folders for path in folder.rglob("*") if path.is_file()
    }
