"""Connector discovery: built-ins through entry points; broken plugins reported, never fatal."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

from hub.plugins import UnknownConnectorError, discover, installed


def entry_point(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=value, group="tutorhub.connectors")


@pytest.fixture
def plugin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("fake_vendor")]:
        del sys.modules[name]


GOOD_PLUGIN = """
from hub.connector import ConnectorConfig, Extract, NormalizedBatch, SourceConnector, Stage
from hub.plugins import hookimpl

class AcmeConfig(ConnectorConfig):
    path: str

class AcmeSource(SourceConnector):
    name = "acme"
    stage = Stage.DIAGNOSTICS
    streams = ("scores",)
    tables = ("assessment_result",)
    config_model = AcmeConfig
    def read(self, state=None):
        return Extract(streams={}, files={}, issues=[])
    def normalize(self, extract):
        return NormalizedBatch(tables={}, modes={})

@hookimpl
def tutorhub_connectors():
    return [AcmeSource]
"""


def test_builtin_connectors_register_through_entry_points() -> None:
    registry = installed()
    assert "oneroster_csv" in registry.connectors
    info = registry.get("oneroster_csv")
    assert info.kind == "source" and info.package == "tutorhub" and info.version


def test_vendor_plugin_registers(plugin_dir: Path) -> None:
    (plugin_dir / "fake_vendor_good.py").write_text(GOOD_PLUGIN)
    registry = discover([entry_point("acme", "fake_vendor_good")])
    assert registry.failures == []
    assert registry.get("acme").cls.__name__ == "AcmeSource"


def test_broken_plugins_are_reported_and_skipped(plugin_dir: Path) -> None:
    (plugin_dir / "fake_vendor_good.py").write_text(GOOD_PLUGIN)
    (plugin_dir / "fake_vendor_syntax.py").write_text("def broken(:\n")
    (plugin_dir / "fake_vendor_not_connector.py").write_text(
        "from hub.plugins import hookimpl\n@hookimpl\ndef tutorhub_connectors():\n    return [dict]\n"
    )
    (plugin_dir / "fake_vendor_typo.py").write_text(
        "from hub.plugins import hookimpl\n@hookimpl\ndef tutorhub_conectors():\n    return []\n"
    )
    (plugin_dir / "fake_vendor_raises.py").write_text(
        "from hub.plugins import hookimpl\n"
        "@hookimpl\ndef tutorhub_connectors():\n    raise KeyError('licence')\n"
    )
    registry = discover(
        [
            entry_point("syntax", "fake_vendor_syntax"),
            entry_point("missing", "fake_vendor_not_installed"),
            entry_point("notconn", "fake_vendor_not_connector"),
            entry_point("typo", "fake_vendor_typo"),
            entry_point("raises", "fake_vendor_raises"),
            entry_point("acme", "fake_vendor_good"),
        ]
    )
    reasons = {failure.plugin: failure.reason for failure in registry.failures}
    assert reasons["syntax"].startswith("import failed: SyntaxError")
    assert reasons["missing"].startswith("import failed: ModuleNotFoundError")
    assert "not a SourceConnector or DestinationConnector" in reasons["notconn"]
    assert "unknown hook 'tutorhub_conectors'" in reasons["typo"]
    assert reasons["raises"] == "KeyError: 'licence'"
    assert list(registry.connectors) == ["acme"]


def test_duplicate_connector_name_is_a_failure(plugin_dir: Path) -> None:
    (plugin_dir / "fake_vendor_good.py").write_text(GOOD_PLUGIN)
    (plugin_dir / "fake_vendor_copy.py").write_text(GOOD_PLUGIN)
    registry = discover([entry_point("acme", "fake_vendor_good"), entry_point("acme2", "fake_vendor_copy")])
    assert [f.reason for f in registry.failures] == [
        "connector name 'acme' already taken by fake_vendor_good"
    ]


def test_unknown_connector_message_lists_installed(plugin_dir: Path) -> None:
    (plugin_dir / "fake_vendor_good.py").write_text(GOOD_PLUGIN)
    registry = discover([entry_point("acme", "fake_vendor_good")])
    with pytest.raises(
        UnknownConnectorError, match=r"no connector named 'acmee' is installed \(installed: acme"
    ):
        registry.get("acmee")


@pytest.mark.parametrize(
    ("declared", "replaced_by", "reason"),
    [
        (
            "stage = Stage.DIAGNOSTICS",
            "",
            "AcmeSource does not declare its `stage` (one of roster, diagnostics",
        ),
        (
            "stage = Stage.DIAGNOSTICS",
            'stage = "diagnostic"',
            "AcmeSource.stage is 'diagnostic'; declare one of hub.connector.Stage (roster, diagnostics, ",
        ),
        ('tables = ("assessment_result",)', "", "AcmeSource does not declare the model `tables`"),
    ],
    ids=["no stage", "wrong stage", "no tables"],
)
def test_a_source_the_night_cannot_place_is_a_load_failure(
    plugin_dir: Path, declared: str, replaced_by: str, reason: str
) -> None:
    """Without its stage (or tables) the night would never run the source: it must not register silently."""
    (plugin_dir / "fake_vendor_unplaced.py").write_text(GOOD_PLUGIN.replace(declared, replaced_by))
    registry = discover([entry_point("acme", "fake_vendor_unplaced")])
    assert registry.connectors == {}
    [failure] = registry.failures
    assert failure.plugin == "acme" and failure.reason.startswith(reason)


def test_a_destination_must_name_its_district(plugin_dir: Path) -> None:
    """Its settings derive from DestinationConfig, or the push driver could not tell whose it is."""
    (plugin_dir / "fake_vendor_lms.py").write_text(
        """
from hub.connector import ConnectorConfig, DestinationConnector
from hub.plugins import hookimpl

class LmsConfig(ConnectorConfig):
    url: str

class LmsDestination(DestinationConnector):
    name = "lms"
    accepts = ("teacher",)
    config_model = LmsConfig
    def push(self, reports):
        return []

@hookimpl
def tutorhub_connectors():
    return [LmsDestination]
"""
    )
    registry = discover([entry_point("lms", "fake_vendor_lms")])
    assert [f.reason for f in registry.failures] == [
        "LmsDestination.config_model is not a DestinationConfig subclass"
    ]
