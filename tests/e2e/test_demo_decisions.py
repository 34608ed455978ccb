"""The demo district tells one story: the week's tutoring is the tutoring the hub decided, seen in its
warehouse after `tutorhub demo`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

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
