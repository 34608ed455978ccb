"""The largest hostile files, run as a person runs them (the ``tutorhub`` command in its own process), stay
under the 1 GB of memory the issue allows for a file under 10 MB, measured on that process. (The 30 s
limit is asserted in process by every hostile test; here the command's own start-up would blur it.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PEAK_BYTES = 1 << 30


def _run(kind: str, path: Path) -> tuple[int, int]:
    """(exit code, peak resident bytes) of ``tutorhub validate KIND PATH --json``."""
    command = [str(Path(sys.executable).with_name("tutorhub")), "validate", kind, str(path), "--json"]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, usage.ru_maxrss * 1024  # Linux reports KiB


@pytest.mark.parametrize("kind", ["oneroster", "iready", "map", "sessions"])
def test_a_ten_megabyte_cell_stays_under_a_gigabyte(kind: str, copy_of) -> None:  # type: ignore[no-untyped-def]
    folder, target = copy_of(kind)
    lines = target.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2].replace(b",", b"," + b"x" * (10 << 20), 1)
    target.write_bytes(b"".join(lines))
    code, peak = _run(kind, folder)
    assert code in (0, 1) and peak < PEAK_BYTES, (code, peak)
