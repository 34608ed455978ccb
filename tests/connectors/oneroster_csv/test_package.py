"""Finding the package's files: zip or folder, root or one sub-folder, names in another case."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from connectors.oneroster_csv import OneRosterCsvConfig, OneRosterCsvSource
from hub.connector import ConnectorError
from tests.connectors.oneroster_csv.builders import CsvFile, Package, roster_11
from tests.connectors.oneroster_csv.reading import issues


@pytest.mark.parametrize("name", ["roster.zip", "roster"])
def test_zip_and_folder_read_the_same(read_roster, name):
    extract = read_roster(roster_11(), name=name)
    assert extract.importable
    assert extract.info["layout"] == ("zip" if name.endswith(".zip") else "folder")
    assert {stem: t.num_rows for stem, t in extract.streams.items()} == {
        "orgs": 2,
        "academicSessions": 3,
        "courses": 1,
        "classes": 2,
        "users": 4,
        "enrollments": 5,
        "demographics": 3,
    }
    assert extract.issues == []


@pytest.mark.parametrize("name", ["roster.zip", "roster"])
def test_files_in_one_sub_folder_are_read_with_a_warning(read_roster, name):
    extract = read_roster(roster_11(), name=name, subfolder="export-2025")
    assert extract.importable
    assert extract.streams["users"].num_rows == 4
    [warning] = issues(extract, "nested_folder")
    assert "export-2025/" in warning.reason
    assert warning.file == name


def test_files_in_two_folders_are_refused(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for folder in ("a", "b"):
            for file, content in roster_11().items():
                archive.writestr(f"{folder}/{file}", content.to_bytes())
    with pytest.raises(ConnectorError, match=r"several folders \(a/, b/\)"):
        OneRosterCsvSource(OneRosterCsvConfig(path=path)).read()


def test_macos_zip_leftovers_are_ignored(tmp_path):
    path = roster_11().write(tmp_path / "mac.zip")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("__MACOSX/._users.csv", b"\x00\x05binary")
        archive.writestr(".DS_Store", b"\x00")
    extract = OneRosterCsvSource(OneRosterCsvConfig(path=path)).read()
    assert extract.importable
    assert extract.issues == []


def test_a_damaged_zip_entry_is_fatal_for_that_file(tmp_path):
    path = tmp_path / "damaged.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for file, content in roster_11().items():
            archive.writestr(file, content.to_bytes())
    data = path.read_bytes()
    path.write_bytes(data.replace(b"Lakeside High", b"Lakeside Hugh"))  # the stored CRC no longer matches
    extract = OneRosterCsvSource(OneRosterCsvConfig(path=path)).read()
    assert extract.files["orgs.csv"].fatal.startswith("orgs.csv cannot be read from damaged.zip")
    assert not extract.importable
    assert extract.streams["users"].num_rows == 4


def test_wrong_case_file_names_are_read_with_a_warning(read_roster):
    package = roster_11()
    package["Users.CSV"] = package.pop("users.csv")
    extract = read_roster(package)
    assert extract.streams["users"].num_rows == 4
    [warning] = issues(extract, "file_name_case", "users.csv")
    assert "Users.CSV" in warning.reason


def test_other_csv_files_are_ignored_with_a_warning(read_roster):
    package = roster_11()
    package["export_log.csv"] = CsvFile(["when", "what"], [["today", "export"]])
    extract = read_roster(package)
    assert extract.importable
    assert [i.kind for i in extract.issues] == ["unknown_file"]


def test_no_manifest_and_no_oneroster_files_is_fatal(read_roster):
    package = Package({"students.csv": CsvFile(["id", "name"], [["1", "Ann"]])})
    with pytest.raises(ConnectorError, match=r"^export\.zip has no manifest\.csv and none of the OneRoster"):
        read_roster(package, name="export.zip")


def test_no_manifest_but_oneroster_files_reads_them_as_bulk(read_roster):
    package = roster_11()
    del package["manifest.csv"]
    extract = read_roster(package)
    assert extract.importable
    assert extract.info["manifest"]["users.csv"] == "bulk"
    assert extract.info["version"] == "1.1"  # from users.csv's shape
    assert {i.kind for i in extract.issues} == {"manifest_missing", "version_missing"}


def test_a_path_that_is_neither_zip_nor_folder_is_refused(tmp_path: Path):
    path = tmp_path / "roster.zip"
    path.write_text("not a zip")
    with pytest.raises(ConnectorError, match="neither a folder nor a readable zip"):
        OneRosterCsvSource(OneRosterCsvConfig(path=path)).read()
    with pytest.raises(ConnectorError, match="does not exist"):
        OneRosterCsvSource(OneRosterCsvConfig(path=tmp_path / "missing.zip")).read()


def test_relative_path_in_config_is_taken_from_the_hub_yaml_folder(tmp_path):
    roster_11().write(tmp_path / "roster.zip")
    config = OneRosterCsvConfig.model_validate({"path": "roster.zip"}, context={"base_dir": tmp_path})
    assert config.path == tmp_path / "roster.zip"
    assert OneRosterCsvSource(config).read().importable
