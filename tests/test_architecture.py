"""The architecture contracts in pyproject.toml hold, and they would catch the imports they forbid.

`lint-imports` reads the import graph statically. The tree as it stands keeps every contract; a copy of it
with one forbidden import added breaks the contract that names it, so a violation fails the suite.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("hub", "connectors", "assets", "cli", "testkit")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

CONTRACTS = [
    contract["name"]
    for contract in tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
]


def contract(beginning: str) -> str:
    [name] = [name for name in CONTRACTS if name.startswith(beginning)]
    return name


LAYERS = contract("Dependencies point one way")
NO_TESTKIT = contract("Production code never imports testkit")
NOT_THROUGH_A_WRITER = contract("Nothing the night loads reaches testkit")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` over the packages under ``root`` (found there first, not the installed checkout)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def broken_contracts(output: str) -> set[str]:
    """The names of the contracts the report's summary calls BROKEN (the report wraps long names)."""
    summary = " ".join(output.split("dependencies.", 1)[1].split("Contracts:", 1)[0].split())
    verdicts = re.findall(r"-* ?(.+?) (KEPT|BROKEN)(?: \([^)]*\))?", summary)
    return {name for name, verdict in verdicts if verdict == "BROKEN"}


def test_the_tree_keeps_every_contract() -> None:
    result = lint_imports(REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "added_import", "broken"),
    [
        ("hub/settings.py", "import testkit.synthetic", {NO_TESTKIT, NOT_THROUGH_A_WRITER}),
        ("connectors/iready/source.py", "from connectors.iready import writer", {NOT_THROUGH_A_WRITER}),
        ("cli/night.py", "import cli.demo", {NOT_THROUGH_A_WRITER}),
        (
            "assets/definitions.py",
            "from testkit.fakes.canvas import FakeCanvas",
            {NO_TESTKIT, NOT_THROUGH_A_WRITER},
        ),
        ("hub/settings.py", "import connectors.files", {LAYERS}),
    ],
    ids=[
        "core-imports-testkit",
        "reader-imports-writer",
        "command-imports-demo",
        "assets-import-fake",
        "core-imports-connector",
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, added_import: str, broken: set[str]
) -> None:
    for package in PACKAGES:
        shutil.copytree(REPO_ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path)
    with (tmp_path / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{added_import}  # added by the test\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert broken_contracts(result.stdout) == broken, result.stdout
