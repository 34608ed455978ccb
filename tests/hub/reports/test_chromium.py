"""The school dashboard in a real browser: headless Chromium renders it with no console errors.

Debian's ``chromium`` is installed by ``.ci/run``. Without it the test skips, except under CI (``CI`` set),
where a missing browser fails rather than silently passing. Set ``TUTORHUB_SCREENSHOT_DIR`` to keep the
phone- and desktop-size screenshots for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from hub.reports import AlignmentReport, render

CONSOLE = re.compile(r":CONSOLE[:(]|Uncaught")
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


def chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    message = "headless Chromium not found (Debian package 'chromium'; .ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def run_chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *extra,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE.search(line)]


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.fixture
def dashboard(large_reports: list[AlignmentReport], tmp_path: Path) -> Path:
    school = next(report for report in large_reports if report.kind == "school")
    page = tmp_path / "school.html"
    page.write_bytes(render(school, ["text/html"])[0].body)
    return page


def test_the_console_check_catches_a_failing_page(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><title>x</title><script>throw new Error('boom')</script>")
    result = run_chromium(broken, tmp_path / "profile", "--dump-dom")
    assert any("boom" in line for line in console_errors(result.stderr)), result.stderr[-2000:]


def test_the_school_dashboard_renders_without_console_errors(dashboard: Path, tmp_path: Path) -> None:
    result = run_chromium(dashboard, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_errors(result.stderr) == []
    dom = result.stdout
    assert "<h1>Tutoring dashboard: Maple Elementary</h1>" in dom
    assert dom.count('role="img"') >= 6 and "Tier pyramid against the healthy ranges" in dom


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_school_dashboard_screenshots_at_phone_and_desktop_size(
    dashboard: Path, tmp_path: Path, size: str
) -> None:
    width, height = SIZES[size]
    shot = tmp_path / f"school-{size}.png"
    result = run_chromium(
        dashboard, tmp_path / "profile", f"--screenshot={shot}", f"--window-size={width},{height}"
    )
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    assert console_errors(result.stderr) == []
    assert png_size(shot) == (width, height)
    assert shot.stat().st_size > 20_000  # a blank page compresses to a few kB
    keep = os.environ.get("TUTORHUB_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
