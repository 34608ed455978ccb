"""The Dagster webserver serves this code location, named `tutorhub`: its GraphQL endpoint answers with the
asset graph and the night job."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cli.night import dagster_environment, workspace_file
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


def test_webserver_answers_the_asset_graph(sample_hub: HubConfig, tmp_path: Path) -> None:
    port = _free_port()
    webserver = Path(sys.executable).with_name("dagster-webserver")
    env = {**os.environ, **dagster_environment(sample_hub)}
    log = (tmp_path / "webserver.log").open("w")
    process = subprocess.Popen(
        [str(webserver), "-w", str(workspace_file(sample_hub)), "-h", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5):
                    break
            except OSError:
                assert process.poll() is None, (tmp_path / "webserver.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "the webserver did not come up in 120 s"
                time.sleep(1)
        nodes = _graphql(port, QUERY)["data"]["assetNodes"]
        locations = _graphql(port, LOCATIONS)["data"]["workspaceOrError"]["locationEntries"]
        repositories = _graphql(port, JOBS)["data"]["repositoriesOrError"]["nodes"]
    finally:
        process.terminate()
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
