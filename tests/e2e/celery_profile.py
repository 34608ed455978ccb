"""The Celery production profile (deploy/celery) brought up for a test: its dagster.yaml as the instance,
two dagster-celery workers and the Dagster daemon as processes of their own, on a queue of the test's own
so that other runs sharing the broker never take its tasks."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PROFILE = REPO / "deploy" / "celery"
BROKER = os.environ.get("TUTORHUB_TEST_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
BIN = Path(sys.executable).parent
T = TypeVar("T")


def require_broker() -> None:
    """Skip (under CI, fail) when the broker does not answer; .ci/run checks it before the tests."""
    host, port = "127.0.0.1", 5672
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as error:
        message = f"the Celery broker (RabbitMQ) is not reachable on {host}:{port}: {error}"
        if os.environ.get("TUTORHUB_REQUIRE_BROKER") == "1":
            pytest.fail(message)
        pytest.skip(message)


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, logs: list[Path]) -> T:
    """Poll ``probe`` until it returns something; on timeout, fail with the processes' last log lines."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(1)
    tails = "\n".join(f"--- {log.name}\n" + "\n".join(log.read_text().splitlines()[-15:]) for log in logs)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")


class Profile:
    """Files and processes of one Celery hub: DAGSTER_HOME, hub.yaml, worker.yaml, workers, daemon."""

    def __init__(self, root: Path, dagster_url: str, extra_env: dict[str, str]) -> None:
        self.root = root
        self.queue = f"tutorhub-test-{uuid.uuid4().hex[:8]}"
        self.home = root / "dagster_home"
        self.home.mkdir(parents=True)
        shutil.copy(PROFILE / "dagster.yaml", self.home / "dagster.yaml")
        self.hub_path = root / "hub.yaml"
        self.worker_yaml = root / "worker.yaml"
        self.env = {
            **os.environ,
            **extra_env,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "DAGSTER_HOME": str(self.home),
            "DAGSTER_PG_URL": dagster_url,
            "TUTORHUB_CONFIG": str(self.hub_path),
            "TUTORHUB_CELERY_BROKER": BROKER,
            "DAGSTER_DISABLE_TELEMETRY": "1",
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def write(self, data_dir: Path) -> None:
        """hub.yaml and worker.yaml as the profile writes them; only the data dir and the queue differ."""
        hub = yaml.safe_load((PROFILE / "hub.yaml").read_text())
        hub["data_dir"] = str(data_dir)
        hub["executor"]["config"]["config_source"] = {"task_default_queue": self.queue}
        self.hub_path.write_text(yaml.safe_dump(hub), encoding="utf-8")
        worker = yaml.safe_load((PROFILE / "worker.yaml").read_text())
        worker["execution"]["config"]["config_source"] = {"task_default_queue": self.queue}
        self.worker_yaml.write_text(yaml.safe_dump(worker), encoding="utf-8")

    def log(self, name: str) -> Path:
        return self.root / f"{name}.log"

    def start(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        with self.log(name).open("wb") as out:
            process = subprocess.Popen(
                command,
                env=self.env,
                cwd=self.root,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def start_worker(self, name: str) -> None:
        """dagster-celery's documented worker CLI; one task at a time, so two workers are two slots. The
        node name carries the queue: names must be unique on the broker."""
        command = [str(BIN / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app"]
        command += ["-y", str(self.worker_yaml), "-n", self.worker_name(name), "-q", self.queue]
        self.start(name, [*command, "--", "--concurrency=1"])

    def worker_name(self, name: str) -> str:
        return f"{name}.{self.queue}"

    def await_workers(self, names: list[str], timeout: float = 180) -> None:
        """Until every named worker answers a ping through the broker."""
        wanted = {f"{self.worker_name(name)}@{socket.gethostname()}" for name in names}
        app = self.celery_app()
        logs = [self.log(name) for name in self.processes]

        def answering() -> bool | None:
            replies = app.control.inspect(timeout=2).ping() or {}
            return wanted <= set(replies) or None

        wait_for(f"the workers {sorted(wanted)} to answer", answering, timeout, logs)

    def start_daemon(self) -> None:
        self.start("daemon", [str(BIN / "dagster-daemon"), "run", "-m", "assets.definitions"])

    def run(self, command: list[str], timeout: float = 300) -> str:
        done = subprocess.run(
            command, env=self.env, cwd=self.root, capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, f"{command[:3]} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def await_partitions(self, instance: Any, district_ids: list[str], timeout: float = 300) -> None:
        """Until the districts sensor, in the daemon, has added a partition for every district file."""
        wanted = set(district_ids)
        logs = [self.log(name) for name in self.processes]
        probe = lambda: set(instance.get_dynamic_partitions("districts")) == wanted or None  # noqa: E731
        wait_for("the districts sensor to add every district file's partition", probe, timeout, logs)

    def backfill(self, district_ids: list[str], tags: dict[str, str]) -> str:
        """The nights of these districts as one backfill of the ``night`` job, queued; its id."""
        command = [str(BIN / "dagster"), "job", "backfill", "-m", "assets.definitions", "-j", "night"]
        command += ["--partitions", ",".join(district_ids), "--noprompt", "--tags", json.dumps(tags)]
        return self.run(command).split("Launched backfill job `")[1].split("`")[0]

    def celery_app(self) -> Any:
        from dagster_celery.executor import CeleryExecutor
        from dagster_celery.make_app import make_app

        executor = CeleryExecutor.for_cli(broker=BROKER, config_source={"task_default_queue": self.queue})
        return make_app(executor.app_args())


def district_file(district_id: str, drop: Path, warehouse_url: str, *extra: dict[str, Any]) -> dict:
    """A district reading the synthetic exports in ``drop`` (written by ``tutorhub demo-data``), with a
    files destination and any ``extra`` connectors."""
    sources = {"roster": ("oneroster_csv", "oneroster-1.2-bulk.zip"), "iready": ("iready", "iready")}
    sources |= {"map": ("nwea_map", "map"), "sessions": ("session_log", "sessions")}
    connectors = [
        {"name": name, "type": kind, "settings": {"path": str(drop / path)}}
        for name, (kind, path) in sources.items()
    ]
    connectors.append({"name": "sftp_drop", "type": "files", "settings": {"directory": "exports"}})
    return {
        "id": district_id,
        "name": district_id.replace("_", " ").title(),
        "as_of": "2026-06-01",
        "warehouse_url": warehouse_url,
        "connectors": [*connectors, *extra],
    }


@contextmanager
def celery_profile(root: Path, dagster_url: str, extra_env: dict[str, str]) -> Iterator[Profile]:
    profile = Profile(root, dagster_url, extra_env)
    try:
        yield profile
    finally:
        profile.stop()
