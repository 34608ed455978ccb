from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from hub.diagnostics import DiagnosticsError, duplicate_tests, mark_test_of_record


def of_record(table: pa.Table) -> list[str]:
    return sorted(table.filter(table.column("is_test_of_record")).column("source_id").to_pylist())


def test_vendor_flag_beats_a_later_test(make_results):
    results = make_results(
        [
            {
                "source_id": "flagged",
                "person_source_id": "p1",
                "test_date": date(2026, 1, 10),
                "vendor_most_recent": True,
            },
            {
                "source_id": "later",
                "person_source_id": "p1",
                "test_date": date(2026, 1, 20),
                "vendor_most_recent": False,
            },
        ]
    )

    assert of_record(mark_test_of_record(results)) == ["flagged"]


def test_without_a_flag_in_the_window_the_latest_test_wins(make_results):
    # i-Ready's flag is year-to-date: the fall window holds no flagged test once winter is taken
    results = make_results(
        [
            {
                "source_id": "fall_1",
                "person_source_id": "p1",
                "window": "fall",
                "test_date": date(2025, 9, 3),
            },
            {
                "source_id": "fall_2",
                "person_source_id": "p1",
                "window": "fall",
                "test_date": date(2025, 9, 24),
                "vendor_most_recent": False,
            },
            {
                "source_id": "winter",
                "person_source_id": "p1",
                "window": "winter",
                "test_date": date(2026, 1, 13),
                "vendor_most_recent": True,
            },
        ]
    )

    assert of_record(mark_test_of_record(results)) == ["fall_2", "winter"]


def test_a_rushed_test_loses_to_a_valid_one_even_when_flagged_and_later(make_results):
    results = make_results(
        [
            {"source_id": "valid", "person_source_id": "p1", "test_date": date(2026, 1, 5)},
            {
                "source_id": "rushed",
                "person_source_id": "p1",
                "test_date": date(2026, 1, 20),
                "rushed": True,
                "vendor_most_recent": True,
            },
        ]
    )

    assert of_record(mark_test_of_record(results)) == ["valid"]


def test_a_rushed_test_is_the_test_of_record_when_it_is_the_only_one(make_results):
    results = make_results([{"source_id": "rushed", "person_source_id": "p1", "rushed": True}])

    assert of_record(mark_test_of_record(results)) == ["rushed"]


@pytest.mark.parametrize(("threshold", "expected"), [(30.0, "earlier"), (40.0, "later")])
def test_rapid_guessing_at_or_above_the_threshold_counts_as_rushed(make_results, threshold, expected):
    results = make_results(
        [
            {
                "source_id": "earlier",
                "vendor": "nwea_map",
                "person_source_id": "p1",
                "test_date": date(2026, 1, 5),
                "rapid_guessing_percent": 0.0,
            },
            {
                "source_id": "later",
                "vendor": "nwea_map",
                "person_source_id": "p1",
                "test_date": date(2026, 1, 9),
                "rapid_guessing_percent": 30.0,
            },
        ]
    )

    assert of_record(mark_test_of_record(results, rapid_guessing_threshold=threshold)) == [expected]


def test_exactly_one_per_vendor_student_subject_year_and_window(make_results):
    rows = [
        {
            "source_id": f"{vendor}-{person}-{subject}-{window}-{n}",
            "vendor": vendor,
            "person_source_id": person,
            "subject": subject,
            "window": window,
            "test_date": date(2026, 1, 1 + n),
            "rushed": n == 2,
        }
        for vendor in ("iready", "nwea_map")
        for person in ("p1", "p2")
        for subject in ("ela", "math")
        for window in ("fall", "winter")
        for n in range(3)
    ]

    marked = mark_test_of_record(make_results(rows))

    per_group = marked.group_by(["vendor", "person_source_id", "subject", "window"]).aggregate(
        [("is_test_of_record", "sum")]
    )
    assert per_group.num_rows == 16
    assert set(per_group.column("is_test_of_record_sum").to_pylist()) == {1}
    assert all(source_id.endswith("-1") for source_id in of_record(marked))  # latest valid, not the rushed -2


def test_unmatched_students_are_told_apart_by_vendor_id(make_results):
    results = make_results(
        [
            {"source_id": "a1", "vendor_student_id": "A", "test_date": date(2026, 1, 5)},
            {"source_id": "a2", "vendor_student_id": "A", "test_date": date(2026, 1, 9)},
            {"source_id": "b1", "vendor_student_id": "B", "test_date": date(2026, 1, 5)},
        ]
    )

    assert of_record(mark_test_of_record(results)) == ["a2", "b1"]


