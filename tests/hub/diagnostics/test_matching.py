from __future__ import annotations

import pyarrow as pa
import pytest

from hub.diagnostics import (
    DiagnosticsError,
    MatchGateError,
    active_identifiers,
    enforce_match_rate,
    match_students,
    rematch,
)

ROSTER = [
    ("p1", "sis_id", "1001"),
    ("p2", "sourced_id", "a7f3-22"),
    ("p3", "state_id", "TX998877"),
    ("p4", "username", "dana.kim"),
]


def by_id(table: pa.Table, column: str) -> dict[str, object]:
    return dict(zip(table.column("source_id").to_pylist(), table.column(column).to_pylist(), strict=True))


@pytest.mark.parametrize(
    ("vendor_id", "person", "id_type"),
    [
        ("1001", "p1", "sis_id"),
        ("a7f3-22", "p2", "sourced_id"),
        ("TX998877", "p3", "state_id"),
        ("dana.kim", "p4", "username"),
    ],
)
def test_matches_by_each_id_type(make_results, make_identifiers, vendor_id, person, id_type):
    results = make_results([{"source_id": "r1", "vendor_student_id": vendor_id}])

    matched = match_students(results, make_identifiers(ROSTER)).results

    assert matched.column("person_source_id").to_pylist() == [person]
    assert matched.column("match_status").to_pylist() == ["matched"]
    assert matched.column("matched_by").to_pylist() == [id_type]
    assert matched.column("match_reason").to_pylist() == [None]


def test_stronger_id_type_wins_and_precedence_is_configurable(make_results, make_identifiers):
    # "7" is one student's username and another's SIS id
    identifiers = make_identifiers([("p_user", "username", "7"), ("p_sis", "sis_id", "7")])
    results = make_results([{"source_id": "r1", "vendor_student_id": "7"}])

    default = match_students(results, identifiers).results
    usernames_first = match_students(results, identifiers, ("username", "sis_id")).results

    assert default.column("person_source_id").to_pylist() == ["p_sis"]
    assert usernames_first.column("person_source_id").to_pylist() == ["p_user"]
    assert usernames_first.column("matched_by").to_pylist() == ["username"]


def test_id_types_outside_the_precedence_are_not_used(make_results, make_identifiers):
    identifiers = make_identifiers([("p1", "username", "7")])
    results = make_results([{"source_id": "r1", "vendor_student_id": "7"}])

    matched = match_students(results, identifiers, ("sis_id",)).results

    assert matched.column("match_status").to_pylist() == ["unmatched"]
    assert matched.column("match_reason").to_pylist() == ["no roster person has sis_id = this id"]


def test_two_persons_with_one_sis_id_are_ambiguous_without_falling_through(make_results, make_identifiers):
    identifiers = make_identifiers([("p1", "sis_id", "5"), ("p2", "sis_id", "5"), ("p3", "username", "5")])
    results = make_results([{"source_id": "r1", "vendor_student_id": "5"}])

    matched = match_students(results, identifiers).results

    assert matched.column("match_status").to_pylist() == ["ambiguous"]
    assert matched.column("person_source_id").to_pylist() == [None]
    assert matched.column("match_reason").to_pylist() == ["2 roster persons share sis_id = this id"]


def test_ambiguity_under_a_weaker_type_does_not_spoil_a_stronger_match(make_results, make_identifiers):
    identifiers = make_identifiers([("p3", "sis_id", "9"), ("p1", "username", "9"), ("p2", "username", "9")])
    results = make_results([{"source_id": "r1", "vendor_student_id": "9"}])

    matched = match_students(results, identifiers).results

    assert matched.column("person_source_id").to_pylist() == ["p3"]


def test_one_person_known_by_one_value_under_two_types_is_a_plain_match(make_results, make_identifiers):
    identifiers = make_identifiers([("p1", "sis_id", "42"), ("p1", "username", "42")])
    results = make_results([{"source_id": "r1", "vendor_student_id": "42"}])

    matched = match_students(results, identifiers).results

    assert matched.column("match_status").to_pylist() == ["matched"]
    assert matched.column("matched_by").to_pylist() == ["sis_id"]


