"""manifest.csv defects seen in real exports, file modes, and version detection."""

from __future__ import annotations

import pytest

from hub.connector import ConnectorError
from tests.connectors.oneroster_csv.builders import CsvFile, roster_11, roster_12
from tests.connectors.oneroster_csv.reading import issues, source


def test_manifest_version_1_is_read_as_1_0_with_a_warning(read_roster):
    package = roster_11()
    package["manifest.csv"].set(0, value="1")
    extract = read_roster(package)
    assert extract.importable
    [warning] = issues(extract, "manifest_version")
    assert warning.file == "manifest.csv"


def test_misspelt_manifest_key_is_read_as_the_key_it_clearly_means(read_roster):
    package = roster_11()
    manifest = package["manifest.csv"]
    manifest.set(manifest.where("propertyName", "file.demographics"), propertyName="fiel.demographics")
    extract = read_roster(package)
    assert extract.info["manifest"]["demographics.csv"] == "bulk"
    assert extract.streams["demographics"].num_rows == 3
    [warning] = issues(extract, "manifest_key_typo")
    assert (warning.value, warning.line) == (
        "fiel.demographics",
        manifest.where("propertyName", "fiel.demographics") + 2,
    )


def test_unknown_manifest_key_is_ignored_with_a_warning(read_roster):
    package = roster_11()
    package["manifest.csv"].add(propertyName="export.timestamp", value="2025-01-01")
    extract = read_roster(package)
    assert extract.importable
    assert [i.kind for i in extract.issues] == ["manifest_unknown_key"]


def test_empty_manifest_values_are_tolerated(read_roster):
    """`file.scoreScales,` with no value, for a file the package does not carry."""
    package = roster_11()
    package["manifest.csv"].set(package["manifest.csv"].where("propertyName", "file.results"), value="")
    package["manifest.csv"].add(propertyName="source.systemCode", value="")
    extract = read_roster(package)
    assert extract.importable
    assert extract.info["manifest"]["results.csv"] == "absent"
    [warning] = issues(extract, "manifest_empty_value")
    assert warning.column == "file.results"


def test_empty_mode_for_a_file_present_reads_it_as_bulk(read_roster):
    package = roster_11().set_mode("courses", "")
    extract = read_roster(package)
    assert extract.info["manifest"]["courses.csv"] == "bulk"
    assert extract.streams["courses"].num_rows == 1
    assert issues(extract, "manifest_empty_value", "courses.csv")


def test_mode_case_drift_is_read(read_roster):
    package = roster_11().set_mode("users", "Bulk")
    extract = read_roster(package)
    assert extract.info["manifest"]["users.csv"] == "bulk"
    assert issues(extract, "enum_case", "manifest.csv")


def test_a_file_listed_as_bulk_but_missing_makes_the_package_unimportable(read_roster):
    package = roster_11()
    del package["enrollments.csv"]
    extract = read_roster(package)
    assert not extract.importable
    assert extract.files["enrollments.csv"].fatal == (
        "manifest.csv lists enrollments.csv as bulk, but the package has no enrollments.csv"
    )
    assert extract.streams["users"].num_rows == 4  # the other files are still checked
    with pytest.raises(ConnectorError, match=r"the package has no enrollments\.csv") as raised:
        source().normalize(extract)
    assert raised.value.file == "enrollments.csv"


def test_strict_mode_raises_from_read(read_roster):
    package = roster_11()
    del package["enrollments.csv"]
    with pytest.raises(ConnectorError, match=r"the package has no enrollments\.csv"):
        read_roster(package, strict=True)


def test_a_file_the_manifest_calls_absent_is_not_read(read_roster):
    package = roster_11().set_mode("demographics", "absent")
    extract = read_roster(package)
    assert "demographics" not in extract.streams
    assert issues(extract, "manifest_absent_file_present", "demographics.csv")


def test_a_file_the_manifest_does_not_mention_is_read_as_bulk(read_roster):
    package = roster_11()
    manifest = package["manifest.csv"]
    manifest.rows.pop(manifest.where("propertyName", "file.demographics"))
    extract = read_roster(package)
    assert extract.info["manifest"]["demographics.csv"] == "bulk"
    assert issues(extract, "manifest_missing_key", "demographics.csv")


def test_an_unknown_mode_is_fatal_for_that_file(read_roster):
    extract = read_roster(roster_11().set_mode("courses", "full"))
    assert extract.files["courses.csv"].fatal == (
        "manifest.csv gives courses.csv the mode 'full'; it must be bulk, delta or absent"
    )


def test_version_comes_from_the_manifest_and_the_files_shape(read_roster):
    assert read_roster(roster_12()).info["version"] == "1.2"
    package = roster_12()
    package["manifest.csv"].set(1, value="1.2.1")
    assert read_roster(package).info["version"] == "1.2"


def test_a_manifest_claiming_1_1_over_1_2_files_is_read_as_1_2(read_roster):
    package = roster_12()
    package["manifest.csv"].set(1, value="1.1")
    extract = read_roster(package)
    assert extract.info["version"] == "1.2"
    assert extract.info["declared_version"] == "1.1"
    assert issues(extract, "version_mismatch")
    assert extract.importable


def test_manifest_without_header_row(read_roster):
    package = roster_11()
    manifest = package["manifest.csv"]
    manifest.header = manifest.rows.pop(0)  # manifest.version,1.0 becomes the first line
    extract = read_roster(package)
    assert extract.importable
    assert extract.info["version"] == "1.1"
    assert [i.kind for i in extract.issues] == ["manifest_header"]


def test_a_manifest_alone_means_nothing_changed(read_roster):
    package = roster_11()
    for name in list(package):
        if name != "manifest.csv":
            del package[name]
    for stem in ("orgs", "academicSessions", "courses", "classes", "users", "enrollments", "demographics"):
        package.set_mode(stem, "absent")
    extract = read_roster(package)
    assert extract.importable
    assert extract.streams == {}
    assert source().normalize(extract).tables == {}


def test_ignored_files_are_noted(read_roster):
    package = roster_12()
    package["userProfiles.csv"] = CsvFile(["sourcedId", "status", "dateLastModified", "userSourcedId"])
    package.set_mode("userProfiles", "bulk")
    extract = read_roster(package)
    [note] = issues(extract, "ignored_file", "userProfiles.csv")
    assert "not read" in note.reason
    assert "userProfiles" not in extract.streams
