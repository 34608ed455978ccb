"""The connector registers through the entry point, exactly as a vendor's package would."""

from __future__ import annotations

from connectors.nwea_map import MapConfig, MapSource
from hub.plugins import discover


def test_registered_under_its_name() -> None:
    registry = discover()

    info = registry.get("nwea_map")
    assert info.cls is MapSource
    assert info.kind == "source"
    assert MapSource.config_model is MapConfig
    assert set(MapSource.streams) == {
        "AssessmentResults",
        "ComboStudentAssessment",
        "StudentsBySchool",
        "ClassAssignments",
    }
    assert not [failure for failure in registry.failures if failure.plugin == "nwea_map"]
