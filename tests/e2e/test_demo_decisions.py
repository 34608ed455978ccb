"""The demo district tells one story: the week's tutoring is the tutoring the hub decided, seen in its
warehouse after `tutorhub demo`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from hub.warehouse import Warehouse
from tests.e2e.demo_run import run_demo

DISTRICT = "demo"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    directory = tmp_path_factory.mktemp("demo-decisions") / "demo"
    finished = run_demo(directory)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    store = Warehouse(f"sqlite:///{directory / 'data' / DISTRICT / 'warehouse.db'}")
    yield store
    store.dispose()


def _attended_last_week(warehouse: Warehouse) -> pa.Table:
    """(student, group, day) of every present or tardy student in the last logged week."""
    sessions = warehouse.read("tutoring_session", DISTRICT)
    attendance = warehouse.read("session_attendance", DISTRICT)
    last = pc.max(sessions["session_date"]).as_py()
    week = sessions.filter(pc.greater(sessions["session_date"], pa.scalar(last - timedelta(days=7))))
    came = attendance.filter(pc.is_in(attendance["attendance"], value_set=pa.array(["present", "tardy"])))
    joined = came.join(week, "session_source_id", right_keys="source_id", join_type="inner")
    return joined.select(["person_source_id", "group_source_id", "session_date"])


@pytest.mark.slow
def test_the_last_logged_weeks_attendance_belongs_to_students_placed_that_week(warehouse: Warehouse) -> None:
    attended = _attended_last_week(warehouse)
    memberships = warehouse.read("group_membership", DISTRICT)
    spans = attended.append_column("_row", pa.array(range(attended.num_rows))).join(
        memberships.select(["person_source_id", "group_source_id", "entry_date", "exit_date"]),
        ["person_source_id", "group_source_id"],
        join_type="inner",
    )
    placed = spans.filter(
        pc.and_(
            pc.greater_equal(spans["session_date"], spans["entry_date"]),
            pc.fill_null(pc.less(spans["session_date"], spans["exit_date"]), True),
        )
    )
    assert attended.num_rows > 100
    share = pc.count_distinct(placed["_row"]).as_py() / attended.num_rows
    assert share >= 0.99, f"{share:.1%} of the last week's attendance is of students placed that week"


@pytest.mark.slow
def test_reviews_keep_students_in_tutoring_and_entrants_left_out_say_why(warehouse: Warehouse) -> None:
    reviews = warehouse.read("tutoring_review", DISTRICT)
    assert reviews.num_rows > 0
    assert set(reviews["outcome"].to_pylist()) == {"stays"}
    assert set(reviews["action"].to_pylist()) <= {"continue", "intensify", "change_focus", "refer"}
    assert pc.all(pc.greater(pc.utf8_length(reviews["reason"]), 0)).as_py()
    memberships = warehouse.read("group_membership", DISTRICT)
    reviewed = pc.is_in(memberships["source_id"], value_set=reviews["membership_source_id"])
    # a reviewed membership never ends at its review (review_action defaults to continue); a small group
    # may still merge into another at that boundary, which moves the student and is no exit
    ended_at_review = memberships.filter(reviewed).join(
        reviews.select(["membership_source_id", "review_date"]),
        "source_id",
        right_keys="membership_source_id",
    )
    ended = ended_at_review.filter(
        pc.fill_null(pc.equal(ended_at_review["exit_date"], ended_at_review["review_date"]), False)
    )
    assert all(reason.startswith("moved to group ") for reason in ended["exit_reason"].to_pylist())
    unplaced = warehouse.read("unplaced_entrant", DISTRICT)
    assert pc.all(pc.is_valid(unplaced["reason"])).as_py()
    assert set(unplaced["reason_code"].to_pylist()) <= {"no_tutor_capacity", "awaiting_new_test"}


def _per_boundary(table: pa.Table, column: str) -> dict:
    """Rows per value of ``column`` (a boundary date)."""
    counts = table.group_by(column).aggregate([(column, "count")])
    return dict(zip(counts[column].to_pylist(), counts[f"{column}_count"].to_pylist(), strict=True))


def _open_on(memberships: pa.Table, day: date) -> int:
    """Memberships in force on ``day`` (from the entry date up to, not including, the exit date)."""
    return memberships.filter(
        pc.and_(
            pc.less_equal(memberships["entry_date"], day),
            pc.fill_null(pc.greater(memberships["exit_date"], day), True),
        )
    ).num_rows


@pytest.mark.slow
def test_a_funded_programme_places_nearly_every_entrant_and_no_boundary_empties_it(
    warehouse: Warehouse,
) -> None:
    memberships = warehouse.read("group_membership", DISTRICT)
    waiting = warehouse.read("unplaced_entrant", DISTRICT)
    short = waiting.filter(pc.equal(waiting["reason_code"], "no_tutor_capacity"))
    # a student still waiting is recorded again at each boundary: count them against everyone placed then
    for day, unplaced in _per_boundary(short, "boundary_date").items():
        placed = _open_on(memberships, day)
        assert unplaced <= 0.05 * (placed + unplaced), f"{day}: {unplaced} wait for a tutor, {placed} placed"
    key = ["person_source_id", "subject"]
    ever = short.select(key).group_by(key).aggregate([])
    never = ever.join(memberships.select(key), key, join_type="left anti")
    students = memberships.group_by(key).aggregate([]).num_rows
    assert never.num_rows <= 0.02 * students, f"{never.num_rows} entrants never placed, {students} placed"
    moved = pc.fill_null(pc.starts_with(memberships["exit_reason"], "moved to group "), False)
    exits = memberships.filter(pc.and_(pc.is_valid(memberships["exit_date"]), pc.invert(moved)))
    for day, left in _per_boundary(exits, "exit_date").items():
        before = _open_on(memberships, day - timedelta(days=1))
        assert left <= 0.6 * before, f"{day}: {left} of {before} exited at one boundary"
