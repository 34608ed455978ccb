"""A next night's diagnostics cost what changed, and leave the warehouse a whole reload would.

Synthetic i-Ready (Diagnostic Results and lessons) and MAP Growth exports, in the vendors' layouts, go
through the night's own steps night after night. One hub reads them tracked (only the students whose rows
are new, changed or gone since the last committed apply are normalized, matched and applied, and only the
students whose stored tests changed get their skill gaps derived again); a second reads the same folder
every night with its kept files removed and the gaps' last derivation forgotten, which makes every night
read, apply and derive everything, as before these changes. After each night their diagnostic tables and
everything derived from them are equal, on SQLite and PostgreSQL: appended retests with the Most Recent
flag moved, lessons added, an old row corrected, students leaving the roster and coming back, a night the
match-rate gate refuses (it judges the rows a night applies) and the good night after it, a file removed,
a file replaced by an older copy, the kept files lost.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest
import yaml
from sqlalchemy import make_url

from connectors.iready.layouts import LAYOUTS
from connectors.iready.writer import write_iready
from connectors.nwea_map.writer import write_map
from connectors.oneroster_csv.writer import write_oneroster
from hub.pipeline.context import DistrictRun
from hub.pipeline.night import NightHeld, run_steps, through
from hub.plugins import installed
from hub.settings import load_hub_config
from testkit.synthetic import DistrictSpec, SyntheticDistrict, build_district
from tests.conftest import fresh_postgres_database

COMPARED = ("assessment_result", "domain_result", "lesson_evidence", "skill_gap", "tier_assignment")
"""The diagnostics' tables and what the night derives from them."""
OPERATIONS = {"district_id", "synced_at", "sync_run_id", "created_run_id", "updated_run_id"}
CONNECTORS = ("iready", "map")


@pytest.fixture(scope="module")
def district() -> SyntheticDistrict:
    return build_district(DistrictSpec(students=120, seed=31))


@pytest.fixture
def drop(tmp_path: Path, district: SyntheticDistrict) -> Path:
    drop = tmp_path / "drop"
    write_oneroster(district, drop / "roster")
    write_iready(district, drop / "iready", through="winter")
    write_map(district, drop / "map")
    write_lessons(drop / "iready", range(0, 40))
    return drop


def write_lessons(folder: Path, students: range) -> None:
    """i-Ready's Personalized Instruction by Lesson for ``students`` (positions among the Diagnostic
    Results' students): two Phonics lessons and a Comprehension one each."""
    ids = pc.unique(read_text(folder / "diagnostic_results_ela_CONFIDENTIAL.csv")["Student ID"]).to_pylist()
    header = next(
        layout.columns for layout in LAYOUTS if layout.label == "Personalized Instruction by Lesson"
    )
    lessons = [
        {
            "Student ID": ids[i],
            "Subject": "Reading",
            "Academic Year": "2025-2026",
            "Completion Date": day,
            "Domain": domain,
            "Passed or Not Passed": passed,
            "Total Time on Lesson (min)": "15",
        }
        for i in students
        for day, domain, passed in (
            ("10/1/2025", "Phonics", "Passed"),
            ("10/8/2025", "Phonics", "Not Passed"),
            ("10/9/2025", "Comprehension: Close Reading", "Passed"),
        )
    ]
    with (folder / "personalized_instruction_by_lesson_ela.csv").open(
        "w", newline="", encoding="utf-8"
    ) as out:
        writer = csv.DictWriter(out, fieldnames=list(header), restval="")
        writer.writeheader()
        writer.writerows(lessons)


def configure(folder: Path, drop: Path, warehouse_url: str) -> Path:
    [package] = (drop / "roster").iterdir()
    connectors = [
        {"name": "roster", "type": "oneroster_csv", "settings": {"path": str(package)}},
        {"name": "iready", "type": "iready", "settings": {"path": str(drop / "iready")}},
        {"name": "map", "type": "nwea_map", "settings": {"path": str(drop / "map")}},
    ]
    district = {
        "id": "d1",
        "name": "D1",
        "timezone": "UTC",
        "warehouse_url": warehouse_url,
        "diagnostics": {"min_match_rate": 0.8},
        "connectors": connectors,
    }
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "hub.yaml"
    config.write_text(yaml.safe_dump({"data_dir": "data", "districts": [district]}), encoding="utf-8")
    return config


@contextmanager
def opened(config: Path) -> Iterator[DistrictRun]:
    hub = load_hub_config(config)
    run = DistrictRun(hub, hub.district("d1"), installed())
    try:
        yield run
    finally:
        run.close()


