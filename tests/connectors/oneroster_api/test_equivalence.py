"""The key promise: a district served over REST normalizes to the same shared-model tables as the same
district written as a CSV package, because the REST extract has the package's streams and columns."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from connectors.oneroster_csv import OneRosterCsvConfig, OneRosterCsvSource
from connectors.oneroster_csv.writer import write_oneroster
from hub.connector import NormalizedBatch


def comparable(batch: NormalizedBatch, *, role_ids: bool = True) -> dict[str, pa.Table]:
    """Every table, rows sorted. ``source_modified_at`` is left out: REST objects carry dateLastModified
    where bulk CSV rows leave it blank. ``role_ids=False`` leaves out person_role ids too (below)."""
    tables = {}
    for name, table in batch.tables.items():
        dropped = ["source_modified_at"] + ([] if role_ids or name != "person_role" else ["source_id"])
        table = table.drop_columns([column for column in dropped if column in table.column_names])
        tables[name] = table.sort_by([(column, "ascending") for column in table.column_names])
    return tables


def test_rest_and_csv_package_of_one_district_normalize_alike(district, serve, make_source, tmp_path: Path):
    [package] = write_oneroster(district, tmp_path)
    csv_source = OneRosterCsvSource(OneRosterCsvConfig(path=package))
    csv_extract = csv_source.read()
    rest_source = make_source(serve(), page_size=50)
    rest_extract = rest_source.read()

    columns = {stream: table.column_names for stream, table in rest_extract.streams.items()}
    assert columns == {stream: table.column_names for stream, table in csv_extract.streams.items()}
    # Nothing to report, not even the CSV binding's warning about bulk rows carrying dateLastModified.
    assert rest_extract.issues == []

    rest_batch, csv_batch = rest_source.normalize(rest_extract), csv_source.normalize(csv_extract)
    assert rest_batch.modes == csv_batch.modes
    # REST roles have no sourcedId (the CSV package's roles.csv names them role-<user>), so they are keyed
    # user:org:role as the CSV connector keys a 1.1 user's org roles.
    rest_tables, csv_tables = comparable(rest_batch, role_ids=False), comparable(csv_batch, role_ids=False)
    assert sorted(rest_tables) == sorted(csv_tables)
    for name, table in rest_tables.items():
        assert table.num_rows > 0, name
        assert table.equals(csv_tables[name]), f"{name} differs between the REST and the CSV binding"
    role_ids = set(rest_batch.tables["person_role"].column("source_id").to_pylist())
    assert {"stu-0000001:sch-0001:student", "tut-00001:sch-0001:tutor"} <= role_ids

    modified = rest_batch.tables["person"].column("source_modified_at")
    assert modified.null_count == 0
    assert set(modified.to_pylist()) == {datetime(district.spec.school_year - 1, 8, 1, tzinfo=UTC)}


def test_a_11_service_signing_with_oauth1_normalizes_like_a_12_service(serve, make_source):
    v12 = make_source(serve())
    v11 = make_source(serve(version="1.1", oauth1=True), auth="oauth1")
    extract_11 = v11.read()
    assert "roles" not in extract_11.streams  # 1.1 users carry role and orgs themselves
    assert extract_11.info["version"] == "1.1"
    assert comparable(v11.normalize(extract_11)) == comparable(v12.normalize(v12.read()))
