"""Hostile files that reach the warehouse, on SQLite and PostgreSQL alike: a header-only bulk file (what an
export cut short looks like) is stopped by the deletion guard, for students and tutors; a NUL byte in a
name loads the same on both (PostgreSQL's COPY refuses NULs, so they are removed while reading)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from connectors.oneroster_csv.source import OneRosterCsvConfig, OneRosterCsvSource
from connectors.session_log.source import SessionLogConfig, SessionLogSource
from connectors.session_log.writer import write_tutors
from hub.connector import SourceConnector
from hub.warehouse import DeletionGuardError, Warehouse
from testkit.synthetic import DistrictSpec, build_district

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


def test_a_nul_byte_in_a_name_loads_the_same_on_both_warehouses(
    warehouse: Warehouse, shared_fixtures: Path, tmp_path: Path
) -> None:
    package = tmp_path / "package"
    shutil.copytree(shared_fixtures / "oneroster" / "edfi-lms-toolkit-1.1", package)
    users = package / "users.csv"
    lines = users.read_bytes().splitlines(keepends=True)
    cells = lines[1].split(b",")
    given = lines[0].split(b",").index(b"givenName")
    name = cells[given].strip(b'"')
    cells[given] = cells[given].replace(name, name[:1] + b"\x00" + name[1:])
    lines[1] = b",".join(cells)
    users.write_bytes(b"".join(lines))
    source = OneRosterCsvSource(OneRosterCsvConfig(path=package))
    extract = source.read()
    [warning] = [issue for issue in extract.issues if issue.kind == "nul_bytes"]
    assert (warning.file, warning.line, warning.severity) == ("users.csv", 2, "warning")
    warehouse.apply(DISTRICT, "roster", source.normalize(extract), extra_issues=extract.issues)
    names = warehouse.read("person", DISTRICT).column("given_name").to_pylist()
    assert len(names) == len(lines) - 1 and name.decode() in names
