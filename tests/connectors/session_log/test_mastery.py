"""Mastery checks in the logs become progress points by the documented vocabulary, or are refused."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from cli.main import main
from connectors.session_log import SessionLogConfig, SessionLogSource
from connectors.session_log.mastery import percent_correct


@pytest.mark.parametrize(
    ("check", "percent"),
    [
        ("3/4", 75.0),
        (" 3 / 4 ", 75.0),
        ("3 of 4", 75.0),
        ("2 out of 5", 40.0),
        ("80%", 80.0),
        ("62.5 %", 62.5),
        ("Mastered", 100.0),
        ("partially  mastered", 50.0),
        ("NOT YET", 0.0),
        ("4/3", None),
        ("3/0", None),
        ("101%", None),
        ("good effort", None),
        ("B+", None),
    ],
)
def test_the_vocabulary(check: str, percent: float | None) -> None:
    assert percent_correct(check) == percent


def test_checks_become_points_on_the_sessions_skill_and_the_rest_are_refused(logs) -> None:  # type: ignore[no-untyped-def]
    sessions = [
        logs.session(
            "s-1",
            students=[
                {"student_id": "p-1", "attendance": "present", "mastery_check": "3/4"},
                {"student_id": "p-2", "attendance": "absent", "mastery_check": "4/4"},
                {"student_id": "p-3", "attendance": "tardy", "mastery_check": "great job"},
            ],
        ),
        logs.session(
            "s-2",
            session_date="2025-10-08",
            skills_covered="phonics;vocabulary",
            students=[{"student_id": "p-1", "attendance": "present", "mastery_check": "mastered"}],
        ),
    ]
    source = SessionLogSource(SessionLogConfig(path=logs.write("a.csv", sessions)))
    extract = source.read()
    refused = {(i.line, i.kind): i for i in extract.issues}
    assert set(refused) == {(3, "mastery_check_absent"), (4, "unread_mastery_check")}
    assert refused[(4, "unread_mastery_check")].column == "mastery_check"
    assert "'great job' is not a mastery check" in refused[(4, "unread_mastery_check")].reason
    assert extract.files["a.csv"].rejected == 0  # the session rows themselves load
    batch = source.normalize(extract)
    percents = {
        row["source_id"]: row["mastery_percent"] for row in batch.tables["session_attendance"].to_pylist()
    }
    # the absent student's check and the unread one make no point; the attendance rows still load
    assert percents == {"s-1:p-1": 75.0, "s-1:p-2": None, "s-1:p-3": None, "s-2:p-1": 100.0}
    skills = {
        row["source_id"]: (row["subject"], row["canonical_domain"], row["session_date"])
        for row in batch.tables["tutoring_session"].to_pylist()
    }
    # two skills covered: which was checked cannot be told, the subject they share can
    assert skills == {"s-1": ("ela", "phonics", date(2025, 10, 6)), "s-2": ("ela", None, date(2025, 10, 8))}
    assert "progress_point" not in batch.tables and not batch.deletes.get("progress_point")


def test_validate_counts_the_checks_that_make_points(logs) -> None:  # type: ignore[no-untyped-def]
    checked = [
        {"student_id": "p-1", "attendance": "present", "mastery_check": "3/4"},
        {"student_id": "p-2", "attendance": "absent", "mastery_check": "4/4"},
        {"student_id": "p-3", "attendance": "present"},
    ]
    path = logs.write("a.csv", [logs.session("s-1", students=checked)])
    result = CliRunner().invoke(main, ["validate", "session_log", str(path), "--json"])
    assert result.exit_code == 0, result.output
    entities = json.loads(result.output)["entities"]
    assert (entities["attendance"], entities["progress_points"]) == (3, 1)
