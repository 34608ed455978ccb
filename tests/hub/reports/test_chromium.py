"""Reports in a real browser: headless Chromium renders them with no console errors, and no table is cut
off at laptop (1280 px) or phone (390 px) width, measured in the page rather than judged by eye.

Debian's ``chromium`` is installed by ``.ci/run``. Without it the test skips, except under CI (``CI`` set),
where a missing browser fails rather than silently passing. Set ``TUTORHUB_SCREENSHOT_DIR`` to keep the
phone- and desktop-size screenshots for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
from datetime import date
from pathlib import Path

import pytest

from hub.reports import AlignmentReport, ReportInputs, render
from hub.reports.directory import directory
from hub.reports.packet import build_review_packets
from tests.hub.reports.conftest import ENTRY, GENERATED_AT

CONSOLE = re.compile(r":CONSOLE[:(]|Uncaught")
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
WIDTHS = (1280, 390)
# Headless Chromium will not make its window narrower than 500 px, so the report is laid out in an iframe of
# the width under test; the outer page opens every <details> (chart tables too) and measures each table.
MEASURE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="report" src="{page}" style="width:{width}px;height:900px;border:0"></iframe>
<script>
addEventListener("load", () => {{
  const doc = document.getElementById("report").contentDocument;
  for (const details of doc.querySelectorAll("details")) details.open = true;
  const root = doc.documentElement, cut = [];
  if (root.scrollWidth > root.clientWidth) cut.push("the page: " + root.scrollWidth + " px");
  for (const wrap of doc.querySelectorAll(".table-wrap")) {{
    if (wrap.scrollWidth > wrap.clientWidth + 1) {{
      cut.push(wrap.getAttribute("aria-label") + ": " + wrap.scrollWidth + " > " + wrap.clientWidth + " px");
    }}
  }}
  const out = document.createElement("pre");
  out.id = "measured";
  const tables = doc.querySelectorAll("table").length;
  out.textContent = JSON.stringify({{width: root.clientWidth, tables, cut}});
  document.body.appendChild(out);
}});
</script></body></html>
"""


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


def cut_off(page: Path, width: int, profile: Path) -> dict:
    """What Chromium measures of ``page`` laid out ``width`` px wide: its width, tables, and those cut off."""
    frame = page.with_name(f"{page.stem}-at-{width}.html")
    frame.write_text(MEASURE.format(page=page.name, width=width), encoding="utf-8")
    result = run_chromium(
        frame, profile, "--allow-file-access-from-files", "--window-size=1400,900", "--dump-dom"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'<pre id="measured">([^<]*)</pre>', result.stdout)
    assert found, result.stdout[-2000:]
    return json.loads(found.group(1).replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&"))


def test_the_measurement_sees_a_table_that_is_cut_off(tmp_path: Path) -> None:
    wide = "".join(f"<th>a heading that does not wrap {i}</th>" for i in range(12))
    page = tmp_path / "wide.html"
    page.write_text(
        '<!DOCTYPE html><div class="table-wrap" aria-label="wide" style="overflow-x:auto">'
        f'<table style="white-space:nowrap"><tr>{wide}</tr></table></div>'
    )
    for width in WIDTHS:
        measured = cut_off(page, width, tmp_path / "profile")
        assert measured["width"] == width and measured["cut"] == [
            f"wide: {measured['cut'][0].split(': ')[1]}"
        ]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", ["teacher", "tutor", "school", "district"])
def test_no_table_is_cut_off_at_laptop_or_phone_width(
    large_reports: list[AlignmentReport], tmp_path: Path, kind: str, width: int
) -> None:
    report = next(report for report in large_reports if report.kind == kind)
    page = tmp_path / f"{kind}.html"
    page.write_bytes(render(report, ["text/html"])[0].body)
    measured = cut_off(page, width, tmp_path / "profile")
    assert measured["width"] == width and measured["tables"] > 0
    assert measured["cut"] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_no_table_of_the_review_packet_is_cut_off(large: ReportInputs, tmp_path: Path, width: int) -> None:
    [packet] = build_review_packets(large, directory(large, {}), GENERATED_AT, date(2026, 2, 16), ENTRY)
    page = tmp_path / "review_packet.html"
    page.write_bytes(render(packet, ["text/html"])[0].body)
    measured = cut_off(page, width, tmp_path / "profile")
    assert measured["width"] == width and measured["tables"] > 0
    assert measured["cut"] == []
