"""`tutorhub check`: every mistake an IT person makes in hub.yaml, found before anything runs.

`sync` and the Dagster steps run the same check, so the message is the same wherever it is met.
"""

from __future__ import annotations

import http.server
import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml
from click.testing import CliRunner

from cli.main import main
from cli.night import run_districts
from hub.settings import load_hub_config

ROSTER = Path("oneroster") / "edfi-lms-toolkit-1.1"


def _write(tmp_path: Path, connectors: list[dict]) -> Path:
    district = {"id": "grand_bend", "name": "Grand Bend ISD", "timezone": "America/Chicago"}
    path = tmp_path / "hub.yaml"
    path.write_text(
        yaml.safe_dump({"data_dir": "data", "districts": [{**district, "connectors": connectors}]})
    )
    return path


def _roster(path: object, **settings: object) -> dict:
    return {"name": "roster", "type": "oneroster_csv", "settings": {"path": str(path), **settings}}


def _check(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--config", str(config), *args])
    return result.exit_code, result.output


def test_a_good_file_is_ready(tmp_path: Path, shared_fixtures: Path) -> None:
    code, output = _check(_write(tmp_path, [_roster(shared_fixtures / ROSTER)]))
    assert (code, output) == (0, "grand_bend: ready (1 connectors)\n")


def test_a_typo_in_the_type_names_the_key_and_the_likely_type(tmp_path: Path, shared_fixtures: Path) -> None:
    config = _write(tmp_path, [{**_roster(shared_fixtures / ROSTER), "type": "oneroster_cvs"}])
    code, output = _check(config)
    assert code == 2
    assert output == (
        f"error: {config}: district 'grand_bend': districts[0].connectors[0].type: an installed connector "
        "type, not 'oneroster_cvs'; did you mean 'oneroster_csv'? `tutorhub plugins` lists the installed "
        "ones\n"
    )


def test_an_unknown_settings_key_and_a_missing_path_are_each_named(tmp_path: Path) -> None:
    config = _write(
        tmp_path,
        [
            _roster(tmp_path / "no-such.zip"),
            {"name": "map", "type": "nwea_map", "settings": {"path": str(tmp_path), "pth": "x"}},
        ],
    )
    code, output = _check(config)
    assert code == 2
    lines = output.splitlines()
    assert lines[0] == (
        f"error: {config}: district 'grand_bend': districts[0].connectors[0].settings.path: an existing file "
        f"or folder, but {tmp_path / 'no-such.zip'} does not exist; correct the path (relative paths start "
        "at the folder of hub.yaml) or wait for the export"
    )
    assert lines[1].startswith(
        f"{config}: district 'grand_bend': districts[0].connectors[1].settings.pth: Extra inputs are not "
        "permitted; correct the setting"
    )


def test_a_missing_secret_is_named_and_a_present_one_never_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canvas = {
        "name": "canvas",
        "type": "canvas",
        "settings": {"base_url": "https://canvas.example.org", "token": {"env": "GB_CANVAS_TOKEN"}},
    }
    config = _write(tmp_path, [canvas])
    monkeypatch.delenv("GB_CANVAS_TOKEN", raising=False)
    code, output = _check(config)
    assert code == 2
    assert (
        f"{config}: district 'grand_bend': districts[0].connectors[0].settings: secret(s) GB_CANVAS_TOKEN "
        "not set"
    ) in output
    assert "the value is never printed" in output
    monkeypatch.setenv("GB_CANVAS_TOKEN", "s3cr3t-value")
    code, output = _check(config)
    assert code == 0 and "s3cr3t-value" not in output


class _NotFound(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_error(404)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def answering_server() -> Iterator[str]:
    """A real HTTP server on loopback that answers 404, as a live host does for a path it does not serve."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_online_asks_each_server_whether_it_answers(
    tmp_path: Path, answering_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GB_CANVAS_TOKEN", "t")
    canvas = {"name": "canvas", "type": "canvas", "settings": {"token": {"env": "GB_CANVAS_TOKEN"}}}
    config = _write(tmp_path, [{**canvas, "settings": {**canvas["settings"], "base_url": answering_server}}])
    assert _check(config, "--online")[0] == 0
    silent = f"http://127.0.0.1:{_closed_port()}"
    config = _write(tmp_path, [{**canvas, "settings": {**canvas["settings"], "base_url": silent}}])
    assert _check(config)[0] == 0  # offline, the address is only validated
    code, output = _check(config, "--online")
    assert code == 2
    assert (
        f"district 'grand_bend': districts[0].connectors[0].settings.base_url: a server that answers at "
        f"{silent}, but ConnectionError; check the address, DNS and firewall from this machine"
    ) in output


def test_sync_stops_with_the_same_message_before_any_run(tmp_path: Path, shared_fixtures: Path) -> None:
    config = _write(tmp_path, [{**_roster(shared_fixtures / ROSTER), "type": "oneroster_cvs"}])
    _, checked = _check(config)
    result = CliRunner().invoke(main, ["sync", "--config", str(config)])
    assert result.exit_code == 2
    assert result.output == checked
    assert not (tmp_path / "data" / "dagster").exists()  # Dagster was never started


def test_a_dagster_run_checks_first_and_fails_once(
    tmp_path: Path, shared_fixtures: Path, caplog: pytest.LogCaptureFixture
) -> None:
    package = tmp_path / "roster"
    config = _write(tmp_path, [_roster(package)])
    _, checked = _check(config)
    hub = load_hub_config(config)
    with dg.instance_for_test() as instance, caplog.at_level(logging.DEBUG, logger="cli.night"):
        [outcome] = run_districts(hub, ["grand_bend"], instance=instance)
        events = [
            record.dagster_event.event_type_value
            for record in instance.all_logs(outcome.run_id)
            if record.dagster_event is not None
        ]
        assert len(instance.get_run_records()) == 1  # no run retry
    assert not outcome.success
    # every step checks first; the same problem is said once, with the steps it stopped
    assert outcome.failures == [
        "diagnostics_extract, roster_extract, sessions_extract: " + checked.removeprefix("error: ").strip()
    ]
    assert "STEP_UP_FOR_RETRY" not in events  # a missing file does not heal: no step retry either
    traces = [record.getMessage() for record in caplog.records if record.levelno == logging.DEBUG]
    assert any("Stack Trace:" in trace and "require_ready" in trace for trace in traces)  # the debug log


def test_online_connects_to_the_warehouse_and_never_prints_its_password(
    tmp_path: Path, shared_fixtures: Path, postgres_url: str
) -> None:
    config = _write(tmp_path, [_roster(shared_fixtures / ROSTER)])
    raw = yaml.safe_load(config.read_text())
    raw["districts"][0]["warehouse_url"] = postgres_url
    config.write_text(yaml.safe_dump(raw))
    assert _check(config, "--online")[0] == 0
    raw["districts"][0]["warehouse_url"] = (
        f"postgresql+psycopg://tutorhub:pa55word@127.0.0.1:{_closed_port()}/x"
    )
    config.write_text(yaml.safe_dump(raw))
    code, output = _check(config, "--online")
    assert code == 2
    assert "district 'grand_bend': districts[0].warehouse_url: a database that answers at " in output
    assert "pa55word" not in output


def test_a_drop_folder_that_is_not_there_is_named(tmp_path: Path, shared_fixtures: Path) -> None:
    config = _write(tmp_path, [_roster(shared_fixtures / ROSTER)])
    raw = yaml.safe_load(config.read_text())
    raw["districts"][0]["drop_folder"] = "sftp/grand_bend"
    config.write_text(yaml.safe_dump(raw))
    code, output = _check(config)
    assert code == 2
    assert output == (
        f"error: {config}: district 'grand_bend': districts[0].drop_folder: a folder, but "
        f"{tmp_path / 'sftp' / 'grand_bend'} is none; create it or correct the path (relative paths start "
        "at the folder of hub.yaml)\n"
    )
    (tmp_path / "sftp" / "grand_bend").mkdir(parents=True)
    assert _check(config)[0] == 0


def test_district_files_are_checked_in_one_pass_each_problem_naming_its_file(
    tmp_path: Path, shared_fixtures: Path
) -> None:
    folder = tmp_path / "districts"
    folder.mkdir()
    for number, roster in enumerate(
        [shared_fixtures / ROSTER, tmp_path / "gone.zip", shared_fixtures / ROSTER]
    ):
        district = {"id": f"d{number}", "name": f"District {number}", "connectors": [_roster(roster)]}
        if number == 2:
            district["connectors"][0]["type"] = "oneroster_cvs"
        (folder / f"d{number}.yaml").write_text(yaml.safe_dump(district))
    config = tmp_path / "hub.yaml"
    config.write_text("data_dir: data\ninclude: [districts/*.yaml]\n")

    code, output = _check(config)
    lines = output.splitlines()
    assert code == 2 and len(lines) == 2, output
    assert lines[0].startswith(f"error: {folder / 'd1.yaml'}: district 'd1': connectors[0].settings.path: ")
    assert lines[1].startswith(
        f"{folder / 'd2.yaml'}: district 'd2': connectors[0].type: an installed connector"
    )
