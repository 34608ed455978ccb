"""A review counts each membership's sessions since its student was placed and before the boundary; asked
for a few students at a time, the counts are those of asking for all of them at once."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from hub.tutoring import reviews
from hub.tutoring.attendance import ATTENDANCE_SCHEMA, LoggedAttendance
from hub.tutoring.reviews import attendance_counts

ON = date(2025, 11, 10)
GROUP_SUBJECTS = pa.table(
    {"group_source_id": ["g-math", "g-old", "g-ela"], "subject": ["math", "math", "ela"]}
)
SINCE = [date(2025, 10, 1), date(2025, 9, 15), date(2025, 10, 20), date(2025, 9, 29), date(2025, 11, 3)]
ROWS = pa.table(
    {
        "person_source_id": ["p1", "p1", "p2", "p3", "p4"],
        "subject": ["math", "ela", "math", "math", "ela"],
        "since": SINCE,
    }
)
LOGS = LoggedAttendance(
    pa.Table.from_pylist(
        [
            {"person_source_id": who, "group_source_id": group, "session_date": day, "attended": came}
            for who, group, day, came in [
                ("p1", "g-old", date(2025, 9, 22), True),  # math before p1 was placed: not counted
                ("p1", "g-old", date(2025, 10, 1), True),  # regrouped since: the old group's math counts
                ("p1", "g-math", date(2025, 10, 8), False),
                ("p1", "g-ela", date(2025, 9, 15), True),
                ("p1", "g-ela", date(2025, 11, 10), True),  # on the boundary: not before it
                ("p2", "g-math", date(2025, 10, 21), True),
                ("p2", "g-math", date(2025, 10, 22), True),
                ("p2", "g-gone", date(2025, 10, 23), True),  # a group the history does not hold
                ("p3", "g-math", date(2025, 10, 6), False),
                ("p9", "g-math", date(2025, 10, 6), True),  # not reviewed
            ]
        ],
        schema=ATTENDANCE_SCHEMA,
    )
)


@pytest.mark.parametrize("per_ask", [1, 2, 1_000])
def test_counts_asked_for_a_few_students_at_a_time_are_those_of_one_ask(
    per_ask: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reviews, "STUDENTS_PER_ASK", per_ask)
    scheduled, attended = attendance_counts(LOGS, GROUP_SUBJECTS, ROWS, ON)
    assert scheduled.tolist() == [2, 1, 2, 1, 0]
    assert attended.tolist() == [1, 1, 2, 0, 0]
