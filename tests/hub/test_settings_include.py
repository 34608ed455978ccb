"""Districts split across files: ``include:`` of files and globs, every district seen, every problem named
with its district and its file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.connector import ConfigPath, ConnectorConfig
from hub.settings import ConfigError, build_connector_config, load_hub_config


class PathConfig(ConnectorConfig):
    path: ConfigPath


def district(district_id: str, timezone: str = "America/Chicago") -> str:
    return (
        f"id: {district_id}\n"
        f"name: {district_id.title()} Schools\n"
        f"timezone: {timezone}\n"
        "drop_folder: drop\n"
        "connectors:\n"
        "  - {name: roster, type: oneroster_csv, settings: {path: drop/oneroster.zip}}\n"
    )


def hub_with_folder(tmp_path: Path, files: dict[str, str], main_districts: str = "") -> Path:
    folder = tmp_path / "districts"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    hub = tmp_path / "hub.yaml"
    hub.write_text(f"data_dir: data\ninclude: [districts/*.yaml]\n{main_districts}", encoding="utf-8")
    return hub


def test_a_folder_of_district_files_gives_every_district_in_one_hub(tmp_path: Path) -> None:
    files = {f"d{n:03}.yaml": district(f"d{n:03}") for n in range(120)}
    main = "districts:\n  - {id: capital, name: Capital City}\n"
    hub = load_hub_config(hub_with_folder(tmp_path, files, main))

    assert list(hub.districts) == ["capital", *(f"d{n:03}" for n in range(120))]
    assert hub.origins["d007"].file == tmp_path / "districts" / "d007.yaml"
    assert hub.origins["capital"].file == tmp_path / "hub.yaml"


def test_paths_in_a_district_file_resolve_against_that_file(tmp_path: Path) -> None:
    hub_path = hub_with_folder(tmp_path, {"east/springfield.yaml": district("springfield")})
    hub_path.write_text("include: ['districts/**/*.yaml']\n", encoding="utf-8")
    hub = load_hub_config(hub_path)
    springfield = hub.district("springfield")

    assert springfield.drop_folder == tmp_path / "districts" / "east" / "drop"
    assert (
        springfield.data_dir == tmp_path / ".tutorhub" / "springfield"
    )  # the hub's data dir, not the file's
    config = build_connector_config(hub, springfield, springfield.connectors[0], PathConfig)
    assert config.path == tmp_path / "districts" / "east" / "drop" / "oneroster.zip"


def test_a_file_may_hold_a_list_of_districts(tmp_path: Path) -> None:
    listed = "districts:\n" + "".join(
        "  - " + district(name).replace("\n", "\n    ").rstrip() + "\n" for name in ("north", "south")
    )
    hub = load_hub_config(hub_with_folder(tmp_path, {"region.yaml": listed}))

    assert list(hub.districts) == ["north", "south"]
    assert hub.origins["south"].path == "districts[1]"


def test_every_problem_in_every_file_is_named_with_its_district_and_file(tmp_path: Path) -> None:
    files = {
        "a.yaml": district("alpha", timezone="Central"),
        "b.yaml": district("beta"),
        "c.yaml": district("gamma").replace("name: Gamma Schools\n", ""),
    }
    with pytest.raises(ConfigError) as error:
        load_hub_config(hub_with_folder(tmp_path, files))
    lines = str(error.value).splitlines()

    assert lines == [
        f"{tmp_path}/districts/a.yaml: district 'alpha': timezone: Value error, an IANA time zone such as "
        "'America/Chicago', not 'Central'",
        f"{tmp_path}/districts/c.yaml: district 'gamma': name: Field required",
    ]


def test_a_district_in_two_files_names_both(tmp_path: Path) -> None:
    main = "districts:\n  - {id: alpha, name: Alpha}\n"
    with pytest.raises(ConfigError) as error:
        load_hub_config(hub_with_folder(tmp_path, {"a.yaml": district("alpha")}, main))

    assert str(error.value) == (
        f"{tmp_path}/districts/a.yaml: district 'alpha': id: district ids must be unique; "
        f"also at {tmp_path}/hub.yaml districts[0]"
    )


def test_a_connector_problem_in_a_district_file_names_file_district_and_key(tmp_path: Path) -> None:
    text = district("alpha").replace("settings: {path: drop/oneroster.zip}", "settings: {paht: x}")
    hub = load_hub_config(hub_with_folder(tmp_path, {"a.yaml": text}))
    alpha = hub.district("alpha")
    with pytest.raises(ConfigError) as error:
        build_connector_config(hub, alpha, alpha.connectors[0], PathConfig)

    assert (
        f"{tmp_path}/districts/a.yaml: district 'alpha': connectors[0].settings.path: Field required"
        in str(error.value)
    )


@pytest.mark.parametrize(
    ("include", "expected"),
    [
        ("include: [nowhere/*.yaml]\n", "nowhere/*.yaml: include matched no file"),
        ("include: [districts/bad.yaml]\n", "bad.yaml: expected one district (a mapping with an id)"),
        ("include: [districts/broken.yaml]\n", "broken.yaml: not valid YAML"),
    ],
)
def test_a_wrong_include_says_which_file(tmp_path: Path, include: str, expected: str) -> None:
    (tmp_path / "districts").mkdir()
    (tmp_path / "districts" / "bad.yaml").write_text("just a string\n", encoding="utf-8")
    (tmp_path / "districts" / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    (tmp_path / "hub.yaml").write_text(include, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(expected)):
        load_hub_config(tmp_path / "hub.yaml")
