"""hub.yaml: paths, secrets through pydantic-settings, and errors that name the file and key path."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from hub.connector import ConfigPath, ConnectorConfig
from hub.settings import ConfigError, HubSettings, build_connector_config, load_hub_config


class TokenConfig(ConnectorConfig):
    base_url: str
    token: SecretStr
    path: ConfigPath | None = None


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hub.yaml"
    path.write_text(text, encoding="utf-8")
    return path


VALID = """
data_dir: data
districts:
  - id: springfield
    name: Springfield Public Schools
    timezone: America/Chicago
    connectors:
      - name: lms
        type: canvas
        settings:
          base_url: https://canvas.example.edu
          token: {env: SPRINGFIELD_CANVAS_TOKEN}
          path: exports/roster.zip
"""


def test_paths_resolve_against_the_file(tmp_path: Path) -> None:
    hub = load_hub_config(write(tmp_path, VALID))
    district = hub.district("springfield")
    assert hub.data_dir == tmp_path / "data"
    assert district.data_dir == tmp_path / "data" / "springfield"
    assert (
        district.database_url(hub.data_dir)
        == f"sqlite:///{tmp_path / 'data' / 'springfield' / 'warehouse.db'}"
    )


def test_secret_from_environment_is_secretstr_and_never_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SPRINGFIELD_CANVAS_TOKEN", "s3cr3t-token-value")
    hub = load_hub_config(write(tmp_path, VALID))
    district = hub.district("springfield")
    with caplog.at_level(logging.DEBUG):
        config = build_connector_config(hub, district, district.connectors[0], TokenConfig)
        logging.getLogger("test").info("config %s %r", config, config)
    assert isinstance(config.token, SecretStr) and config.token.get_secret_value() == "s3cr3t-token-value"
    assert "s3cr3t" not in repr(config) and "s3cr3t" not in str(config) and "s3cr3t" not in caplog.text
    assert config.path == tmp_path / "exports" / "roster.zip"


def test_secret_from_secrets_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPRINGFIELD_CANVAS_TOKEN", raising=False)
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "SPRINGFIELD_CANVAS_TOKEN").write_text("from-a-file")
    hub = load_hub_config(write(tmp_path, VALID), HubSettings(secrets_dir=secrets))
    district = hub.district("springfield")
    config = build_connector_config(hub, district, district.connectors[0], TokenConfig)
    assert config.token.get_secret_value() == "from-a-file"


def test_missing_secret_names_it_and_where_to_put_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPRINGFIELD_CANVAS_TOKEN", raising=False)
    hub = load_hub_config(write(tmp_path, VALID))
    district = hub.district("springfield")
    with pytest.raises(ConfigError) as error:
        build_connector_config(hub, district, district.connectors[0], TokenConfig)
    assert "districts[0].connectors[0].settings" in str(error.value)
    assert "SPRINGFIELD_CANVAS_TOKEN not set" in str(error.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            VALID.replace("America/Chicago", "Mars/Olympus"),
            "districts[0].timezone: Value error, an IANA time zone",
        ),
        (
            VALID.replace("id: springfield", "id: Spring Field"),
            "districts[0].id: String should match pattern",
        ),
        (VALID.replace("    name: Springfield Public Schools\n", ""), "districts[0].name: Field required"),
        (VALID.replace("timezone:", "time_zone:"), "districts[0].time_zone: Extra inputs are not permitted"),
        ("districts: []\n", "districts: no district configured"),
        ("- just a list\n", "expected a mapping with a 'districts' list"),
        ("districts: [\n", "not valid YAML"),
    ],
)
def test_wrong_config_names_file_key_path_and_expectation(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_hub_config(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_wrong_connector_setting_names_the_key_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPRINGFIELD_CANVAS_TOKEN", "t")
    hub = load_hub_config(write(tmp_path, VALID.replace("base_url:", "base_uri:")))
    district = hub.district("springfield")
    with pytest.raises(ConfigError) as error:
        build_connector_config(hub, district, district.connectors[0], TokenConfig)
    text = str(error.value)
    assert "districts[0].connectors[0].settings.base_url: Field required" in text
    assert "districts[0].connectors[0].settings.base_uri: Extra inputs are not permitted" in text


def test_unknown_district_lists_configured(tmp_path: Path) -> None:
    hub = load_hub_config(write(tmp_path, VALID))
    with pytest.raises(ConfigError, match="no district 'shelbyville'; configured: springfield"):
        hub.district("shelbyville")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_hub_config(tmp_path / "nope.yaml")


def test_one_group_size_drives_grouping_and_the_dosage_flag(tmp_path: Path) -> None:
    three = VALID.replace("    connectors:", "    tutoring: {max_group_size: 3}\n    connectors:")
    district = load_hub_config(write(tmp_path, three)).district("springfield")
    assert district.tutoring.max_group_size == district.dosage.max_group_size == 3
    both = three.replace("    connectors:", "    dosage: {max_group_size: 5}\n    connectors:")
    with pytest.raises(
        ConfigError, match=r"dosage.max_group_size \(5\) differs from tutoring\.max_group_size"
    ):
        load_hub_config(write(tmp_path, both))
