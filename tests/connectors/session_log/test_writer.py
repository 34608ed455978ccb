"""The simulated season: believable logs that re-read cleanly, and growth that follows dosage."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from connectors.session_log import SessionLogConfig, SessionLogSource
from connectors.session_log.writer import TutoringSimulation, simulate_tutoring, write_tutors
from hub.model import conform
from testkit.synthetic import DistrictSpec, build_district


@pytest.fixture(scope="module")
def simulation() -> TutoringSimulation:
    return simulate_tutoring(build_district(DistrictSpec(students=800, seed=11)))


def test_the_written_log_reads_back_through_the_connector(simulation, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = [*simulation.write(tmp_path), write_tutors(simulation.district, tmp_path)]
    assert [path.name for path in paths] == ["sessions.csv", "tutors.csv"]
    source = SessionLogSource(SessionLogConfig(path=tmp_path))
    extract = source.read()
    assert extract.issues == []
    batch = source.normalize(extract)
    season = simulation.season
    assert batch.tables["tutoring_session"].num_rows == season.sessions.num_rows
    assert batch.tables["session_attendance"].num_rows == season.attendance.num_rows
    assert batch.tables["tutor_profile"].num_rows == simulation.district.tutors.num_rows
    read_minutes = pc.sum(batch.tables["session_attendance"]["minutes_present"]).as_py()
    assert read_minutes == pc.sum(season.attendance["minutes_present"]).as_py()


def test_the_same_district_gives_the_same_log(simulation, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    again = simulate_tutoring(build_district(DistrictSpec(students=800, seed=11)))
    first, second = simulation.write(tmp_path / "a")[0], again.write(tmp_path / "b")[0]
    assert first.read_bytes() == second.read_bytes()


def test_tutors_are_written_alone_and_read_back(tmp_path: Path) -> None:
    district = build_district(DistrictSpec(students=300, seed=3))
    path = write_tutors(district, tmp_path)
    source = SessionLogSource(SessionLogConfig(path=path))
    extract = source.read()
    assert extract.issues == [] and list(extract.streams) == ["tutors"]
    profiles = source.normalize(extract).tables["tutor_profile"]
    assert profiles["source_id"].to_pylist() == district.tutors["source_id"].to_pylist()
    assert profiles["school_source_ids"].to_pylist() == district.tutors["school_source_id"].to_pylist()


def test_every_student_logged_at_a_session_is_a_member_of_its_group(simulation) -> None:  # type: ignore[no-untyped-def]
    season = simulation.season
    group = season.sessions["group_id"].take(
        pc.index_in(season.attendance["session_id"], season.sessions["session_id"])
    )
    logged = pc.binary_join_element_wise(group, season.attendance["student_id"], "|")
    seated = pc.binary_join_element_wise(season.members["group_id"], season.members["student_id"], "|")
    assert pc.all(pc.is_in(logged, seated)).as_py()
    per_group = season.attendance.append_column("group_id", group).group_by(["session_id", "group_id"])
    sizes = per_group.aggregate([("student_id", "count")])
    expected = season.members.group_by("group_id").aggregate([("student_id", "count")])
    lookup = pc.index_in(sizes["group_id"], expected["group_id"])
    assert sizes["student_id_count"].to_pylist() == expected["student_id_count"].take(lookup).to_pylist()


def test_groups_are_small_one_subject_per_student_and_meet_three_times_a_week(simulation) -> None:  # type: ignore[no-untyped-def]
    members = simulation.members
    sizes = members.group_by("group_id").aggregate([("student", "count")])["student_count"].to_numpy()
    assert sizes.max() <= 4 and sizes.min() >= 1
    per_subject = members.group_by(["student_id", "subject"]).aggregate([("group_id", "count")])
    assert pc.max(per_subject["group_id_count"]).as_py() == 1
    sessions = simulation.season.sessions
    days = sessions["session_date"].to_numpy().astype("datetime64[D]")
    weeks = (days.astype(np.int64) + 3) // 7
    per_week = np.unique(np.stack([sessions["group"].to_numpy(), weeks]), axis=1, return_counts=True)[1]
    assert per_week.max() == 3 and np.median(per_week) == 3
    for holiday in (date(2025, 12, 25), date(2026, 1, 1), date(2025, 11, 27)):
        assert np.datetime64(holiday) not in days


def test_attendance_is_realistic(simulation) -> None:  # type: ignore[no-untyped-def]
    rows = simulation.season.attendance
    held = rows.filter(pc.not_equal(rows["attendance"], "cancelled"))
    came = pc.is_in(held["attendance"], pa.array(["present", "tardy"])).to_numpy(zero_copy_only=False)
    students = held["student_id"].to_numpy(zero_copy_only=False)
    _, index = np.unique(students, return_inverse=True)
    rate = np.bincount(index, weights=came) / np.bincount(index)
    assert 0.05 < np.mean(rate < 0.65) < 0.35  # about one in five under-dosed
    assert np.median(rate) > 0.8
    statuses = set(rows["attendance"].to_pylist())
    assert statuses == {"present", "tardy", "absent", "excused", "cancelled"}
    tutors_per_group = simulation.season.sessions.group_by("group_id").aggregate(
        [("tutor_id", "count_distinct")]
    )
    assert pc.max(tutors_per_group["tutor_id_count_distinct"]).as_py() == 2  # some groups change tutor


def test_the_effect_follows_attended_hours(simulation) -> None:  # type: ignore[no-untyped-def]
    for subject in ("ela", "math"):
        start, _ = simulation.district.window_dates("spring")
        hours = simulation.hours(subject, start)
        effect = simulation.effect(subject, "spring").to_numpy()
        assert len(effect) == simulation.district.students.num_rows
        assert np.all(effect[hours == 0] == 0) and np.all(effect[hours > 0] > 0)
        order = np.argsort(hours)
        assert np.all(np.diff(effect[order]) >= 0)  # more hours, never less effect
        assert simulation.effect(subject, "fall").to_numpy().max() == 0  # tutoring starts after fall testing
        winter = simulation.effect(subject, "winter").to_numpy()
        assert np.all(effect >= winter) and effect.max() > winter.max()
        thirty_hours = effect[(hours > 28) & (hours < 32)]
        assert np.all((thirty_hours > 0.25) & (thirty_hours < 0.4))  # about +0.35 per 30 hours at first


def _hub_groups(district, formed_on: date) -> tuple[pa.Table, pa.Table]:  # type: ignore[no-untyped-def]
    """Three groups as the hub writes them: one tutored, one without a tutor, one whose member has left."""
    students = district.students["source_id"].to_pylist()
    tutor = district.tutors["source_id"][0].as_py()
    ids = ["2026-c2:a:math:geometry:05:1", "2026-c2:a:math:geometry:05:2", "2026-c2:a:ela:phonics:01:1"]
    groups = conform(
        "tutoring_group",
        pa.table(
            {
                "source_id": ids,
                "school_source_id": ["a"] * 3,
                "subject": ["math", "math", "ela"],
                "canonical_domain": ["geometry", "geometry", "phonics"],
                "grades": ["05", "05", "01"],
                "tutor_person_source_id": [tutor, None, tutor],
                "cycle_source_id": ["2026-c2"] * 3,
                "formed_on": pa.array([formed_on] * 3, pa.date32()),
            }
        ),
    )
    seats = [(ids[0], students[0]), (ids[0], students[1]), (ids[1], students[2]), (ids[2], students[3])]
    memberships = conform(
        "group_membership",
        pa.table(
            {
                "source_id": [f"{group}:{student}" for group, student in seats],
                "group_source_id": [group for group, _ in seats],
                "person_source_id": [student for _, student in seats],
                "subject": ["math", "math", "math", "ela"],
                "entry_date": pa.array([formed_on] * 4, pa.date32()),
                "entry_evidence": ["tier 2"] * 4,
                "exit_date": pa.array([None, None, None, formed_on], pa.date32()),
            }
        ),
    )
    return groups, memberships


def test_the_hubs_groups_meet_with_their_own_tutor_from_the_day_they_were_formed() -> None:
    district = build_district(DistrictSpec(students=300, seed=3))
    formed_on = date(2025, 10, 15)
    groups, memberships = _hub_groups(district, formed_on)
    season = simulate_tutoring(district, groups=groups, members=memberships).season
    # the group without a tutor and the one whose only member left do not meet
    assert set(season.sessions["group_id"].to_pylist()) == {groups["source_id"][0].as_py()}
    assert set(season.sessions["tutor_id"].to_pylist()) == {groups["tutor_person_source_id"][0].as_py()}
    assert pc.min(season.sessions["session_date"]).as_py() >= formed_on
    assert set(season.attendance["student_id"].to_pylist()) == set(
        district.students["source_id"][:2].to_pylist()
    )
    effect = simulate_tutoring(district, groups=groups, members=memberships).effect("math", "spring")
    tutored = np.flatnonzero(effect.to_numpy() > 0)
    assert tutored.tolist() == [0, 1]


def test_hub_groups_need_their_members() -> None:
    district = build_district(DistrictSpec(students=300, seed=3))
    groups, _ = _hub_groups(district, date(2025, 10, 15))
    with pytest.raises(ValueError, match="together"):
        simulate_tutoring(district, groups=groups)
