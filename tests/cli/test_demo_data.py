"""`tutorhub demo-data`: the tutors' logs name the groups the hub itself forms, each led by its own tutor."""

from __future__ import annotations

import sys
from datetime import timedelta
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml
from click.testing import CliRunner

from cli.demo import demo_as_of, write_demo_data
from cli.main import main
from hub.pipeline.context import DistrictRun
from hub.pipeline.evidence import DOSAGE_SHOWN, DOSAGE_TABLES, stored_dosage
from hub.pipeline.night import run_steps, through
from hub.pipeline.tutoring import read_narrowed
from hub.pipeline.week_reads import pulse_week
from hub.plugins import installed
from hub.settings import load_hub_config
from hub.tutoring.dosage import measure_dosage
from hub.tutoring.pulse import weekly_pulse
from testkit.synthetic import DistrictSpec

STUDENTS, SEED = 600, 5


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("demo") / "drop"
    return out, write_demo_data(STUDENTS, SEED, out, echo=lambda _: None)


def _hub_yaml(directory: Path, drop: Path) -> Path:
    connectors = [
        {
            "name": "roster",
            "type": "oneroster_csv",
            "settings": {"path": str(drop / "oneroster-1.2-bulk.zip")},
        },
        {"name": "iready", "type": "iready", "settings": {"path": str(drop / "iready")}},
        {"name": "map", "type": "nwea_map", "settings": {"path": str(drop / "map")}},
        {"name": "sessions", "type": "session_log", "settings": {"path": str(drop / "sessions")}},
    ]
    config = {
        "data_dir": "data",
        "districts": [
            {"id": "demo", "name": "Demo", "timezone": "America/Chicago", "connectors": connectors}
        ],
    }
    path = directory / "hub.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def _pairs(left: pa.Array | pa.ChunkedArray, right: pa.Array | pa.ChunkedArray) -> pa.Array:
    return pc.binary_join_element_wise(left, right, "|")


