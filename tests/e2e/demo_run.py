"""`tutorhub demo` as a user runs it: the installed command, in a clean environment, in its own folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def demo_environment() -> tuple[Path, dict[str, str]]:
    """The venv's ``tutorhub`` and an environment without the caller's hub or Dagster settings."""
    tutorhub = Path(sys.executable).with_name("tutorhub")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DAGSTER_", "TUTORHUB_"))}
    return tutorhub, env


def run_demo(directory: Path, students: int = 600) -> subprocess.CompletedProcess[str]:
    """Run the demo into ``directory``, from its parent folder, in ``demo_environment``."""
    tutorhub, env = demo_environment()
    return subprocess.run(
        [str(tutorhub), "demo", "--students", str(students), "--dir", str(directory)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=directory.parent,
    )
