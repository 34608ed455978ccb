"""Reading one log file into text columns, each row with the file line it came from.

Both shapes end in the same flat table, one row per student per session, so that everything after this
module (validation, normalization) is written once. ``_instance`` tells which rows were written together
as one session: a CSV file's rows of one session id, or one JSON line.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from connectors.session_log.format import SESSION_COLUMNS, STUDENT_COLUMNS
from hub import csvtext
from hub.connector import Issue
from hub.csvtext import LINE, decoded_text, without_oversized

INSTANCE = "_instance"
FILE_STRIDE = 1_000_000_000  # _instance = file number * stride + JSON line; keeps later files larger

__all__ = ["INSTANCE", "LINE", "csv_blocks", "read_csv", "read_jsonl"]


def read_csv(path: Path, required: tuple[str, ...], file_number: int) -> tuple[pa.Table, list[Issue]]:
    """All columns as text (``hub.csvtext``); every row of the file is one instance per session id."""
    table, issues = csvtext.read_csv(path, required)
    return _numbered(table, file_number), issues


def csv_blocks(
    path: Path, required: tuple[str, ...], file_number: int
) -> Iterator[tuple[pa.Table, list[Issue]]]:
    """``read_csv`` a block at a time (``hub.csvtext.csv_blocks``)."""
    for table, issues in csvtext.csv_blocks(path, required):
        yield _numbered(table, file_number), issues


def _numbered(table: pa.Table, file_number: int) -> pa.Table:
    return table.append_column(INSTANCE, pa.array(np.full(table.num_rows, file_number * FILE_STRIDE)))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 30.0 from a JSON writer is the whole number 30
    return str(value).strip() or None


def read_jsonl(path: Path, file_number: int) -> tuple[pa.Table, list[Issue], set[str]]:
    """One session per line, students in a ``students`` list; returns rows, rejects and unknown keys.

    A per-line loop is needed here: one malformed line must become one reject, not a failed file.
    """
    rows: dict[str, list[str | None]] = {name: [] for name in SESSION_COLUMNS + STUDENT_COLUMNS}
    lines: list[int] = []
    data, issues = decoded_text(path)
    unknown: set[str] = set()
    for line, text in enumerate(io.StringIO(data.decode("utf-8"), newline=None), start=1):
        if not text.strip():
            continue
        session, problem = _session_object(text)
        if problem:
            issues.append(Issue(path.name, line, None, text.strip()[:200], "bad_json", problem))
            continue
        unknown |= set(session) - set(SESSION_COLUMNS) - {"students"}
        for student in session["students"]:
            unknown |= set(student) - set(STUDENT_COLUMNS)
            for name in SESSION_COLUMNS:
                rows[name].append(_text(session.get(name)))
            for name in STUDENT_COLUMNS:
                rows[name].append(_text(student.get(name)))
            lines.append(line)
    table = pa.table({name: pa.array(values, pa.string()) for name, values in rows.items()})
    table = table.append_column(LINE, pa.array(lines, pa.int64()))
    instances = file_number * FILE_STRIDE + np.asarray(lines, dtype=np.int64)
    table, issues = without_oversized(
        table.append_column(INSTANCE, pa.array(instances, pa.int64())), path.name, issues
    )
    return table, issues, unknown


def _session_object(text: str) -> tuple[dict, str | None]:
    try:
        session = json.loads(text)
    except json.JSONDecodeError as error:
        return {}, f"not valid JSON ({error.msg} at character {error.pos + 1})"
    except RecursionError:
        return {}, "not a session: the JSON is nested deeper than Python reads"
    except ValueError as error:  # an integer past Python's digit limit
        return {}, f"not a session: {error}"
    if not isinstance(session, dict):
        return {}, "each line must be one JSON object (a session)"
    students = session.get("students")
    if not isinstance(students, list) or not students:
        return {}, 'the session has no "students" list (list every student scheduled, absent ones too)'
    if not all(isinstance(student, dict) for student in students):
        return {}, '"students" must be a list of objects'
    return session, None