def night(config: Path, *, forget: bool = False) -> dict[str, dict[str, int]]:
    """The night's steps through the tiers: rows applied per connector and table, and under ``"gaps"``
    how many students' gaps were derived again (-1: everyone's). ``forget``: the kept files are removed
    and the gaps' last derivation forgotten first, so the night reads, applies and derives everything."""
    if forget:
        for connector in CONNECTORS:
            shutil.rmtree(config.parent / "data" / "d1" / "raw" / connector / "kept", ignore_errors=True)
    with opened(config) as run:
        if forget:
            run.warehouse.record_step(run.district_id, "skill_gaps", through_run=None)
        done = run_steps(run, through("tiers"))
    applied = done["assessment_results"].summaries
    counts = {summary.connector: {t: c.rows for t, c in summary.changes.items()} for summary in applied}
    gaps = done["skill_gaps"]
    counts["gaps"] = {"redone": -1 if gaps.redone is None else gaps.redone} if gaps.derived else {}
    return counts


def tables(config: Path) -> dict[str, pa.Table]:
    with opened(config) as run:
        found = {}
        for name in COMPARED:
            table = run.warehouse.read(name, "d1")
            table = table.drop_columns([c for c in table.column_names if c in OPERATIONS])
            found[name] = table.sort_by([(c, "ascending") for c in table.column_names if c == "source_id"])
        return found


class Hubs:
    """The tracked hub and the hub that reads everything, over the same drop folder."""

    def __init__(self, tmp_path: Path, drop: Path, url: str, full_url: str) -> None:
        self.tracked = configure(tmp_path / "tracked", drop, url)
        self.full = configure(tmp_path / "full", drop, full_url)

    def night(self) -> dict[str, dict[str, int]]:
        applied = night(self.tracked)
        night(self.full, forget=True)
        found, expected = tables(self.tracked), tables(self.full)
        for name in COMPARED:
            assert found[name].num_rows == expected[name].num_rows, name
            assert found[name].equals(expected[name]), name
        return applied


@pytest.fixture
def hubs(tmp_path: Path, drop: Path, warehouse_url: str) -> Iterator[Hubs]:
    if make_url(warehouse_url).get_backend_name() == "sqlite":
        yield Hubs(tmp_path, drop, warehouse_url, f"sqlite:///{tmp_path / 'full.db'}")
        return
    with fresh_postgres_database() as full_url:
        yield Hubs(tmp_path, drop, warehouse_url, full_url)


def read_text(path: Path) -> pa.Table:
    with path.open(encoding="utf-8-sig") as stream:
        header = next(csv.reader([stream.readline()]))
    types = dict.fromkeys(header, pa.string())
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))


def append_map_retests(path: Path, rows: int, *, first_row: int = 0, student_prefix: str = "") -> None:
    """Retests of ``rows`` tests from ``first_row`` on, appended as NWEA does: new TestIDs, a week later,
    a moved score, every field quoted; ``student_prefix`` makes their students ones no roster holds."""
    table = read_text(path)
    tests = table.slice(first_row, rows)
    first = pc.max(pc.cast(table["TestID"], pa.int64())).as_py() + 1
    tests = tests.set_column(
        tests.schema.get_field_index("TestID"),
        "TestID",
        pa.array(range(first, first + rows)).cast(pa.string()),
    )
    when = pc.strptime(tests["TestStartDate"], format="%m/%d/%Y", unit="s")
    later = pc.strftime(pc.add(when, pa.scalar(86_400 * 7, pa.duration("s"))), format="%m/%d/%Y")
    tests = tests.set_column(tests.schema.get_field_index("TestStartDate"), "TestStartDate", later)
    score = pc.add(pc.cast(tests["TestRITScore"], pa.int64()), 3).cast(pa.string())
    tests = tests.set_column(tests.schema.get_field_index("TestRITScore"), "TestRITScore", score)
    if student_prefix:
        ids = pc.binary_join_element_wise(student_prefix, tests["StudentID"], "")
        tests = tests.set_column(tests.schema.get_field_index("StudentID"), "StudentID", ids)
    body = io.BytesIO()
    pacsv.write_csv(tests, body, pacsv.WriteOptions(include_header=False, quoting_style="all_valid"))
    with path.open("ab") as stream:
        stream.write(body.getvalue())


def correct_a_score(path: Path, row: int) -> None:
    """The MAP export written again with one earlier test's RIT score corrected."""
    table = read_text(path)
    scores = pc.cast(table["TestRITScore"], pa.int64()).to_pylist()
    scores[row] += 1
    index = table.schema.get_field_index("TestRITScore")
    table = table.set_column(index, "TestRITScore", pa.array(scores).cast(pa.string()))
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="all_valid"))


def without_students(package: Path, count: int) -> None:
    """The OneRoster zip with ``count`` students gone: their users, roles, demographics, enrollments."""
    with zipfile.ZipFile(package) as archive:
        files = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    users = list(csv.reader(io.StringIO(files["users.csv"])))
    leaving = {row[0] for row in users[1:] if row[0].startswith("stu-")}
    leaving = set(sorted(leaving)[:count])
    owner = {"users.csv": 0, "demographics.csv": 0, "roles.csv": 3, "enrollments.csv": 5}
    with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            if name in owner:
                rows = list(csv.reader(io.StringIO(text)))
                kept = [rows[0], *(row for row in rows[1:] if row[owner[name]] not in leaving)]
                out = io.StringIO()
                csv.writer(out, lineterminator="\n").writerows(kept)
                text = out.getvalue()
            archive.writestr(name, text)