def test_unmatched_rows_are_kept_with_the_reason(make_results, make_identifiers):
    results = make_results(
        [
            {"source_id": "r1", "vendor_student_id": "404"},
            {"source_id": "r2", "vendor_student_id": "   "},
            {"source_id": "r3", "vendor_student_id": " 1001 "},  # blanks around an id are an export habit
        ]
    )

    matched = match_students(results, make_identifiers(ROSTER)).results

    assert matched.num_rows == 3
    assert by_id(matched, "match_status") == {"r1": "unmatched", "r2": "unmatched", "r3": "matched"}
    assert by_id(matched, "match_reason") == {
        "r1": "no roster person has sis_id/sourced_id/state_id/username = this id",
        "r2": "the result carries no student id",
        "r3": None,
    }
    assert by_id(matched, "person_source_id") == {"r1": None, "r2": None, "r3": "p1"}


def test_row_order_and_other_columns_are_kept(make_results, make_identifiers):
    roster = [(f"p{n}", "sis_id", str(n)) for n in range(40)]
    vendor_ids = [str(n) for n in range(60, -1, -3)]  # descending, some beyond the roster
    results = make_results(
        [
            {"source_id": f"r{i}", "vendor_student_id": v, "scale_score": float(i)}
            for i, v in enumerate(vendor_ids)
        ]
    )

    matched = match_students(results, make_identifiers(roster)).results

    assert matched.column("source_id").to_pylist() == results.column("source_id").to_pylist()
    assert matched.column("scale_score").to_pylist() == results.column("scale_score").to_pylist()
    expected = [f"p{v}" if int(v) < 40 else None for v in vendor_ids]
    assert matched.column("person_source_id").to_pylist() == expected


def test_one_report_per_source_file(make_results, make_identifiers):
    results = make_results(
        [
            {"source_id": "a1", "vendor_student_id": "1001"},
            {"source_id": "a2", "vendor_student_id": "dana.kim"},
            {"source_id": "a3", "vendor_student_id": "X1"},
            {"source_id": "b1", "vendor_student_id": "TX998877"},
        ],
        files=["ela.csv", "ela.csv", "ela.csv", "math.csv"],
    )

    reports = {r.file: r for r in match_students(results, make_identifiers(ROSTER)).reports}

    assert set(reports) == {"ela.csv", "math.csv"}
    ela = reports["ela.csv"]
    assert (ela.matched, ela.unmatched, ela.ambiguous, ela.total) == (2, 1, 0, 3)
    assert ela.match_rate == pytest.approx(2 / 3)
    assert ela.unmatched_ids == ("X1",)
    assert reports["math.csv"].match_rate == 1.0
    assert not ela.passes(0.95)
    assert reports["math.csv"].passes(0.95)


def test_without_a_file_column_there_is_one_report(make_results, make_identifiers):
    results = make_results([{"source_id": "r1", "vendor_student_id": "1001"}])

    (report,) = match_students(results, make_identifiers(ROSTER)).reports

    assert report.file is None
    assert (report.matched, report.total) == (1, 1)


def test_report_keeps_the_first_distinct_unmatched_ids_in_file_order(make_results, make_identifiers):
    ids = ["U01", "U01", *[f"U{n:02}" for n in range(2, 16)]]
    results = make_results([{"source_id": f"r{i}", "vendor_student_id": v} for i, v in enumerate(ids)])

    (report,) = match_students(results, make_identifiers(ROSTER)).reports

    assert report.unmatched == 16
    assert report.unmatched_ids == tuple(f"U{n:02}" for n in range(1, 11))


