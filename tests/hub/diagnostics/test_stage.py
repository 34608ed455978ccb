"""The night's diagnostics stage over a real warehouse (SQLite and PostgreSQL): tonight's files are marked as
they load, and ``settle_results`` patches only the stored rows that a later file or the roster moved."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pyarrow as pa
import pytest

from hub.connector import NormalizedBatch, SyncMode
from hub.diagnostics import GapThresholds
from hub.pipeline.context import DistrictRun
from hub.pipeline.diagnostics import MatchGate, match_transform
from hub.pipeline.gaps import derive_skill_gaps
from hub.pipeline.record import settle_results

DISTRICT = "d1"


def roster(run: DistrictRun, students: dict[str, str]) -> None:
    """Students as source_id -> SIS id, applied as the roster connector would."""
    persons = pa.table({"source_id": list(students), "role": ["student"] * len(students)})
    identifiers = pa.table(
        {
            "person_source_id": list(students),
            "id_type": ["sis_id"] * len(students),
            "value": list(students.values()),
        }
    )
    tables = {"person": persons, "person_identifier": identifiers}
    run.warehouse.apply(DISTRICT, "roster", NormalizedBatch(tables, dict.fromkeys(tables, SyncMode.DELTA)))


def night(run: DistrictRun, results: pa.Table, domains: pa.Table) -> None:
    """What ``apply_extract`` does with a normalized i-Ready batch: the matching transform, then apply."""
    policy = run.district.diagnostics.model_copy(update={"min_match_rate": 0.5})
    batch = NormalizedBatch({"assessment_result": results, "domain_result": domains}, {})
    matched = match_transform(policy, MatchGate())(run, "iready", batch)
    run.warehouse.apply(DISTRICT, "iready", matched)


def stored(run: DistrictRun, column: str) -> dict[str, object]:
    rows = run.warehouse.read("assessment_result", DISTRICT, columns=["source_id", column])
    return dict(zip(rows.column("source_id").to_pylist(), rows.column(column).to_pylist(), strict=True))


def stored_gaps(run: DistrictRun) -> dict[str, int]:
    gaps = run.warehouse.read("skill_gap", DISTRICT, columns=["source_id", "severity"])
    return dict(zip(gaps.column("source_id").to_pylist(), gaps.column("severity").to_pylist(), strict=True))


def last_patch(run: DistrictRun) -> dict:
    runs = run.warehouse.read("sync_run", DISTRICT, active_only=False).sort_by("run_id").to_pylist()
    [settled] = [r for r in runs if r["connector"] == "assessment_results"][-1:]
    return json.loads(settled["counts"])["assessment_result"]


def test_a_later_file_and_a_later_roster_move_only_the_rows_they_concern(
    run: DistrictRun, make_results: Callable[..., pa.Table], make_domains: Callable[..., pa.Table]
) -> None:
    policy = run.district.diagnostics
    roster(run, {"p1": "101"})
    fall = {"window": "fall", "school_year": 2026}
    night(
        run,
        make_results(
            [
                {**fall, "source_id": "r1", "vendor_student_id": "101", "test_date": date(2025, 9, 10)},
                {**fall, "source_id": "r2", "vendor_student_id": "101", "test_date": date(2025, 9, 20)},
                {**fall, "source_id": "r3", "vendor_student_id": "999", "test_date": date(2025, 9, 12)},
            ],
            files=["ela.csv"] * 3,
        ),
        make_domains(
            [
                {"result_source_id": r, "vendor_domain": "Phonics", "canonical_domain": "phonics", **below}
                for r, below in [
                    ("r1", {"grade_levels_below": 1}),
                    ("r2", {"grade_levels_below": 2}),
                    ("r3", {"grade_levels_below": 3}),
                ]
            ]
        ),
    )
    # marked as it loaded: the latest test, and the unmatched student's only one
    assert stored(run, "is_test_of_record") == {"r1": False, "r2": True, "r3": True}
    first = settle_results(run, policy)
    assert (first.rematched, first.tests_of_record) == (0, 2)
    assert last_patch(run)["updated"] == 0
    gaps = derive_skill_gaps(run, policy)
    assert (gaps.derived, gaps.rows, gaps.students) == (True, 1, 1)
    assert stored_gaps(run) == {"p1:ela:phonics:2026:fall": 2}  # from r2, the test of record, not r1

    # A night on which nothing changed does no work, and says so: its counts are the ones kept.
    kept = derive_skill_gaps(run, policy)
    assert not settle_results(run, policy).settled and not kept.derived
    assert kept.by_domain.equals(gaps.by_domain) and (kept.rows, kept.students) == (1, 1)
    assert settle_results(run, policy).tests_of_record == 2

    # Tonight's file holds one earlier test the vendor flags; the roster now knows student 999.
    roster(run, {"p3": "999"})
    night(
        run,
        make_results(
            [
                {
                    **fall,
                    "source_id": "r4",
                    "vendor_student_id": "101",
                    "test_date": date(2025, 9, 5),
                    "vendor_most_recent": True,
                }
            ],
            files=["ela-2.csv"],
        ),
        make_domains([{"result_source_id": "r4", "vendor_domain": "Phonics", "canonical_domain": "phonics"}]),
    )
    assert stored(run, "is_test_of_record")["r2"] is True  # stored, not in tonight's file: not yet settled
    second = settle_results(run, policy)
    assert (second.rematched, second.tests_of_record) == (1, 2)
    assert stored(run, "is_test_of_record") == {"r1": False, "r2": False, "r3": True, "r4": True}
    assert stored(run, "person_source_id") == {"r1": "p1", "r2": "p1", "r3": "p3", "r4": "p1"}
    assert last_patch(run)["updated"] == 2  # r2 lost the flag; r3 found its student
    assert derive_skill_gaps(run, policy).derived
    # p1's gap closed (r4 is on grade level); p3's opens now that r3 is theirs
    assert stored_gaps(run) == {"p3:ela:phonics:2026:fall": 3}

    # Thresholds changed in hub.yaml: the gaps are derived again though no result moved.
    stricter = policy.model_copy(update={"gap_thresholds": GapThresholds(min_grade_levels_below=3)})
    assert not derive_skill_gaps(run, policy).derived
    assert derive_skill_gaps(run, stricter).derived and stored_gaps(run) == {"p3:ela:phonics:2026:fall": 3}


def test_a_file_below_the_match_rate_is_not_loaded_and_its_neighbour_is(
    run: DistrictRun, make_results: Callable[..., pa.Table], make_domains: Callable[..., pa.Table]
) -> None:
    roster(run, {"p1": "101", "p2": "102"})
    results = make_results(
        [
            {"source_id": "good-1", "vendor_student_id": "101"},
            {"source_id": "good-2", "vendor_student_id": "102"},
            {"source_id": "bad-1", "vendor_student_id": "101"},
            {"source_id": "bad-2", "vendor_student_id": "555"},
            {"source_id": "bad-3", "vendor_student_id": "556"},
        ],
        files=["ela.csv", "ela.csv", "math.csv", "math.csv", "math.csv"],
    )
    domains = make_domains(
        [
            {"result_source_id": r, "vendor_domain": "Phonics", "canonical_domain": "phonics"}
            for r in ("good-1", "bad-1", "bad-2")
        ]
    )
    gate = MatchGate()
    policy = run.district.diagnostics  # 95 %: math.csv matches 1 in 3
    batch = NormalizedBatch({"assessment_result": results, "domain_result": domains}, {})
    run.warehouse.apply(DISTRICT, "iready", match_transform(policy, gate)(run, "iready", batch))

    assert list(gate.refused) == ["math.csv"] and "33.3" in gate.refused["math.csv"]
    assert sorted(stored(run, "person_source_id")) == ["good-1", "good-2"]
    kept = run.warehouse.read("domain_result", DISTRICT, columns=["result_source_id"])
    assert kept.column("result_source_id").to_pylist() == ["good-1"]


def test_a_students_tests_in_two_blocks_are_judged_whole_and_settled_to_one_test_of_record(
    run: DistrictRun, make_results: Callable[..., pa.Table], make_domains: Callable[..., pa.Table]
) -> None:
    """Blocks a source hands in are judged as one file by the gate; a block boundary between a student's
    tests of one window (a source whose blocks do not hold whole students) marks one in each block, and
    ``settle_results``, over every stored row, leaves the one the whole batch marks."""
    policy = run.district.diagnostics
    roster(run, {"p1": "101", "p2": "102"})
    fall = {"window": "fall", "school_year": 2026}
    rows = [
        {**fall, "source_id": "r1", "vendor_student_id": "101", "test_date": date(2025, 9, 10)},
        {**fall, "source_id": "r2", "vendor_student_id": "102", "test_date": date(2025, 9, 11)},
        {**fall, "source_id": "r3", "vendor_student_id": "101", "test_date": date(2025, 9, 20)},
    ]
    blocks = [
        {
            "assessment_result": make_results([row], files=["ela.csv"]),
            "domain_result": make_domains(
                [{"result_source_id": row["source_id"], "vendor_domain": "Phonics"}]
            ),
        }
        for row in rows
    ]
    gate = MatchGate()
    batch = NormalizedBatch(
        {}, dict.fromkeys(["assessment_result", "domain_result"], SyncMode.DELTA), blocks=blocks
    )
    run.warehouse.apply(DISTRICT, "iready", match_transform(policy, gate)(run, "iready", batch))
    [report] = gate.reports
    assert (report.file, report.matched, report.unmatched) == ("ela.csv", 3, 0) and not gate.refused
    assert stored(run, "is_test_of_record") == {"r1": True, "r2": True, "r3": True}  # each block alone
    assert stored(run, "person_source_id") == {"r1": "p1", "r2": "p2", "r3": "p1"}
    assert settle_results(run, policy).tests_of_record == 2
    assert stored(run, "is_test_of_record") == {"r1": False, "r2": True, "r3": True}


def test_blocks_the_gate_could_read_only_once_are_refused(
    run: DistrictRun, make_results: Callable[..., pa.Table]
) -> None:
    """A one-pass iterator of blocks would be used up judging the files, and then apply nothing."""
    blocks = iter([{"assessment_result": make_results([{"source_id": "r1", "vendor_student_id": "101"}])}])
    batch = NormalizedBatch({}, {"assessment_result": SyncMode.DELTA}, blocks=blocks)
    with pytest.raises(TypeError, match="iready: the match gate reads a source's blocks twice"):
        match_transform(run.district.diagnostics, MatchGate())(run, "iready", batch)
