"""Personalized Instruction by Lesson exports: lessons passed and not passed per student and domain."""

from __future__ import annotations

from datetime import date

from connectors.iready import summarise_lessons
from connectors.iready.layouts import LAYOUTS, LESSONS

LESSON_LAYOUTS = {layout.label: layout.columns for layout in LAYOUTS if layout.kind == LESSONS}


def _lesson(student: str, domain: str, day: str, result: str, minutes: str = "15", **cells: str) -> dict:
    return {
        "Last Name": "Last 7",
        "First Name": "First 7",
        "Student ID": student,
        "Student Grade": "3",
        "Academic Year": "2025-2026",
        "School": "School 3",
        "Subject": "Reading",
        "Domain": domain,
        "Lesson Grade": "2",
        "Lesson Level": "Mid",
        "Lesson ID": "DI.ELA.PH.2.1000",
        "Lesson Name": "Short Vowels",
        "Lesson Language": "English",
        "Completion Date": day,
        "Total Time on Lesson (min)": minutes,
        "Score": "80",
        "Passed or Not Passed": result,
        "Teacher-Assigned Lesson": "N",
        **cells,
    }


def test_lessons_are_summarised_per_student_subject_year_and_domain(write_export, sync) -> None:
    reading = [
        _lesson("700301", "Phonics", "10/1/2025", "Passed"),
        _lesson("700301", "Phonics", "10/8/2025", "Not Passed", "22"),
        _lesson("700301", "Phonics", "10/15/2025", "Passed"),
        _lesson("700301", "Comprehension: Close Reading", "10/2/2025", "Not Passed"),
        _lesson("700302", "Phonics", "10/3/2025", "Maybe"),
    ]
    math = [_lesson("700301", "Geometry", "11/20/2025", "Passed", Subject="Math", Enrolled="Enrolled")]
    write_export(
        "iready_instruction_by_lesson_ela_CONFIDENTIAL.csv",
        LESSON_LAYOUTS["Personalized Instruction by Lesson"],
        reading,
    )
    path = write_export(
        "personalized_instruction_by_lesson_math.csv",
        LESSON_LAYOUTS["Personalized Instruction by Lesson with demographics"],
        math,
    )

    extract, batch = sync(path.parent)
    summary = summarise_lessons(extract)

    rows = {(row["vendor_student_id"], row["vendor_domain"]): row for row in summary.table.to_pylist()}
    assert set(rows) == {
        ("700301", "Phonics"),
        ("700301", "Comprehension: Close Reading"),
        ("700301", "Geometry"),
    }
    phonics = rows["700301", "Phonics"]
    assert (phonics["lessons_passed"], phonics["lessons_not_passed"], phonics["minutes"]) == (2, 1, 52)
    assert (phonics["first_lesson_date"], phonics["last_lesson_date"]) == (
        date(2025, 10, 1),
        date(2025, 10, 15),
    )
    assert (phonics["subject"], phonics["school_year"], phonics["canonical_domain"]) == (
        "ela",
        2026,
        "phonics",
    )
    assert phonics["source_id"] == "iready:700301:ela:2026:Phonics"
    assert rows["700301", "Geometry"]["subject"] == "math"
    assert rows["700301", "Geometry"]["canonical_domain"] == "geometry"
    assert rows["700301", "Comprehension: Close Reading"]["canonical_domain"] is None

    (reject,) = summary.issues
    assert (reject.file, reject.line, reject.column, reject.value) == (
        "iready_instruction_by_lesson_ela_CONFIDENTIAL.csv",
        6,
        "Passed or Not Passed",
        "Maybe",
    )
    # lessons are evidence of practice, handed over as their own model table beside the (empty) results
    assert set(batch.tables) == {"assessment_result", "domain_result", "lesson_evidence"}
    assert batch.tables["lesson_evidence"].equals(summary.table)
    assert batch.tables["assessment_result"].num_rows == 0
    assert reject in batch.issues
    assert {info["kind"] for info in extract.info["files"].values()} == {"instruction_by_lesson"}


def test_no_lesson_export_gives_an_empty_summary(write_export, sync, math_rows) -> None:
    header = next(
        layout.columns for layout in LAYOUTS if layout.label == "2025-26" and layout.subject == "math"
    )
    extract, _ = sync(write_export("diagnostic_results_math.csv", header, math_rows))

    summary = summarise_lessons(extract)

    assert summary.table.num_rows == 0 and summary.issues == []
    assert "lessons_not_passed" in summary.table.column_names
