"""Hostile inputs: the real vendor samples and the hub's own writers' files, corrupted the ways exports break.

Every input goes through ``tutorhub validate KIND PATH --json`` in process, and the outcome must be one an
IT person can act on: rows rejected or warned with file, line and reason while the rest loads, or one
file-level message. Never exit 3 (an unexpected error), never a traceback, never more than 30 s.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import main
from connectors.progress_csv.writer import write_progress
from connectors.session_log.writer import simulate_tutoring, write_tutors
from testkit.synthetic import DistrictSpec, build_district

SECONDS_PER_FILE = 30


@dataclass(frozen=True, slots=True)
class Outcome:
    exit_code: int
    output: str  # what a person sees: the JSON, or the message
    stdout: str
    seconds: float

    @property
    def summary(self) -> dict[str, Any] | None:
        try:
            parsed = json.loads(self.stdout)
        except json.JSONDecodeError:
            return None
        return parsed if isinstance(parsed, dict) else None

    def rejects(self) -> list[dict[str, Any]]:
        return list((self.summary or {}).get("rejects", []))

    def warned(self, file: str) -> dict[str, int]:
        return dict((self.summary or {}).get("files", {}).get(file, {}).get("warnings_by_kind", {}))


def validate(kind: str, path: Path) -> Outcome:
    """Run ``validate --json`` and check what every hostile input must satisfy, whatever it is."""
    start = time.perf_counter()
    result = CliRunner().invoke(main, ["validate", kind, str(path), "--json"])
    seconds = time.perf_counter() - start
    assert result.exit_code != 3, f"unexpected error (exit 3) for {path.name}:\n{result.output}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{kind} {path.name}: an exception escaped") from result.exception
    assert "Traceback" not in result.output, result.output
    assert seconds < SECONDS_PER_FILE, f"{path.name} took {seconds:.1f} s"
    outcome = Outcome(result.exit_code, result.output, result.stdout, seconds)
    if outcome.summary is None:  # a file-level error: one message naming what to fix
        assert result.exit_code in (1, 2), result.output
        assert len(result.output.strip().splitlines()) <= 3, result.output
    return outcome


@pytest.fixture(scope="session")
def _written_samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hub's own session log, tutors file and progress CSV, written once for the whole suite."""
    root = tmp_path_factory.mktemp("samples")
    simulation = simulate_tutoring(build_district(DistrictSpec(students=200, seed=14)))
    sessions = root / "session_log"
    simulation.write(sessions)
    write_tutors(simulation.district, sessions)
    write_progress(simulation, root / "progress")
    return root


@pytest.fixture
def samples(_written_samples: Path, shared_fixtures: Path) -> dict[str, Path]:
    """One clean input per source connector: the shared samples, and the hub's own formats' writers."""
    return {
        "oneroster": shared_fixtures / "oneroster" / "edfi-lms-toolkit-1.1",
        "iready": shared_fixtures / "iready" / "diagnostic-results-2025-26",
        "map": shared_fixtures / "nwea-map",
        "sessions": _written_samples / "session_log",
        "progress": _written_samples / "progress",
    }


# The file each connector's corruptions are made in, and how a copy of the sample is laid out.
TARGETS = {
    "oneroster": "users.csv",
    "iready": "math.csv",
    "map": "AssessmentResults.csv",
    "sessions": "sessions.csv",
    "progress": "orf.csv",
}


@pytest.fixture
def copy_of(samples: dict[str, Path], tmp_path: Path):
    """A writable copy of a sample: ``copy_of(kind)`` gives (folder, path of the file to corrupt)."""

    def copy(kind: str) -> tuple[Path, Path]:
        folder = tmp_path / kind
        shutil.rmtree(folder, ignore_errors=True)  # hypothesis calls again within one test
        shutil.copytree(samples[kind], folder)
        return folder, folder / TARGETS[kind]

    return copy
