"""The fault matrix for the gradebook: every line item and result ends up on the provider exactly once.

As for Canvas: week 1 then week 2, each pushed while the fake plays its faults and then once more as
the next night; only a connection dropped mid-answer needs that second night.
"""

from __future__ import annotations

import pytest

from hub.connector import PushOutcome
from hub.push import push_reports
from hub.warehouse import Warehouse
from testkit.fakes.server import Fault, FaultKind

CLASSES = {"CLS-1": {"S_1": "phonics", "S_2": "vocabulary"}, "CLS-2": {"S_3": "geometry"}}

MATRIX = {
    "throttle_429": ([Fault(FaultKind.THROTTLE_429, path="results"), Fault(FaultKind.THROTTLE_429)], True),
    "error_500": (
        [Fault(FaultKind.ERROR_500, path="lineItems"), Fault(FaultKind.ERROR_500, path="token")],
        True,
    ),
    "timeout": ([Fault(FaultKind.SLOW, path="results")], True),
    "drop": ([Fault(FaultKind.DROP, path="lineItems"), Fault(FaultKind.DROP, path="results")], True),
    "drop_mid": ([Fault(FaultKind.DROP_MID, path="results")], False),
    "mixed": (
        [
            Fault(FaultKind.ERROR_500, path="token"),
            Fault(FaultKind.THROTTLE_429, path="categories"),
            Fault(FaultKind.SLOW, path="lineItems"),
            Fault(FaultKind.DROP, path="results"),
            Fault(FaultKind.DROP_MID, path="lineItems"),
        ],
        False,
    ),
}


@pytest.mark.parametrize("case", list(MATRIX))
def test_every_result_lands_exactly_once(case, gradebook, make_destination, class_report, tmp_path) -> None:
    faults, in_one_run = MATRIX[case]
    warehouse = Warehouse(f"sqlite:///{tmp_path / 'warehouse.db'}")
    for week in (1, 2):
        reports = [class_report(class_id, week, **skills) for class_id, skills in CLASSES.items()]
        gradebook.inject(*faults)
        destination = make_destination()  # each night is a new process, with a new token
        first = push_reports(warehouse, "north", "gradebook", destination, reports)
        failed = [record.target for record in first if record.outcome is PushOutcome.FAILED]
        assert len(failed) == (0 if in_one_run else 1)
        rerun = push_reports(warehouse, "north", "gradebook", destination, reports)  # the next night
        assert [r.target for r in rerun if r.outcome is not PushOutcome.UNCHANGED] == failed
        assert all(record.outcome is not PushOutcome.FAILED for record in rerun)
        assert gradebook.pending_faults() == 0

    results = gradebook.objects["results"]
    assert sorted(r["textScore"] for r in results.values()) == [
        "week 2: geometry",
        "week 2: phonics",
        "week 2: vocabulary",
    ]
    assert len(gradebook.objects["lineItems"]) == 2
    assert all(item["title"] == "Tutoring, week 2" for item in gradebook.objects["lineItems"].values())
    for collection in ("lineItems", "results"):
        assert set(gradebook.write_counts(collection, "create").values()) == {1}
    assert gradebook.errors == []
    warehouse.dispose()
