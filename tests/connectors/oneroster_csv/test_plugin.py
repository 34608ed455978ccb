"""The connector registers through the entry point exactly as a vendor's would."""

from __future__ import annotations

import importlib.metadata

import pytest
from pydantic import ValidationError

from connectors.oneroster_csv import OneRosterCsvConfig, OneRosterCsvSource
from hub.plugins import ENTRY_POINT_GROUP, discover


def test_registered_under_its_name():
    [entry_point] = [
        e for e in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP) if e.name == "oneroster_csv"
    ]
    registry = discover([entry_point])
    assert registry.failures == []
    info = registry.get("oneroster_csv")
    assert (info.cls, info.kind) == (OneRosterCsvSource, "source")
    assert OneRosterCsvSource.config_model is OneRosterCsvConfig
    assert OneRosterCsvSource.streams == (
        "orgs",
        "academicSessions",
        "courses",
        "classes",
        "users",
        "roles",
        "enrollments",
        "demographics",
    )


def test_config_refuses_unknown_keys():
    with pytest.raises(ValidationError, match="pathh"):
        OneRosterCsvConfig.model_validate({"path": "/tmp/x.zip", "pathh": "typo"})
