"""i-Ready's Diagnostic Results replayed a few rows at a time (``IReadySource.streamed``) store what the
whole batch does, on SQLite and PostgreSQL: results, domains, lessons, what is derived from them, and every
reject and warning with its file, line and column. The exports are written window after window, so each
student's tests lie far apart in the file; blocks hold whole students, so the test of record is judged per
student and window as whole. The match gate judges each file whole before any block of it is applied: a
file whose first blocks match and whose later ones do not loads nothing, as read whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest
from sqlalchemy import make_url

from connectors.iready import IReadySource
from connectors.iready import results as iready_results
from connectors.iready.writer import write_iready
from connectors.nwea_map.writer import write_map
from connectors.oneroster_csv.writer import write_oneroster
from hub.pipeline import extracts
from hub.pipeline.assessments import load_assessments
from hub.pipeline.night import run_steps, through
from testkit.synthetic import DistrictSpec, SyntheticDistrict, build_district
from tests.conftest import fresh_postgres_database
from tests.hub.pipeline.test_diagnostic_nights import (
    COMPARED,
    configure,
    night,
    opened,
    read_text,
    tables,
    write_lessons,
)

BLOCK = 7  # test rows a block: a 60-student export is many blocks
ELA, MATH = "diagnostic_results_ela_CONFIDENTIAL.csv", "diagnostic_results_math_CONFIDENTIAL.csv"


@pytest.fixture(scope="module")
def district() -> SyntheticDistrict:
    return build_district(DistrictSpec(students=60, seed=5))


@pytest.fixture
def drop(tmp_path: Path, district: SyntheticDistrict) -> Path:
    """Roster and i-Ready exports (fall and winter), with cells a reader rejects or warns about spread
    through the ELA file, and a test repeated further on (the later row is the test)."""
    drop = tmp_path / "drop"
    write_oneroster(district, drop / "roster")
    write_iready(district, drop / "iready", through="winter")
    write_lessons(drop / "iready", range(0, 20))
    write_map(district, drop / "map")  # applied whole by both hubs
    ela = read_text(drop / "iready" / ELA)
    percentile = ela["Percentile"].to_pylist()
    for row in (3, 40, ela.num_rows - 2):
        percentile[row] = "150"  # out of range: one warning for the file, three rows, first on line 5
    dates = ela["Completion Date"].to_pylist()
    dates[ela.num_rows - 5] = "13/45/2025"  # rejected, on its own line
    ela = ela.set_column(ela.schema.get_field_index("Percentile"), "Percentile", pa.array(percentile))
    ela = ela.set_column(ela.schema.get_field_index("Completion Date"), "Completion Date", pa.array(dates))
    repeated = ela.slice(2, 1)
    scores = repeated["Overall Scale Score"]
    moved = pc.add(pc.cast(scores, pa.int64()), 5).cast(pa.string())
    repeated = repeated.set_column(
        repeated.schema.get_field_index("Overall Scale Score"), "Overall Scale Score", moved
    )
    pacsv.write_csv(pa.concat_tables([ela, repeated]), drop / "iready" / ELA)
    return drop


@pytest.fixture
def urls(tmp_path: Path, warehouse_url: str) -> Iterator[tuple[str, str]]:
    """Two warehouses of the backend under test: the whole batch's, and the blocks'."""
    if make_url(warehouse_url).get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'whole.db'}", warehouse_url
        return
    with fresh_postgres_database() as whole:
        yield whole, warehouse_url


def rejects(config: Path) -> list[tuple]:
    with opened(config) as run:
        found = run.warehouse.read("sync_reject", "d1", active_only=False)
    fields = ["file", "line", "column", "value", "kind", "reason", "severity"]
    return sorted(
        tuple(row[name] for name in fields) for row in found.to_pylist() if row["file"].startswith("diag")
    )


def test_results_applied_a_block_of_students_at_a_time_store_what_the_whole_batch_does(
    tmp_path: Path, drop: Path, urls: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole_url, blocks_url = urls
    ela = read_text(drop / "iready" / ELA)
    first_student = ela["Student ID"].to_pylist()[0]
    rows = [row for row, student in enumerate(ela["Student ID"].to_pylist()) if student == first_student]
    assert rows[-1] - rows[0] > BLOCK  # a student's tests lie further apart than a block

    with monkeypatch.context() as whole_batch:
        whole_batch.setattr(IReadySource, "streamed", ())  # replayed as one table, as before blocks
        whole = configure(tmp_path / "whole", drop, whole_url)
        night(whole)
    monkeypatch.setattr(iready_results, "BLOCK_ROWS", BLOCK)
    blocks = configure(tmp_path / "blocks", drop, blocks_url)
    night(blocks)

    # the night replayed the results in many blocks, each holding every test of its students
    [kept] = [
        path
        for path in (tmp_path / "blocks" / "data" / "d1" / "raw" / "iready").iterdir()
        if path.name != "kept"
    ]
    source = IReadySource(IReadySource.config_model(path=drop / "iready"))
    batch = source.normalize(extracts.load_extract(kept, source.streamed))
    assert "assessment_result" not in batch.tables
    students = [pc.unique(block["assessment_result"]["vendor_student_id"]) for block in batch.blocks]
    assert len(students) > 5
    assert sum(len(ids) for ids in students) == len(pc.unique(pa.chunked_array(students)))

    found, expected = tables(blocks), tables(whole)
    for name in COMPARED:
        assert found[name].num_rows == expected[name].num_rows > 0, name
        assert found[name].equals(expected[name]), name
    records = found["assessment_result"].filter(found["assessment_result"]["is_test_of_record"])
    windows = records.group_by(["vendor", "person_source_id", "subject", "school_year", "window"]).aggregate(
        []
    )
    assert windows.num_rows == records.num_rows  # one test of record per student and window

    issues = rejects(blocks)
    assert issues == rejects(whole)
    [percentile] = [issue for issue in issues if issue[4] == "out_of_range"]
    assert percentile[:3] == (ELA, 5, "Percentile") and "(3 rows, first on line 5)" in percentile[5]
    [bad_date] = [issue for issue in issues if issue[4] == "bad_date"]
    line = ela["Completion Date"].to_pylist().index("13/45/2025") + 2  # after the header, counted from 1
    assert line > BLOCK and bad_date[:4] == (ELA, line, "Completion Date", "13/45/2025")
    assert any(issue[4] == "duplicate_test" for issue in issues)


def test_a_file_whose_first_blocks_match_and_later_ones_do_not_loads_nothing(
    tmp_path: Path, drop: Path, urls: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole_url, blocks_url = urls
    math = read_text(drop / "iready" / MATH)
    ids = math["Student ID"].to_pylist()
    half = len(ids) // 2
    ids[half:] = [f"Z{value}" for value in ids[half:]]  # the second half's students no roster holds
    pacsv.write_csv(
        math.set_column(math.schema.get_field_index("Student ID"), "Student ID", pa.array(ids)),
        drop / "iready" / MATH,
    )

    def gate(config: Path) -> tuple[dict[str, str], list]:
        with opened(config) as run:
            run_steps(run, through("diagnostics_extract"))
            loaded = load_assessments(run)
        return loaded.gate.refused, loaded.gate.reports

    with monkeypatch.context() as whole_batch:
        whole_batch.setattr(IReadySource, "streamed", ())
        whole = configure(tmp_path / "whole", drop, whole_url)
        expected = gate(whole)
    monkeypatch.setattr(iready_results, "BLOCK_ROWS", BLOCK)
    blocks = configure(tmp_path / "blocks", drop, blocks_url)
    refused, reports = gate(blocks)

    assert list(refused) == [MATH] and refused == expected[0]
    assert "First unmatched vendor student ids: Z" in refused[MATH]
    assert reports == expected[1]
    with opened(blocks) as run:
        stored = run.warehouse.read("assessment_result", "d1", columns=["vendor", "subject", "source_id"])
    iready = stored.filter(pc.equal(stored["vendor"], "iready"))
    assert iready.num_rows > 0 and pc.all(pc.equal(iready["subject"], "ela")).as_py()
    assert stored.sort_by("source_id").equals(tables(whole)["assessment_result"].select(stored.column_names))
