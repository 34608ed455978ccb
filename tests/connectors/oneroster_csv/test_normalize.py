"""The shared model's tables from a checked extract: schemas, subgroup flags, identifiers."""

from __future__ import annotations

import pytest

from hub.model import arrow_schema
from tests.connectors.oneroster_csv.builders import roster_11, roster_12
from tests.connectors.oneroster_csv.reading import issues, source


@pytest.mark.parametrize("build", [roster_11, roster_12])
def test_every_table_has_its_model_schema_and_no_district(read_roster, build):
    batch = source().normalize(read_roster(build()))
    assert set(batch.tables) == {
        "school",
        "academic_session",
        "course",
        "section",
        "person",
        "person_role",
        "enrollment",
        "demographics",
        "person_identifier",
    }
    for name, table in batch.tables.items():
        assert table.schema == arrow_schema(name), name
        assert "district_id" not in table.column_names


@pytest.mark.parametrize(
    ("columns", "values", "expected"),
    [
        (
            [
                "metadata.englishLearner",
                "metadata.studentWithDisability",
                "metadata.economicallyDisadvantaged",
            ],
            ["true", "FALSE", "True"],
            (True, False, True),
        ),
        (
            ["metadata.ell", "metadata.swd", "metadata.ecoDis"],
            ["false", "true", "false"],
            (False, True, False),
        ),
    ],
)
def test_subgroup_flags_come_from_extension_columns(read_roster, columns, values, expected):
    package = roster_11()
    demographics = package["demographics.csv"]
    demographics.header += columns
    for row in demographics.rows:
        row += values
    extract = read_roster(package)
    assert [c for c in extract.streams["demographics"].column_names if c.startswith("metadata.")] == columns
    row = source().normalize(extract).tables["demographics"].to_pylist()[0]
    assert (row["english_learner"], row["disability"], row["economically_disadvantaged"]) == expected
    assert row["asian"] is True and row["white"] is False


def test_subgroup_flag_that_is_not_true_or_false_is_unknown(read_roster):
    package = roster_11()
    demographics = package["demographics.csv"]
    demographics.header.append("metadata.ell")
    for row, value in zip(demographics.rows, ["Y", "true", ""], strict=True):
        row.append(value)
    extract = read_roster(package)
    [warning] = issues(extract, "extension_flag")
    assert (warning.line, warning.value, warning.severity) == (2, "Y", "warning")
    flags = source().normalize(extract).tables["demographics"]["english_learner"].to_pylist()
    assert flags == [None, True, None]


def test_no_subgroup_columns_leave_the_flags_unknown(read_roster):
    table = source().normalize(read_roster(roster_11())).tables["demographics"]
    assert table["english_learner"].null_count == table.num_rows == 3


def test_user_ids_repeating_another_identifier_are_kept_once(read_roster):
    package = roster_11()
    package["users.csv"].set(0, userIds="{username:student1},{Local:001},{LOCAL:001}")
    ids = source().normalize(read_roster(package)).tables["person_identifier"].to_pylist()
    mine = sorted((r["id_type"], r["value"]) for r in ids if r["person_source_id"] == "st1")
    assert mine == [
        ("email", "student1@lakeside.example"),
        ("local", "001"),
        ("sis_id", "L1"),
        ("sourced_id", "st1"),
        ("username", "student1"),
    ]


def test_1_1_person_roles_one_per_listed_org(read_roster):
    package = roster_11()
    package["users.csv"].set(3, orgSourcedIds="s1,d1")
    roles = source().normalize(read_roster(package)).tables["person_role"].to_pylist()
    teacher = [
        (r["source_id"], r["org_source_id"], r["role_type"]) for r in roles if r["person_source_id"] == "te1"
    ]
    assert teacher == [("te1:s1:teacher", "s1", "primary"), ("te1:d1:teacher", "d1", "secondary")]


def test_modified_time_is_carried_to_every_table(read_roster):
    batch = source().normalize(read_roster(roster_11("delta")))
    for name, table in batch.tables.items():
        if "source_modified_at" in table.column_names:
            assert table["source_modified_at"][0].as_py().isoformat() == "2025-01-10T08:30:00+00:00", name
