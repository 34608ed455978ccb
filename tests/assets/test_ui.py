"""`tutorhub ui` serves this code location, named `tutorhub`: its GraphQL endpoint answers with the asset
graph and the night job, and Ctrl-C stops the webserver and the daemon."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from hub.settings import HubConfig

QUERY = "{ assetNodes { assetKey { path } groupName dependencyKeys { path } } }"
LOCATIONS = "{ workspaceOrError { ... on Workspace { locationEntries { name } } } }"
JOBS = "{ repositoriesOrError { ... on RepositoryConnection { nodes { location { name } jobs { name } } } } }"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _default_signals() -> None:
    """As in a terminal: Ctrl-C (SIGINT) and SIGTERM act, whatever the test runner's process ignores."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def test_ui_answers_the_asset_graph_and_stops_on_ctrl_c(sample_hub: HubConfig, tmp_path: Path) -> None:
    port = _free_port()
    tutorhub = Path(sys.executable).with_name("tutorhub")
    env = {key: value for key, value in os.environ.items() if not key.startswith("DAGSTER_")}
    log = (tmp_path / "ui.log").open("w")
    process = subprocess.Popen(
        [str(tutorhub), "ui", "--config", str(sample_hub.path), "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_default_signals,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5):
                    break
            except OSError:
                assert process.poll() is None, (tmp_path / "ui.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "the UI did not come up in 180 s"
                time.sleep(1)
        nodes = _graphql(port, QUERY)["data"]["assetNodes"]
        locations = _graphql(port, LOCATIONS)["data"]["workspaceOrError"]["locationEntries"]
        repositories = _graphql(port, JOBS)["data"]["repositoriesOrError"]["nodes"]
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's foreground group
        assert process.wait(timeout=120) == 0
        assert "Dagster services shut down." in (tmp_path / "ui.log").read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        log.close()
    graph = {"/".join(node["assetKey"]["path"]): node for node in nodes}
    night = ["roster", "assessment_results", "skill_gaps", "tiers", "tutoring_groups", "dosage", "impact"]
    assert {*night, "alignment_reports", "report_pushes"} <= set(graph)
    parents = {key: {"/".join(dep["path"]) for dep in node["dependencyKeys"]} for key, node in graph.items()}
    assert "roster_extract" in parents["roster"]
    assert "roster" in parents["assessment_results"]
    assert "alignment_reports" in parents["report_pushes"]
    assert graph["tiers"]["groupName"] == "tutoring"
    assert [location["name"] for location in locations] == ["tutorhub"]
    [repository] = repositories
    assert repository["location"]["name"] == "tutorhub"
    assert "night" in {job["name"] for job in repository["jobs"]}