def test_every_logged_session_follows_the_hub_decisions_of_its_cycle(
    drop: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    """The night, deciding the whole season on the final exports, finds every session a session of one of
    its groups led by that group's tutor, and every student logged a member of that group on that day."""
    hub = load_hub_config(_hub_yaml(tmp_path, drop[0]))
    district = hub.district("demo").model_copy(
        update={"as_of": demo_as_of(DistrictSpec(STUDENTS, SEED).school_year)}
    )
    run = DistrictRun(hub, district, installed())
    try:
        # the night's steps up to its groups, in process; a failed blocking check stops them (NightHeld)
        decision = run_steps(run, through("tutoring_groups"))["tutoring_groups"]
        groups = run.warehouse.read("tutoring_group", "demo")
        memberships = run.warehouse.read("group_membership", "demo")
        sessions = run.warehouse.read("tutoring_session", "demo")
        attendance = run.warehouse.read("session_attendance", "demo")
    finally:
        run.close()
    assert len(decision.boundaries) > 3 and sessions.num_rows > 0
    # exits and moves happened, so the test below is about a programme that changed during the year
    assert pc.sum(pc.is_valid(memberships["exit_date"])).as_py() > 0
    logged_groups = sessions["group_source_id"]
    assert pc.all(pc.is_in(logged_groups, groups["source_id"])).as_py()
    group_tutor = groups["tutor_person_source_id"].take(pc.index_in(logged_groups, groups["source_id"]))
    assert sessions["tutor_person_source_id"].to_pylist() == group_tutor.to_pylist()
    at = pc.index_in(attendance["session_source_id"], sessions["source_id"])
    logged = pa.table(
        {
            "group_source_id": logged_groups.take(at),
            "person_source_id": attendance["person_source_id"],
            "day": sessions["session_date"].take(at),
        }
    )
    spans = logged.join(
        memberships.select(["group_source_id", "person_source_id", "entry_date", "exit_date"]),
        ["group_source_id", "person_source_id"],
        join_type="inner",
    )
    inside = pc.and_(
        pc.greater_equal(spans["day"], spans["entry_date"]),
        pc.fill_null(pc.less(spans["day"], spans["exit_date"]), True),
    )
    placed = spans.filter(inside)
    assert placed.num_rows == logged.num_rows


def test_the_same_seed_writes_the_same_bytes_and_nothing_else(
    drop: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    out, written = drop
    assert sorted(path for path in out.rglob("*") if path.is_file()) == sorted(written)
    again = write_demo_data(STUDENTS, SEED, tmp_path / "again", echo=lambda _: None)
    assert [path.relative_to(tmp_path / "again") for path in again] == [
        path.relative_to(out) for path in written
    ]
    for first, second in zip(written, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
    assert (out / "sessions" / "sessions.csv").stat().st_size > 0


def _growth(subject: str) -> dict[str, float]:
    from testkit.synthetic import build_district

    students = build_district(DistrictSpec(STUDENTS, SEED)).students
    return dict(
        zip(students["source_id"].to_pylist(), students[f"{subject}_growth"].to_pylist(), strict=True)
    )


def test_the_mastery_checks_and_fluency_probes_follow_each_students_growth(
    drop: tuple[Path, list[Path]],
) -> None:
    """Spring checks of fast growers score above those of slow growers; a probe series climbs faster for a
    faster grower; and every check reads as a point by the documented vocabulary."""
    import numpy as np
    import pyarrow.csv as pacsv

    from connectors.session_log.mastery import percent_correct

    out, _ = drop
    log = pacsv.read_csv(
        out / "sessions" / "sessions.csv",
        convert_options=pacsv.ConvertOptions(
            column_types={"mastery_check": pa.string(), "session_date": pa.string()},
            strings_can_be_null=True,
        ),
    )
    checked = log.filter(pc.is_valid(log["mastery_check"]))
    assert checked.num_rows > 1000
    percents = np.array([percent_correct(text) for text in checked["mastery_check"].to_pylist()])
    assert not np.isnan(percents.astype(float)).any()
    growth = _growth("math")
    spring = np.array([day >= "2026-03-01" for day in checked["session_date"].to_pylist()])
    rates = np.array([growth[student] for student in checked["student_id"].to_pylist()])
    math = np.array([subject == "math" for subject in _subjects(checked)])
    fast, slow = rates >= np.quantile(rates, 0.67), rates <= np.quantile(rates, 0.33)
    assert percents[spring & math & fast].mean() > percents[spring & math & slow].mean() + 10
    probes = pacsv.read_csv(out / "progress" / "orf.csv")
    assert probes.column_names == ["student_id", "date", "measure", "score", "goal", "subject"]
    ela = _growth("ela")
    slopes, growths = [], []
    for student in pc.unique(probes["student_id"]).to_pylist():
        own = probes.filter(pc.equal(probes["student_id"], student))
        if own.num_rows >= 10:
            days = np.array([day.toordinal() for day in own["date"].to_pylist()], dtype=float)
            slopes.append(np.polyfit(days, own["score"].to_numpy().astype(float), 1)[0] * 7)
            growths.append(ela[student])
    assert len(slopes) >= 5 and np.corrcoef(slopes, growths)[0, 1] > 0.5


def _subjects(log: pa.Table) -> list[str]:
    from hub.skills import DOMAINS

    subject_of = {key: subject for subject, domains in DOMAINS.items() for key in domains}
    return [subject_of.get(skill, "") for skill in log["skills_covered"].to_pylist()]


@pytest.mark.parametrize("command", [["demo-data", "--out"], ["demo", "--dir"]])
def test_without_testkit_the_demo_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """A production install (the Docker image) leaves testkit out: the demo says so in one line."""
    monkeypatch.setitem(sys.modules, "testkit", None)  # Python's own way to make a package unimportable
    target = tmp_path / "demo"

    result = CliRunner().invoke(main, [*command, str(target)])

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: the demo needs the testkit package"), result.output
    assert "Traceback" not in result.output
    assert not target.exists()


def test_a_relative_out_folder_is_the_one_under_the_callers_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The season runs from a temporary folder: ``--out drop`` must still mean ./drop where it was typed."""
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(main, ["demo-data", "--students", "50", "--out", "drop"])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "drop" / "oneroster-1.2-bulk.zip").is_file()
    assert (tmp_path / "drop" / "sessions" / "sessions.csv").is_file()


def test_dosage_and_pulse_read_only_what_they_use_and_measure_what_whole_tables_give(
    drop: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    """The dosage step reads the logs' columns it uses, the pulse only its week's sessions and their
    attendance, and the results and enrollments of that week's students (and the teachers'): what they
    keep equals each measured over the whole tables, as they were read before. (The dosage step's own
    result holds of the per-student tables only what its asset shows.)"""
    hub = load_hub_config(_hub_yaml(tmp_path, drop[0]))
    district = hub.district("demo").model_copy(
        update={"as_of": demo_as_of(DistrictSpec(STUDENTS, SEED).school_year)}
    )
    run = DistrictRun(hub, district, installed())
    try:
        done = run_steps(run, through("weekly_pulse"))
        read = partial(run.warehouse.read, district_id="demo")
        sessions, attendance, groups = (
            read("tutoring_session"),
            read("session_attendance"),
            read("tutoring_group"),
        )
        whole = measure_dosage(sessions, attendance, groups, district.dosage)
        held = sessions.filter(
            pc.less_equal(sessions["session_date"], pa.scalar(district.as_of, pa.date32()))
        )
        latest = pc.max(held["session_date"]).as_py()
        week = latest - timedelta(days=latest.weekday())
        assert pulse_week(run.warehouse, "demo", district.as_of) == week
        pulse = weekly_pulse(
            week, sessions, attendance, groups, read("group_membership"),
            read_narrowed(run, "assessment_result"), read("enrollment"), read("section"),
        )  # fmt: skip
    finally:
        run.close()
    kept, shown = stored_dosage(run), done["dosage"].measured
    assert whole.student_weeks.num_rows > 0 and pulse.groups.num_rows > 0
    for name in DOSAGE_TABLES:
        assert getattr(kept, name).equals(getattr(whole, name)), name
    for name, columns in DOSAGE_SHOWN.items():  # the step's result holds what its asset shows of them
        assert getattr(shown, name).equals(getattr(whole, name).select(columns)), name
    assert pc.min(sessions["session_date"]).as_py() < week  # the week's read left most of the logs out
    assert done["weekly_pulse"].measured.groups.equals(pulse.groups)
    assert done["weekly_pulse"].measured.teachers.equals(pulse.teachers)