def test_match_rate_gate_message_names_rate_threshold_ids_and_the_fix(make_results, make_identifiers):
    roster = [(f"p{n}", "sis_id", f"S{n}") for n in range(8)]
    persons = pa.table(
        {"source_id": [f"p{n}" for n in range(8)], "role": ["student"] * 8, "given_name": ["Zelda"] * 8}
    )
    vendor_ids = [f"S{n}" for n in range(8)] + [f"NEW{n}" for n in range(12)]
    results = make_results([{"source_id": f"r{i}", "vendor_student_id": v} for i, v in enumerate(vendor_ids)])
    identifiers = active_identifiers(make_identifiers(roster), persons)
    (report,) = match_students(results, identifiers).reports

    with pytest.raises(MatchGateError) as raised:
        enforce_match_rate(report, min_rate=0.95)

    message = str(raised.value)
    assert "40.0% of 20 results" in message
    assert "at least 95.0%" in message
    assert ", ".join(f"NEW{n}" for n in range(10)) in message
    assert "NEW10" not in message
    assert "Zelda" not in message
    assert "roster sync first" in message
    assert "id_precedence" in message


def test_gate_lets_a_file_at_exactly_the_threshold_through(make_results, make_identifiers):
    roster = [(f"p{n}", "sis_id", str(n)) for n in range(19)]
    results = make_results([{"source_id": f"r{n}", "vendor_student_id": str(n)} for n in range(20)])
    (report,) = match_students(results, make_identifiers(roster)).reports

    enforce_match_rate(report, min_rate=0.95)

    with pytest.raises(MatchGateError):
        enforce_match_rate(report, min_rate=0.96)


def test_gate_lists_ambiguous_ids(make_results, make_identifiers):
    identifiers = make_identifiers([("p1", "sis_id", "5"), ("p2", "sis_id", "5")])
    (report,) = match_students(
        make_results([{"source_id": "r1", "vendor_student_id": "5"}]), identifiers
    ).reports

    with pytest.raises(MatchGateError, match="two or more people: 5"):
        enforce_match_rate(report)


def test_rematch_after_the_roster_catches_up(make_results, make_identifiers):
    results = make_results(
        [
            {"source_id": "r1", "vendor_student_id": "1001"},
            {"source_id": "r2", "vendor_student_id": "2002"},
            {"source_id": "r3", "vendor_student_id": "3003"},
        ]
    )
    first = match_students(results, make_identifiers(ROSTER)).results
    roster_now = make_identifiers([*ROSTER, ("p5", "sis_id", "2002")])

    again = rematch(first, roster_now)

    assert again.results.column("source_id").to_pylist() == ["r2", "r3"]  # r1 was settled already
    assert by_id(again.results, "person_source_id") == {"r2": "p5", "r3": None}
    assert by_id(again.results, "match_status") == {"r2": "matched", "r3": "unmatched"}
    assert again.reports[0].unmatched_ids == ("3003",)


def test_active_identifiers_leave_out_staff_and_departed_students(make_results, make_identifiers):
    identifiers = make_identifiers([("p1", "sis_id", "77"), ("t1", "sis_id", "77"), ("gone", "sis_id", "88")])
    persons = pa.table(
        {
            "source_id": ["p1", "t1", "gone"],
            "role": ["student", "teacher", "student"],
            "status": ["active", "active", "deleted"],
        }
    )
    results = make_results(
        [{"source_id": "r1", "vendor_student_id": "77"}, {"source_id": "r2", "vendor_student_id": "88"}]
    )

    matched = match_students(results, active_identifiers(identifiers, persons)).results

    assert matched.column("person_source_id").to_pylist() == ["p1", None]
    assert matched.column("match_status").to_pylist() == ["matched", "unmatched"]


def test_empty_results_match_trivially(make_results, make_identifiers):
    outcome = match_students(make_results([]), make_identifiers(ROSTER))

    assert outcome.results.num_rows == 0
    assert outcome.reports[0].match_rate == 1.0


def test_missing_vendor_id_column_is_a_clear_error(make_identifiers):
    results = pa.table({"source_id": ["r1"], "student": ["1001"]})

    with pytest.raises(DiagnosticsError, match="diagnostic results: missing column\\(s\\) vendor_student_id"):
        match_students(results, make_identifiers(ROSTER))


def test_custom_vendor_id_column(make_identifiers):
    results = pa.table({"source_id": ["r1"], "StudentID": ["TX998877"]})

    matched = match_students(results, make_identifiers(ROSTER), vendor_id_column="StudentID").results

    assert matched.column("person_source_id").to_pylist() == ["p3"]
