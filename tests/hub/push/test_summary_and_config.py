"""The per-student summary contract, and how a destination's settings learn their district."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hub.connector import DestinationConfig, RenderedReport
from hub.push import StudentStatus, SummaryError, student_statuses


def report(summary: dict) -> RenderedReport:
    return RenderedReport("teacher", "ALG-1", "Algebra", "text/html", b"", summary)


def test_statuses_are_read_with_their_skills() -> None:
    summary = {
        "students": [
            {"student": "S-1", "status": "phonics, 3/3", "skills": ["phonics"]},
            {"student": "S-2", "status": ""},
        ]
    }
    assert student_statuses(report(summary)) == [
        StudentStatus("S-1", "phonics, 3/3", ("phonics",)),
        StudentStatus("S-2", "", ()),
    ]
    assert student_statuses(report({})) == []


@pytest.mark.parametrize(
    ("students", "message"),
    [
        ("S-1", "'students' must be a list"),
        (["S-1"], r"students\[0\]: expected a mapping"),
        ([{"status": "x"}], r"students\[0\]: 'student' must be a non-empty id"),
        ([{"student": "S-1", "status": 3}], r"students\[0\]: 'status' must be text"),
        ([{"student": "S-1", "status": "x", "skills": "phonics"}], r"'skills' must be a list"),
        ([{"student": "S-1", "status": "x"}, {"student": "S-1", "status": "y"}], r"students\[1\] repeats"),
    ],
)
def test_malformed_summaries_name_the_report_and_position_not_the_student(students, message) -> None:
    with pytest.raises(SummaryError, match=message) as error:
        student_statuses(report({"students": students}))
    assert str(error.value).startswith("teacher report for ALG-1: summary")
    assert "S-1" not in str(error.value)


def test_district_comes_from_the_context_the_hub_validates_in() -> None:
    config = DestinationConfig.model_validate({}, context={"district_id": "north"})
    assert config.district_id == "north"
    assert DestinationConfig.model_validate({"district_id": "north"}, context={"district_id": "north"})


def test_a_district_written_by_hand_must_match_or_be_valid() -> None:
    with pytest.raises(ValidationError, match="'south' is not the district it is configured under"):
        DestinationConfig.model_validate({"district_id": "south"}, context={"district_id": "north"})
    with pytest.raises(ValidationError, match="district_id"):
        DestinationConfig.model_validate({})
    with pytest.raises(ValidationError, match="district_id"):
        DestinationConfig.model_validate({"district_id": "North District!"})
