"""Each check of the session log: what is rejected, what is fixed with a warning, and the words used."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from connectors.session_log import SessionLogConfig, SessionLogSource
from connectors.session_log.format import COLUMNS
from hub import csvtext

P1_PRESENT = {"student_id": "p-1", "attendance": "present"}


def read(path):  # type: ignore[no-untyped-def]
    source = SessionLogSource(SessionLogConfig(path=path))
    extract = source.read()
    return extract, source.normalize(extract)


REJECTS = [
    ("missing_required", "tutor_id", {"tutor_id": ""}, [P1_PRESENT], "tutor_id is blank"),
    (
        "missing_required",
        "student_id",
        {},
        [{"student_id": "", "attendance": "present"}],
        "student_id is blank",
    ),
    ("bad_date", "session_date", {"session_date": "10/06/2025"}, [P1_PRESENT], "is not a YYYY-MM-DD date"),
    ("bad_date", "session_date", {"session_date": "2025-02-30"}, [P1_PRESENT], "is not a YYYY-MM-DD date"),
    ("minutes_range", "minutes", {"minutes": "241"}, [P1_PRESENT], "from 1 to 240"),
    ("minutes_range", "minutes", {"minutes": "thirty"}, [P1_PRESENT], "from 1 to 240"),
    ("bad_session_status", "session_status", {"session_status": "moved"}, [P1_PRESENT], "held, cancelled"),
    ("bad_attendance", "attendance", {}, [{"student_id": "p-1", "attendance": "sick"}], "present, tardy"),
    ("missing_required", "attendance", {}, [{"student_id": "p-1"}], "only when the session was cancelled"),
    (
        "cancelled_attendance",
        "attendance",
        {"session_status": "cancelled"},
        [P1_PRESENT],
        "cannot be present",
    ),
    (
        "minutes_present_range",
        "minutes_present",
        {},
        [{**P1_PRESENT, "minutes_present": 31}],
        "0 to the session",
    ),
    ("minutes_present_range", "minutes_present", {}, [{**P1_PRESENT, "minutes_present": "-5"}], "0 to the"),
    (
        "absent_minutes",
        "minutes_present",
        {},
        [{"student_id": "p-1", "attendance": "absent", "minutes_present": 10}],
        "cannot have minutes present",
    ),
]


@pytest.mark.parametrize(("kind", "column", "fields", "students", "words"), REJECTS)
@pytest.mark.parametrize("shape", ["csv", "jsonl"])
def test_a_bad_row_is_rejected_with_file_line_column_and_reason(
    logs, kind, column, fields, students, words, shape
):  # type: ignore[no-untyped-def]
    good = logs.session("s-0", students=[P1_PRESENT])
    bad = logs.session("s-1", students=students, **fields)
    extract, batch = read(logs.write(f"log.{shape}", [good, bad]))
    (issue,) = extract.issues
    assert (issue.file, issue.line, issue.kind, issue.column, issue.severity) == (
        f"log.{shape}",
        3 if shape == "csv" else 2,
        kind,
        column,
        "reject",
    )
    assert words in issue.reason
    assert batch.tables["tutoring_session"].column("source_id").to_pylist() == ["s-0"]  # the rest is kept
    assert extract.files[f"log.{shape}"].rejected == 1 and extract.files[f"log.{shape}"].accepted == 1


def test_rows_of_one_session_that_disagree_reject_the_whole_session(logs) -> None:  # type: ignore[no-untyped-def]
    text = logs.csv_text([logs.session("s-1"), logs.session("s-2")])
    text = text.replace("s-2,2025-10-06,13:15,30", "s-2,2025-10-06,13:15,45", 1)  # s-2's first row only
    extract, batch = read(logs.write("a.csv", text))
    assert [(i.kind, i.line) for i in extract.issues] == [("session_conflict", 4), ("session_conflict", 5)]
    assert "session s-2: minutes is '45' on line 4 but '30' on line 5" in extract.issues[0].reason
    assert batch.tables["tutoring_session"].column("source_id").to_pylist() == ["s-1"]


def test_a_student_twice_in_one_session_keeps_the_first_row(logs) -> None:  # type: ignore[no-untyped-def]
    twice = [P1_PRESENT, {"student_id": "p-1", "attendance": "absent"}]
    extract, batch = read(logs.write("a.csv", [logs.session("s-1", students=twice)]))
    (issue,) = extract.issues
    assert (issue.kind, issue.line, issue.column) == ("duplicate_student", 3, "student_id")
    assert batch.tables["session_attendance"].column("attendance").to_pylist() == ["present"]


def test_fixable_problems_are_one_warning_per_kind_and_the_rows_load(logs) -> None:  # type: ignore[no-untyped-def]
    rows = [
        logs.session("s-1", skills_covered="phonics;spelling bee", start_time="25:00", students=[P1_PRESENT]),
        logs.session(
            "s-2",
            skills_covered="Spelling bee",
            start_time="9:05",
            students=[{**P1_PRESENT, "mastery_check": "x" * 70}],
        ),
    ]
    text = logs.csv_text(rows, (*COLUMNS, "mood"))
    extract, batch = read(logs.write("a.csv", text))
    found = {issue.kind: issue for issue in extract.issues}
    assert set(found) == {
        "unknown_skill",
        "bad_time",
        "long_mastery_check",
        "unknown_column",
        "unread_mastery_check",
    }
    # the cut check reads as no mastery check: its point is refused, the row itself loads
    assert [i.kind for i in extract.issues if i.severity == "reject"] == ["unread_mastery_check"]
    assert "(2 row(s), first shown)" in found["unknown_skill"].reason and found["unknown_skill"].line == 2
    assert found["unknown_column"].column == "mood"
    sessions = {row["source_id"]: row for row in batch.tables["tutoring_session"].to_pylist()}
    assert sessions["s-1"]["skills_covered"] == "phonics" and sessions["s-2"]["skills_covered"] is None
    assert sessions["s-1"]["start_time"] is None and sessions["s-2"]["start_time"] == "09:05"
    assert batch.tables["session_attendance"].column("mastery_check").to_pylist()[1] == "x" * 64
    assert extract.files["a.csv"].warnings == {
        "unknown_column": 1,
        "bad_time": 1,
        "unknown_skill": 2,
        "long_mastery_check": 1,
        "unread_mastery_check": 1,
    }


def test_a_csv_row_with_the_wrong_number_of_fields_is_rejected(logs) -> None:  # type: ignore[no-untyped-def]
    text = logs.csv_text([logs.session("s-1", students=[P1_PRESENT])]) + "s-2,2025-10-06,oops\n"
    extract, _ = read(logs.write("a.csv", text))
    (issue,) = extract.issues
    assert (issue.kind, issue.line) == ("column_count", 3)
    assert "expected 15 fields, found 3" in issue.reason
    assert extract.files["a.csv"].rows == 2 and extract.files["a.csv"].rejected == 1


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "one JSON object"),
        ('{"session_id": "s-9", "students": []}', 'no "students" list'),
        ('{"session_id": "s-9", "students": ["p-1"]}', "a list of objects"),
    ],
)
def test_a_jsonl_line_that_is_not_a_session_is_rejected(logs, line, words) -> None:  # type: ignore[no-untyped-def]
    text = logs.jsonl_text([logs.session("s-1")]) + line + "\n"
    extract, batch = read(logs.write("a.jsonl", text))
    (issue,) = extract.issues
    assert (issue.kind, issue.line) == ("bad_json", 2) and words in issue.reason
    assert batch.tables["tutoring_session"].num_rows == 1


@pytest.mark.parametrize(
    ("row", "kind", "words"),
    [
        ("t-2,science,3,", "bad_subject", "other than ela, math"),
        ("t-2,math,many,", "max_groups_range", "from 0 to 50"),
        ("t-2,math,51,", "max_groups_range", "from 0 to 50"),
        (",math,3,", "missing_required", "tutor_id is blank"),
        ("t-1,math,3,", "duplicate_tutor", "listed twice"),
    ],
)
def test_tutors_file_rejects(logs, row, kind, words) -> None:  # type: ignore[no-untyped-def]
    path = logs.write("tutors.csv", f"tutor_id,subjects,max_groups,schools\nt-1,ela,3,\n{row}\n")
    extract, batch = read(path)
    (issue,) = extract.issues
    assert (issue.file, issue.line, issue.kind) == ("tutors.csv", 3, kind) and words in issue.reason
    assert batch.tables["tutor_profile"].column("source_id").to_pylist() == ["t-1"]


def test_json_numbers_that_are_whole_load_and_fractions_are_rejected(logs) -> None:  # type: ignore[no-untyped-def]
    rows = [logs.session("s-1", minutes=30.0), logs.session("s-2", minutes=30.5)]
    extract, batch = read(logs.write("a.jsonl", rows))
    assert [(issue.kind, issue.line) for issue in extract.issues] == [
        ("minutes_range", 2),
        ("minutes_range", 2),
    ]
    assert batch.tables["tutoring_session"].column("minutes").to_pylist() == [30]


def test_a_session_is_checked_whole_across_the_blocks_a_file_is_read_in(logs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(csvtext, "BLOCK", 1 << 10)  # a few sessions a block
    many = [
        logs.session(f"s-{n}", students=[{"student_id": f"p-{n}", "attendance": "present"}])
        for n in range(40)
    ]
    later = [
        logs.session("s-0", minutes=45, students=[{"student_id": "p-9", "attendance": "present"}]),
        logs.session("s-1", students=[{"student_id": "p-1", "attendance": "absent"}]),
    ]
    extract, batch = read(logs.write("a.csv", many + later))
    assert extract.streams["sessions"]["session_id"].num_chunks > 3  # s-0's rows lie blocks apart
    assert [(i.kind, i.line) for i in extract.issues] == [
        ("session_conflict", 2),
        ("session_conflict", 42),
        ("duplicate_student", 43),
    ]
    assert "session s-0: minutes is '30' on line 2 but '45' on line 42" in extract.issues[0].reason
    sessions = batch.tables["tutoring_session"].column("source_id").to_pylist()
    assert "s-0" not in sessions and len(sessions) == 39
    attendance = batch.tables["session_attendance"].filter(
        pc.equal(batch.tables["session_attendance"]["session_source_id"], "s-1")
    )
    assert attendance.column("attendance").to_pylist() == ["present"]  # the first row is kept
