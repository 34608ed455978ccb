"""Mastery checks in the logs become progress points by the documented vocabulary, or are refused."""

from __future__ import annotations

from datetime import date

import pytest

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
    points = {row["source_id"]: row for row in batch.tables["progress_point"].to_pylist()}
    assert set(points) == {"mastery_check:s-1:p-1", "mastery_check:s-2:p-1"}
    first = points["mastery_check:s-1:p-1"]
    assert (first["score"], first["canonical_domain"], first["subject"]) == (75.0, "phonics", "ela")
    assert (first["observed_on"], first["source"], first["measure"]) == (
        date(2025, 10, 6),
        "session_log",
        "mastery_check",
    )
    second = points["mastery_check:s-2:p-1"]
    # two skills covered: which was checked cannot be told, the subject they share can
    assert (second["score"], second["canonical_domain"], second["subject"]) == (100.0, None, "ela")
    assert sorted(batch.deletes["progress_point"]) == ["mastery_check:s-1:p-2", "mastery_check:s-1:p-3"]
