"""Nights of progress monitoring read a cycle's mastery checks, not the year's, and judge every placement as
reading all of them does.

The demo district's season is decided once (through its groups); then the progress step runs night after
night at dates across the year: before the first cycle's checks settle, inside cycles, on a cycle's first
day, at the season's end and after the last cycle. Each night its goals equal ``monitor`` over every point
of the tutored students (the view's rows, all checks read), and on a late night it read fewer checks
than the year's, some of them (a student's baseline from before the checks read) older than the
window: on SQLite and PostgreSQL. The same holds in parts of seven students (dozens of parts), with its
diagnostic points those of every tutored student's valid tests, also after tests moved between students
of an early and a late part.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml
from sqlalchemy import update

from cli.demo import demo_as_of, demo_config, write_demo_data
from hub.model import sql_table
from hub.pipeline.context import DistrictRun
from hub.pipeline.night import run_steps, through
from hub.pipeline.parts import student_parts
from hub.pipeline.point_reads import SETTLING_DAYS, goal_checks, tutored_points
from hub.pipeline.progress import RESULT_COLUMNS
from hub.plugins import installed
from hub.progress import diagnostic_points, monitor
from hub.progress.goals import current_cycle, open_placements, stretch_floor
from hub.settings import load_hub_config
from testkit.synthetic import DistrictSpec

STUDENTS, SEED = 400, 5
ONE_PART, TINY_PART = 20_000, 7
OPERATIONS = {"district_id", "status", "synced_at", "source_modified_at"}


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "drop"
    write_demo_data(STUDENTS, SEED, out, echo=lambda _: None)
    return out


def nights(year: int) -> list[date]:
    return [
        date(year - 1, 10, 2),  # the first weeks: every check read
        date(year - 1, 11, 12),
        date(year, 1, 15),
        date(year, 3, 16),  # a cycle's first day
        demo_as_of(year),
        date(year, 7, 1),  # after the last cycle
    ]


def opened(config: Path, as_of: date, part_students: int = ONE_PART) -> DistrictRun:
    hub = load_hub_config(config)
    district = hub.district("demo").model_copy(update={"as_of": as_of, "part_students": part_students})
    return DistrictRun(hub, district, installed())


def expected_goals(run: DistrictRun, previous: pa.Table, as_of: date) -> pa.Table:
    """``monitor`` over every point of the tutored students, as the step read them before."""
    warehouse, district = run.warehouse, run.district_id
    memberships = warehouse.read("group_membership", district)
    tutored = pc.unique(memberships["person_source_id"])
    results = warehouse.read("assessment_result", district, columns=RESULT_COLUMNS)
    return monitor(
        memberships,
        warehouse.read("tutoring_group", district),
        warehouse.read("cycle", district),
        tutored_points(warehouse, district, tutored),
        results.filter(pc.is_in(results["person_source_id"], value_set=tutored)),
        previous,
        run.district.progress,
        as_of,
    )


def expected_points(run: DistrictRun) -> pa.Table:
    """The diagnostic points of every tutored student's valid tests, as one read of the district made them."""
    warehouse, district = run.warehouse, run.district_id
    tutored = pc.unique(warehouse.read("group_membership", district)["person_source_id"])
    return diagnostic_points(warehouse.read("assessment_result", district, columns=RESULT_COLUMNS), tutored)


def stored_diagnostic_points(run: DistrictRun) -> pa.Table:
    points = run.warehouse.read("stored_progress_point", run.district_id)
    return points.filter(pc.starts_with(points["source_id"], "diagnostic:"))


def move_tests(run: DistrictRun) -> None:
    """A valid test of the first tutored student goes to the last one, and one of the last to the first:
    in small parts, a test moves to a later part and one to an earlier part."""
    warehouse = run.warehouse
    tutored = pc.unique(warehouse.read("group_membership", "demo")["person_source_id"]).to_pylist()
    points = stored_diagnostic_points(run)
    tested = sorted(set(tutored) & set(points["person_source_id"].to_pylist()))
    first, last = tested[0], tested[-1]
    results = sql_table("assessment_result")
    with warehouse.engine.begin() as connection:
        for person, other in ((first, last), (last, first)):
            test = points.filter(pc.equal(points["person_source_id"], person))["source_id"][0].as_py()
            connection.execute(
                update(results)
                .where(
                    results.c.district_id == "demo", results.c.source_id == test.removeprefix("diagnostic:")
                )
                .values(person_source_id=other)
            )


def comparable(goals: pa.Table) -> pa.Table:
    goals = goals.drop_columns([name for name in goals.column_names if name in OPERATIONS])
    return goals.select(sorted(goals.column_names)).sort_by("source_id")


@pytest.mark.parametrize("part_students", [ONE_PART, TINY_PART])
def test_nights_read_a_cycles_checks_and_judge_as_reading_the_year(
    drop: Path, tmp_path: Path, warehouse_url: str, part_students: int
) -> None:
    shutil.copytree(drop, tmp_path / "drop")
    year = DistrictSpec(students=STUDENTS, seed=SEED).school_year
    config = demo_config(tmp_path, None, demo_as_of(year))
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["districts"][0]["warehouse_url"] = warehouse_url
    config.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    run = opened(config, demo_as_of(year))
    try:
        run_steps(run, through("tutoring_groups"))
        everything = tutored_points(
            run.warehouse,
            "demo",
            pc.unique(run.warehouse.read("group_membership", "demo")["person_source_id"]),
        )
    finally:
        run.close()

    older = []
    for night in nights(year):
        run = opened(config, night, part_students)
        try:
            if night == demo_as_of(year):
                move_tests(run)
            parts = len(student_parts(run.warehouse, "demo", part_students))
            assert parts == 1 if part_students == ONE_PART else parts > STUDENTS // 10
            previous = run.warehouse.read("progress_goal", "demo")
            run_steps(run, ["progress_monitoring"])
            points, wanted = stored_diagnostic_points(run), expected_points(run)
            assert wanted.num_rows > 0, night
            kept = comparable(points.select(wanted.column_names))
            assert kept.equals(comparable(wanted).cast(kept.schema)), night
            expected = expected_goals(run, previous, night)  # over the diagnostic points the step wrote
            stored = run.warehouse.read("progress_goal", "demo")
            tonight = stored.filter(pc.equal(stored["evaluated_on"], pa.scalar(night, pa.date32())))
            assert expected.num_rows > 0, night
            assert comparable(tonight).equals(comparable(expected).cast(comparable(tonight).schema)), night

            cycles = run.warehouse.read("cycle", "demo")
            floor = stretch_floor(current_cycle(cycles, night), night)
            placements = open_placements(
                run.warehouse.read("group_membership", "demo"),
                run.warehouse.read("tutoring_group", "demo"),
                night,
            )
            read = goal_checks(run.warehouse, "demo", placements, floor)
            start = floor - timedelta(days=SETTLING_DAYS)
            older.append(pc.sum(pc.less(read["session_date"], pa.scalar(start, pa.date32()))).as_py() or 0)
        finally:
            run.close()
    mastery = pc.equal(everything["measure"], "mastery_check")
    assert read.num_rows < pc.sum(mastery).as_py() // 2  # the last night read under half the year's checks
    assert any(older)  # some baselines from before the checks read were found by reading their students'
