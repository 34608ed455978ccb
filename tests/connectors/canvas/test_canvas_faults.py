"""The fault matrix: whatever the server throws, every report ends up on Canvas exactly once.

Each case pushes week 1 and then week 2 of three course reports (page plus gradebook column) through the
push driver while the fake Canvas plays its faults, then runs once more, as the next night would.
Throttles, 500s, timeouts and drops before the answer are absorbed inside one run by the retry layer; a
connection dropped mid-answer fails that one report, and the next run sends it, and only it, again.
"""

from __future__ import annotations

import pytest

from hub.connector import PushOutcome
from hub.push import push_reports
from hub.warehouse import Warehouse
from testkit.fakes.server import Fault, FaultKind

COURSES = ("ALG.101/2", "BIO-7", "CHEM-3")
STATUSES = {"ALG.101/2": ("S_1", "S_2"), "BIO-7": ("S_2", "S_4"), "CHEM-3": ("S_5", "S_6")}

MATRIX = {
    "throttle_403": (
        [Fault(FaultKind.THROTTLE_403, path="pages"), Fault(FaultKind.THROTTLE_403, path="data")],
        True,
    ),
    "throttle_429": (
        [Fault(FaultKind.THROTTLE_429, path="pages"), Fault(FaultKind.THROTTLE_429, path="users")],
        True,
    ),
    "error_500": ([Fault(FaultKind.ERROR_500, path="pages"), Fault(FaultKind.ERROR_500, path="data/")], True),
    "timeout": ([Fault(FaultKind.SLOW, path="pages"), Fault(FaultKind.SLOW, path="data/")], True),
    "drop": ([Fault(FaultKind.DROP, path="pages"), Fault(FaultKind.DROP, path="data/")], True),
    "drop_mid": ([Fault(FaultKind.DROP_MID, path="pages")], False),
    "mixed": (
        [
            Fault(FaultKind.THROTTLE_403, path="pages"),
            Fault(FaultKind.SLOW, path="pages"),
            Fault(FaultKind.ERROR_500, path="users"),
            Fault(FaultKind.THROTTLE_429, path="custom_gradebook_columns$"),
            Fault(FaultKind.DROP, path="data/"),
            Fault(FaultKind.DROP_MID, path="data/"),
        ],
        False,
    ),
}


@pytest.mark.parametrize("case", list(MATRIX))
def test_every_report_lands_exactly_once(case, canvas, make_destination, teacher_report, tmp_path) -> None:
    faults, in_one_run = MATRIX[case]
    warehouse = Warehouse(f"sqlite:///{tmp_path / 'warehouse.db'}")
    for week in (1, 2):
        destination = make_destination(gradebook_column=True)  # each night is a new process
        reports = [
            teacher_report(
                course, f"<h1>{course} week {week}</h1>", **dict.fromkeys(STATUSES[course], f"week {week}")
            )
            for course in COURSES
        ]
        canvas.inject(*faults)
        first = push_reports(warehouse, "north", "canvas", destination, reports)
        failed = [record.target for record in first if record.outcome is PushOutcome.FAILED]
        assert len(failed) == (0 if in_one_run else 1)
        rerun = push_reports(warehouse, "north", "canvas", destination, reports)  # the next night
        assert [r.target for r in rerun if r.outcome is not PushOutcome.UNCHANGED] == failed
        assert all(record.outcome is not PushOutcome.FAILED for record in rerun)
        assert canvas.pending_faults() == 0  # every fault was played

    for course in COURSES:
        assert canvas.page(course, "tutorhub-teacher")["body"] == f"<h1>{course} week 2</h1>"
        wanted = {student.replace("_", "-"): "week 2" for student in STATUSES[course]}
        assert canvas.column_contents(course, "Tutoring focus") == wanted
    assert canvas.write_counts("page", "create") == {f"{c}/tutorhub-teacher": 1 for c in COURSES}
    assert canvas.write_counts("column", "create") == {f"{c}/Tutoring focus": 1 for c in COURSES}
    assert set(canvas.write_counts("column_data", "create").values()) == {1}
    assert len(canvas.pages) == 3
    assert canvas.errors == []

    requests_before = sum(canvas.requests.values())
    again = push_reports(warehouse, "north", "canvas", destination, reports)
    assert {record.outcome for record in again} == {PushOutcome.UNCHANGED}
    assert sum(canvas.requests.values()) == requests_before
    warehouse.dispose()