def results(config: Path) -> pa.Table:
    with opened(config) as run:
        return run.warehouse.read("assessment_result", "d1")


def test_nights_of_changed_exports_leave_what_reading_everything_does(
    hubs: Hubs, drop: Path, district: SyntheticDistrict, tmp_path: Path
) -> None:
    first = hubs.night()
    stored = results(hubs.tracked).num_rows
    assert first["iready"]["assessment_result"] + first["map"]["assessment_result"] == stored

    # spring: i-Ready's exports rewritten whole with the spring tests appended and earlier flags moved
    older = tmp_path / "winter-ela.csv"
    shutil.copy(drop / "iready" / "diagnostic_results_ela_CONFIDENTIAL.csv", older)
    write_iready(district, drop / "iready", through="spring")
    write_lessons(drop / "iready", range(0, 45))  # five students more practised
    append_map_retests(drop / "map" / "AssessmentResults.csv", 6)
    applied = hubs.night()
    map_tests = first["map"]["assessment_result"]
    assert applied["map"]["assessment_result"] < map_tests // 4  # six new tests and their students' others
    spring = results(hubs.tracked).num_rows - stored
    assert 0 < applied["iready"]["assessment_result"] < spring + stored // 2

    # an old row corrected: a MAP score fixed in place, nothing appended
    correct_a_score(drop / "map" / "AssessmentResults.csv", 1)
    applied = hubs.night()
    assert applied["map"]["assessment_result"] < map_tests // 4
    assert 1 <= applied["gaps"]["redone"] <= 2  # the student of the corrected test (and of its retest)

    # students leave the roster (their results go unmatched) and come back (matched again)
    package = next((drop / "roster").iterdir())
    whole = tmp_path / "roster.zip"
    shutil.copy(package, whole)
    without_students(package, 4)
    hubs.night()
    assert pc.sum(pc.equal(results(hubs.tracked)["match_status"], "unmatched")).as_py() > 0
    assert pc.sum(pc.equal(tables(hubs.tracked)["lesson_evidence"]["match_status"], "unmatched")).as_py() > 0
    shutil.copy(whole, package)
    hubs.night()
    assert pc.all(pc.equal(results(hubs.tracked)["match_status"], "matched")).as_py()

    # one new test of a student no roster holds yet: judged with the whole file (one unmatched row of it,
    # as reading everything counts it), so it loads unmatched and holds nothing
    results_file = drop / "map" / "AssessmentResults.csv"
    append_map_retests(results_file, 1, student_prefix="X")
    applied = hubs.night()
    assert applied["map"]["assessment_result"] >= 1
    assert pc.sum(pc.equal(results(hubs.tracked)["match_status"], "unmatched")).as_py() == 1

    # a night the gate refuses on both hubs (a quarter of the file's tests are of unknown students), then
    # a good one once the vendor sends the file without them
    before_unknown = tmp_path / "map-results.csv"
    shutil.copy(results_file, before_unknown)
    append_map_retests(results_file, map_tests // 3, student_prefix="Y")
    with pytest.raises(NightHeld, match="match_rate"):
        night(hubs.tracked)
    with pytest.raises(NightHeld, match="match_rate"):
        night(hubs.full, forget=True)
    shutil.copy(before_unknown, results_file)
    append_map_retests(results_file, 40, first_row=20)
    applied = hubs.night()
    assert applied["map"]["assessment_result"] >= 40

    # a file removed takes nothing back; a file replaced by an older copy is read against the newer
    (drop / "iready" / "diagnostic_results_math_CONFIDENTIAL.csv").unlink()
    hubs.night()
    shutil.copy(older, drop / "iready" / "diagnostic_results_ela_CONFIDENTIAL.csv")
    hubs.night()

    # the kept files lost: everything is read and applied again, and nothing changes
    shutil.rmtree(hubs.tracked.parent / "data" / "d1" / "raw" / "iready" / "kept")
    correct_a_score(drop / "map" / "AssessmentResults.csv", 2)
    applied = hubs.night()
    assert applied["map"]["assessment_result"] < map_tests // 4


def test_exports_rewritten_in_another_order_apply_nothing(tmp_path: Path, drop: Path) -> None:
    """Rows are compared by their cells, not their lines: a re-export in another row order (and with
    blanks quoted otherwise) changes no row, so the night applies nothing of it."""
    config = configure(tmp_path / "hub", drop, f"sqlite:///{tmp_path / 'warehouse.db'}")
    night(config)
    before = tables(config)
    for path in (drop / "map" / "AssessmentResults.csv", drop / "map" / "StudentsBySchool.csv"):
        table = read_text(path)
        pacsv.write_csv(table.take(pa.array(range(table.num_rows - 1, -1, -1))), path)
    applied = night(config)
    assert applied["map"] == {} or not any(applied["map"].values())
    assert {name: table.equals(before[name]) for name, table in tables(config).items()} == dict.fromkeys(
        COMPARED, True
    )
