"""The other files of the export: Combined Data File, roster, class assignments; folders and zips."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connectors.nwea_map import MapSource
from connectors.nwea_map.layouts import CLASS_ASSIGNMENTS, COMBO_2020_TEACHER


def test_combined_file_reads_with_its_own_grade_and_a_composite_id(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    row = {**cdf.row(), "StudentLastName": "Doe", "Grade": "KG 2", "NWEAStandard_Grade": "K"}
    combo = cdf.csv_text(cdf.layouts["combined-2020"], [cdf.in_layout(row, "combined-2020")])
    connector = source(export_dir({"ComboStudentAssessment.csv": combo}))

    extract = connector.read()
    [result] = connector.normalize(extract).tables["assessment_result"].to_pylist()

    assert extract.info["files"]["ComboStudentAssessment.csv"]["layout"] == "combined-2020"
    assert extract.streams["ComboStudentAssessment"].column("StudentLastName").to_pylist() == ["Doe"]
    assert result["student_grade"] == "KG"  # NWEA's standard grade wins over the district's own text
    assert (
        result["source_id"]
        == "nwea_map:100001|Fall 2023-2024|Growth: Reading 2-5 CCSS 2010 V4|2023-09-12|09:41:07"
    )
    assert result["vendor_most_recent"] is None


def test_tab_delimited_combined_file_with_teacher(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    row = {**cdf.row(), "Teacher Name": "Ana Ruiz", "Teacher UID": "T-77"}
    text = cdf.csv_text(COMBO_2020_TEACHER, [row], delimiter="\t")
    connector = source(export_dir({"ComboStudentAssessment_with_teacher.txt": text}))

    extract = connector.read()

    assert (
        extract.info["files"]["ComboStudentAssessment_with_teacher.txt"]["layout"] == "combined-2020-teacher"
    )
    assert extract.streams["ComboStudentAssessment"].column("Teacher UID").to_pylist() == ["T-77"]
    assert connector.normalize(extract).tables["assessment_result"].num_rows == 1


def test_roster_and_class_files_are_kept_as_streams(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    row = cdf.row(_grade="4")
    classes = cdf.csv_text(
        CLASS_ASSIGNMENTS,
        [
            {
                "TermName": "Fall 2023-2024",
                "StudentID": "100001",
                "SchoolName": "Lincoln Elementary",
                "ClassName": "Grade 4 ELA",
                "TeacherName": "Ana Ruiz",
            },
            {
                "TermName": "Fall 2023-2024",
                "StudentID": "100001",
                "SchoolName": "Lincoln Elementary",
                "ClassName": "Grade 4 Math",
                "TeacherName": "Bo Chen",
            },
        ],
    )
    files = {
        "AssessmentResults.csv": cdf.csv_text(cdf.layouts["2020"], [row]),
        "StudentsBySchool.csv": cdf.students_by_school([row]),
        "ClassAssignments.csv": classes,
        "ProgramAssignments.csv": "TermName,StudentID,Program\n",
    }
    connector = source(export_dir(files))

    extract = connector.read()

    students = extract.streams["StudentsBySchool"].to_pylist()
    assert [(s["StudentID"], s["Student_StateID"], s["Grade"]) for s in students] == [
        ("100001", "9000000001", "4")
    ]
    assert extract.info["files"]["StudentsBySchool.csv"]["layout"] == "2020"
    assert extract.streams["ClassAssignments"].column("TeacherName").to_pylist() == ["Ana Ruiz", "Bo Chen"]
    assert extract.info["ignored_files"] == ["ProgramAssignments.csv"]
    [result] = connector.normalize(extract).tables["assessment_result"].to_pylist()
    assert result["student_grade"] == "04"


def test_older_roster_layout_is_recognised(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    row = cdf.row(_grade="K")
    files = {
        "AssessmentResults.csv": cdf.csv_text(cdf.layouts["2020"], [row]),
        "StudentsBySchool.csv": cdf.students_by_school([row], "pre-2020"),
    }
    connector = source(export_dir(files))

    extract = connector.read()

    assert extract.info["files"]["StudentsBySchool.csv"]["layout"] == "pre-2020"
    assert connector.normalize(extract).tables["assessment_result"].column("student_grade").to_pylist() == [
        "KG"
    ]


def test_a_zip_is_read_like_a_folder(cdf: Any, tmp_path: Path, source: Callable[..., MapSource]) -> None:
    archive = tmp_path / "cdf.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("CDF/AssessmentResults.csv", cdf.csv_text(cdf.layouts["2020"], [cdf.row()]))
        bundle.writestr("CDF/StudentsBySchool.csv", cdf.students_by_school([cdf.row(_grade="2")]))

    connector = source(archive)
    extract = connector.read()

    assert set(extract.files) == {"CDF/AssessmentResults.csv", "CDF/StudentsBySchool.csv"}
    [result] = connector.normalize(extract).tables["assessment_result"].to_pylist()
    assert (result["scale_score"], result["student_grade"]) == (188.0, "02")


def test_combined_file_beside_assessment_results_is_not_imported_twice(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    row = cdf.row()
    files = {
        "AssessmentResults.csv": cdf.csv_text(cdf.layouts["2020"], [row]),
        "ComboStudentAssessment.csv": cdf.csv_text(
            cdf.layouts["combined-2020"], [cdf.in_layout(row, "combined-2020")]
        ),
    }
    connector = source(export_dir(files))

    batch = connector.normalize(connector.read())

    assert batch.tables["assessment_result"].column("source_id").to_pylist() == ["nwea_map:800000001"]
    [ignored] = [issue for issue in batch.issues if issue.kind == "combined_file_ignored"]
    assert ignored.file == "ComboStudentAssessment.csv"


def test_district_columns_land_in_extras_and_lower_case_headers_are_known(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    header = [name.lower() for name in cdf.layouts["2020"]] + ["Local Program"]
    row = {name.lower(): value for name, value in cdf.row().items()} | {"Local Program": 'Title "I"'}
    connector = source(export_dir({"AssessmentResults.csv": cdf.csv_text(header, [row])}))

    extract = connector.read()
    [result] = connector.normalize(extract).tables["assessment_result"].to_pylist()

    assert extract.info["files"]["AssessmentResults.csv"]["unknown_columns"] == ["Local Program"]
    assert result["scale_score"] == 188.0
    assert json.loads(result["extras"]) == {"Local Program": 'Title "I"'}


def test_windows_code_page_file_is_read(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    text = cdf.csv_text(cdf.layouts["2020"], [cdf.row(SchoolName="Peña Elementary", School_StateID="")])
    connector = source(export_dir({"AssessmentResults.csv": text.encode("cp1252")}))

    extract = connector.read()
    [result] = connector.normalize(extract).tables["assessment_result"].to_pylist()

    assert extract.info["files"]["AssessmentResults.csv"]["encoding"] == "cp1252"
    assert result["vendor_school_id"] == "Peña Elementary"


def test_excel_resave_with_bom_and_crlf_reads_the_same(
    cdf: Any, export_dir: Callable[..., Path], source: Callable[..., MapSource]
) -> None:
    text = cdf.csv_text(cdf.layouts["2020"], [cdf.row(TestStartDate="9/12/2023", TestStartTime="9:41:07 AM")])
    connector = source(
        export_dir({"AssessmentResults.csv": b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()})
    )

    extract = connector.read()
    [result] = connector.normalize(extract).tables["assessment_result"].to_pylist()

    assert extract.streams["AssessmentResults"].column_names[0] == "TermName"
    assert (result["source_id"], str(result["test_date"]), result["scale_score"]) == (
        "nwea_map:800000001",
        "2023-09-12",
        188.0,
    )
