"""A header-only bulk file is what an export cut short looks like: the deletion guard stops it, on both
warehouses, for the roster's students and for the tutors file alike."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from connectors.oneroster_csv.source import OneRosterCsvConfig, OneRosterCsvSource
from connectors.session_log.source import SessionLogConfig, SessionLogSource
from connectors.session_log.writer import write_tutors
from hub.connector import SourceConnector
from hub.synthetic import DistrictSpec, build_district
from hub.warehouse import DeletionGuardError, Warehouse

DISTRICT = "test_district"


def _apply(warehouse: Warehouse, name: str, source: SourceConnector) -> None:
    extract = source.read()
    warehouse.apply(DISTRICT, name, source.normalize(extract), extra_issues=extract.issues)


def _keep_header_only(path: Path) -> None:
    path.write_bytes(path.read_bytes().splitlines(keepends=True)[0])


def test_a_header_only_users_file_is_refused_by_the_guard(
    warehouse: Warehouse, shared_fixtures: Path, tmp_path: Path
) -> None:
    package = tmp_path / "package"
    shutil.copytree(shared_fixtures / "oneroster" / "edfi-lms-toolkit-1.1", package)
    source = OneRosterCsvSource(OneRosterCsvConfig(path=package))
    _apply(warehouse, "roster", source)
    students = warehouse.count("person", DISTRICT)
    _keep_header_only(package / "users.csv")
    with pytest.raises(DeletionGuardError, match="active students"):
        _apply(warehouse, "roster", source)
    assert warehouse.count("person", DISTRICT) == students


def test_a_header_only_tutors_file_is_refused_by_the_guard(warehouse: Warehouse, tmp_path: Path) -> None:
    path = write_tutors(build_district(DistrictSpec(students=200, seed=5)), tmp_path)
    source = SessionLogSource(SessionLogConfig(path=path))
    _apply(warehouse, "sessions", source)
    tutors = warehouse.count("tutor_profile", DISTRICT)
    assert tutors > 0
    _keep_header_only(path)
    with pytest.raises(DeletionGuardError, match=f"{tutors} of {tutors} active tutor profiles"):
        _apply(warehouse, "sessions", source)
    assert warehouse.count("tutor_profile", DISTRICT) == tutors
