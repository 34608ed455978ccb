"""The night's executor comes from hub.yaml alone; the embedded default never imports dagster-celery."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assets.definitions import build_definitions
from assets.executors import night_executor
from hub.settings import ConfigError, ExecutorConfig, load_hub_config

CELERY = """
executor:
  type: celery
  config:
    broker: {env: TUTORHUB_CELERY_BROKER}
    backend: rpc://
districts:
  - {id: alpha, name: Alpha}
"""


def test_the_celery_executor_is_named_in_hub_yaml(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text(CELERY, encoding="utf-8")
    night = build_definitions(tmp_path / "hub.yaml").resolve_job_def("night")

    assert night.executor_def.name == "celery"
    assert load_hub_config(tmp_path / "hub.yaml").executor == ExecutorConfig(
        type="celery", config={"broker": {"env": "TUTORHUB_CELERY_BROKER"}, "backend": "rpc://"}
    )


def test_without_an_executor_the_night_keeps_dagsters_default(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text("districts:\n  - {id: alpha, name: Alpha}\n", encoding="utf-8")
    night = build_definitions(tmp_path / "hub.yaml").resolve_job_def("night")

    assert night.executor_def.name == "multi_or_in_process_executor"


def test_the_embedded_default_imports_nothing_of_celery(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text("districts:\n  - {id: alpha, name: Alpha}\n", encoding="utf-8")
    imports = "import sys, assets.definitions, cli.night, cli.main"
    probe = f"{imports}; print([name for name in sys.modules if 'celery' in name])"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_celery_without_the_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dagster_celery", None)  # as if the extra were not installed
    with pytest.raises(ConfigError, match=r"pip install 'tutorhub\[celery\]'"):
        night_executor(ExecutorConfig(type="celery"))


def test_an_unknown_executor_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text(CELERY.replace("type: celery", "type: dask"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"executor.type: Input should be 'in_process', 'multiprocess'"):
        load_hub_config(tmp_path / "hub.yaml")
