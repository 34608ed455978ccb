"""The i-Ready source registers through the entry point, exactly as a vendor's plugin would."""

from __future__ import annotations

from connectors.iready import IReadyConfig, IReadySource
from hub.plugins import discover


def test_the_entry_point_provides_the_iready_source() -> None:
    registry = discover()

    info = registry.get("iready")
    assert info.cls is IReadySource and info.kind == "source"
    assert info.cls.config_model is IReadyConfig
    assert not [failure for failure in registry.failures if failure.plugin == "iready"]
    assert IReadySource.streams == ("diagnostic_results", "instruction_by_lesson")


def test_relative_paths_in_settings_are_taken_from_the_config_folder(tmp_path) -> None:
    config = IReadyConfig.model_validate({"path": "exports/iready"}, context={"base_dir": tmp_path})

    assert config.path == tmp_path / "exports" / "iready"
    assert config.band_mapping["Early On Grade Level"] == 4
