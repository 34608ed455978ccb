"""The README's promise: `tutorhub demo` runs a whole night on a synthetic district and says where to look."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.demo_run import run_demo


@pytest.mark.slow
def test_demo_runs_the_whole_night(tmp_path: Path) -> None:
    finished = run_demo(tmp_path / "demo")
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
    assert "dagster dev -m assets.definitions" in output
