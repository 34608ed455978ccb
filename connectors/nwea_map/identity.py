"""Stable ids for MAP tests, so that a re-export updates a result instead of adding it twice.

``nwea_map:<TestID>`` where the export has a TestID. Screeners and the Combined Data File have none; their
id is composed, as NWEA's own tooling does, from what names one sitting:
``nwea_map:<StudentID>|<TermName>|<TestName>|<YYYY-MM-DD>|<HH:MM:SS>`` (date and time normalised, so an
Excel re-save does not change the id). A TestID shared by different students (anonymised samples do
this) is qualified with the student, ``nwea_map:<TestID>:<StudentID>``; a test repeated verbatim is kept
once.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from connectors.nwea_map.findings import Findings
from connectors.nwea_map.rows import first_rows
from connectors.nwea_map.values import Column, times

PREFIX = "nwea_map:"


def test_source_ids(findings: Findings, test_date: Column, keep: Column) -> tuple[Column, Column]:
    """(source_id per row, ``keep`` narrowed to the first row of each id)."""
    text = findings.text
    student = pc.utf8_trim_whitespace(text("StudentID"))
    test_id = pc.utf8_trim_whitespace(text("TestID"))
    test_id = pc.if_else(pc.fill_null(pc.equal(test_id, ""), True), pa.scalar(None, pa.string()), test_id)
    if pc.all(pc.is_valid(test_id)).as_py():
        source_ids = pc.binary_join_element_wise(PREFIX, test_id, "")
    else:
        sitting = pc.binary_join_element_wise(
            student,
            pc.utf8_trim_whitespace(text("TermName")),
            pc.coalesce(text("TestName"), text("Course"), text("Subject")),
            pc.cast(test_date, pa.string()),
            times(text("TestStartTime")),
            "|",
            null_handling="replace",
            null_replacement="",
        )
        source_ids = pc.binary_join_element_wise(PREFIX, pc.coalesce(test_id, sitting), "")
    first = first_rows(source_ids, keep)
    if pc.all(pc.equal(first, keep)).as_py():
        return source_ids, keep
    shared = _shared_test_ids(pc.filter(test_id, keep), pc.filter(student, keep))
    if len(shared):
        qualified = pc.is_in(test_id, shared)
        reason = "TestID also used for another student; id qualified by StudentID"
        findings.warn(qualified, "TestID", "shared_test_id", reason)
        qualified_ids = pc.binary_join_element_wise(PREFIX, test_id, ":", student, "")
        source_ids = pc.if_else(qualified, qualified_ids, source_ids)
        first = first_rows(source_ids, keep)
    reason = "the same test appears again; the first row is kept"
    findings.warn(pc.and_not(keep, first), "TestID", "duplicate_test", reason)
    return source_ids, first


def _shared_test_ids(test_id: Column, student: Column) -> pa.ChunkedArray:
    pairs = pa.table({"test": test_id, "student": student}).filter(pc.is_valid(test_id))
    students = (
        pairs.group_by(["test", "student"]).aggregate([]).group_by("test").aggregate([("student", "count")])
    )
    return students.filter(pc.greater(students.column("student_count"), 1)).column("test")