def test_matched_and_unmatched_ids_never_share_a_group(make_results):
    # a vendor id that happens to equal a person's source_id is still a different student
    results = make_results(
        [
            {
                "source_id": "m",
                "person_source_id": "S1",
                "vendor_student_id": "X",
                "test_date": date(2026, 1, 5),
            },
            {"source_id": "u", "vendor_student_id": "S1", "test_date": date(2026, 1, 9)},
        ]
    )

    assert of_record(mark_test_of_record(results)) == ["m", "u"]


def test_ties_go_to_the_greatest_source_id_whatever_the_input_order(make_results):
    rows = [
        {"source_id": s, "person_source_id": "p1", "test_date": date(2026, 1, 5)} for s in ("t2", "t9", "t5")
    ]
    results = make_results(rows)

    forwards = of_record(mark_test_of_record(results))
    backwards = of_record(mark_test_of_record(results.take(pa.array([2, 1, 0]))))

    assert forwards == backwards == ["t9"]


def test_a_test_without_a_date_comes_last(make_results):
    results = make_results(
        [
            {"source_id": "undated", "person_source_id": "p1", "test_date": None},
            {"source_id": "dated", "person_source_id": "p1", "test_date": date(2025, 12, 1)},
        ]
    )

    assert of_record(mark_test_of_record(results)) == ["dated"]


def test_marking_replaces_earlier_marks(make_results):
    results = make_results(
        [
            {
                "source_id": "old",
                "person_source_id": "p1",
                "test_date": date(2026, 1, 5),
                "is_test_of_record": True,
            },
            {"source_id": "new", "person_source_id": "p1", "test_date": date(2026, 1, 9)},
        ]
    )

    marked = mark_test_of_record(results)

    assert of_record(marked) == ["new"]
    assert marked.schema == results.schema


def test_missing_columns_are_named(make_results):
    with pytest.raises(DiagnosticsError, match="assessment_result: missing column\\(s\\) rushed"):
        mark_test_of_record(make_results([{"source_id": "r1"}]).drop_columns(["rushed"]))


def test_duplicate_tests_find_the_same_test_twice(make_results):
    same = {"person_source_id": "p1", "vendor_student_id": "1001", "scale_score": 512.0}
    results = make_results(
        [
            {"source_id": "d2", **same},
            {"source_id": "d1", **same},
            {"source_id": "retest", **same, "scale_score": 530.0},
            {"source_id": "other_day", **same, "test_date": date(2026, 2, 2)},
            {"source_id": "math", **same, "subject": "math"},
        ]
    )

    duplicates = duplicate_tests(results)

    assert duplicates.num_rows == 1
    row = duplicates.to_pylist()[0]
    assert row["copies"] == 2
    assert row["source_ids"] == ["d1", "d2"]
    assert (row["person_source_id"], row["vendor_student_id"], row["scale_score"]) == ("p1", "1001", 512.0)


def test_duplicate_tests_of_unmatched_students(make_results):
    results = make_results(
        [
            {"source_id": "x1", "vendor_student_id": "U1", "scale_score": 480.0},
            {"source_id": "x2", "vendor_student_id": "U1", "scale_score": 480.0},
            {"source_id": "y1", "vendor_student_id": "U2", "scale_score": 480.0},
        ]
    )

    duplicates = duplicate_tests(results)

    assert duplicates.column("vendor_student_id").to_pylist() == ["U1"]
    assert pc.sum(duplicates.column("copies")).as_py() == 2


def test_no_duplicates_is_an_empty_table(make_results):
    results = make_results([{"source_id": "r1", "person_source_id": "p1", "scale_score": 500.0}])

    assert duplicate_tests(results).num_rows == 0


def test_map_reading_speaks_for_ela_beside_a_later_language_usage_test(make_results):
    both = [
        {
            "source_id": "reading",
            "vendor": "nwea_map",
            "measure": "Reading",
            "person_source_id": "p1",
            "test_date": date(2026, 1, 12),
            "vendor_most_recent": True,
        },
        {
            "source_id": "language",
            "vendor": "nwea_map",
            "measure": "Language Usage",
            "person_source_id": "p1",
            "test_date": date(2026, 1, 20),
            "vendor_most_recent": True,
        },
    ]
    assert of_record(mark_test_of_record(make_results(both))) == ["reading"]
    # without a Reading test in the window, Language Usage is the ELA test of record
    assert of_record(mark_test_of_record(make_results(both[1:]))) == ["language"]


def test_two_measures_with_the_same_score_on_one_day_are_not_duplicates(make_results):
    same = {"vendor": "nwea_map", "person_source_id": "p1", "scale_score": 210.0}
    results = make_results(
        [
            {**same, "source_id": "reading", "measure": "Reading"},
            {**same, "source_id": "language", "measure": "Language Usage"},
            {**same, "source_id": "reading-again", "measure": "Reading"},
        ]
    )
    [repeated] = duplicate_tests(results).to_pylist()
    assert repeated["measure"] == "Reading" and repeated["source_ids"] == ["reading", "reading-again"]
